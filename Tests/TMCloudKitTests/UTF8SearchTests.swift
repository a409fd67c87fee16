import Testing
import TMCloudKit
import TMCloudTransport

/// firstUTF8Range and containsUTF8, which the driver uses instead of the standard
/// library's Character-based search (docs/performance.md).
struct UTF8SearchTests {
    @Test func findsTheFirstOccurrenceByBytes() {
        let url = "https://api.example.com:8443/v2/droplets?page=2"
        let range = url.firstUTF8Range(of: "://")
        #expect(range.map { String(url[..<$0.lowerBound]) } == "https")
        #expect(range.map { String(url[$0.upperBound...]) } == "api.example.com:8443/v2/droplets?page=2")
        #expect(url.firstUTF8Range(of: "/v2/").map { String(url[$0.upperBound...]) } == "droplets?page=2")
        // A partial match before the real one (aab in aaab), and a match at the very end.
        let text = "aaab"
        #expect(text.firstUTF8Range(of: "aab").map { text.utf8.distance(from: text.startIndex, to: $0.lowerBound) } == 1)
        #expect(text.firstUTF8Range(of: "b").map { String(text[$0]) } == "b")
        #expect(text.firstUTF8Range(of: "aaaab") == nil)
        #expect(text.firstUTF8Range(of: "") == nil)
        #expect("".firstUTF8Range(of: "a") == nil)
    }

    @Test func searchesSubstringsWithinTheirBounds() {
        let whole = "page=2&per_page=200&page=3"
        let tail = whole.dropFirst(7)
        let range = tail.firstUTF8Range(of: "page=")
        #expect(range.map { String(whole[whole.startIndex..<$0.lowerBound]) } == "page=2&per_")
        #expect(!whole.prefix(5).containsUTF8("page=2"))
        #expect(whole.prefix(6).containsUTF8("page=2"))
    }

    @Test func matchesNonASCIITextOnScalarBoundaries() {
        let text = "token ñandú-42 and ñandú-42 again"
        let range = text.firstUTF8Range(of: "ñandú-42")
        #expect(range.map { String(text[$0]) } == "ñandú-42")
        #expect(text.containsUTF8("ú-4"))
        #expect(!text.containsUTF8("nandu"))
    }

    /// Redaction finds every copy of a secret, whatever surrounds it.
    @Test func redactionReplacesEveryCopy() {
        let redactor = Redactor()
        redactor.add("s3cr3t-ñ")
        #expect(redactor.redact("a s3cr3t-ñ b s3cr3t-ñs3cr3t-ñ") == "a *** b ******")
        #expect(redactor.redact("nothing here") == "nothing here")
    }
}
