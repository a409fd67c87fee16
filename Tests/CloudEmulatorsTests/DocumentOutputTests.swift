@testable import CloudEmulators
import Testing
import TMCloudJSON
import TMCloudTransport

/// The writers the listings use must give what `JSONWriter` and `XMLEscape` give: the
/// documents are the same whichever way they are written.
@Suite struct DocumentOutputTests {
    static let awkward = [
        "", "plain", "quote \" and backslash \\", "line\nfeed\rreturn\ttab", "\u{0}\u{1}\u{1F}\u{7F}",
        "slash / stays", "café ünïcode", "emoji 🚀 and \u{2028}", "<&>'\"", String(repeating: "long ", count: 400),
    ]

    @Test func jsonIsWhatJSONWriterWrites() {
        var json = JSONOutput(capacity: 1)  // grows from the smallest buffer
        var value = JSONObject()
        json.object { o in
            for (n, text) in Self.awkward.enumerated() {
                o.key(text)
                o.string(text)
                value[text] = .string(text)
                let number = [0, 7, -1, 10, 99, 100, 1_000_000, Int.max, Int.min][n % 9]
                o.key("n\(n)")
                o.int(number)
                value["n\(n)"] = .int(Int64(number))
            }
            o.field("yes", true)
            o.field("none", nil as String?)
            o.key("list")
            o.array { list in
                list.string("https://127.0.0.1", "/a\"b")
                list.value(["nested": [1, 2.5, "x"]])
                list.raw(JSONWriter.bytes(["raw": true]))
                list.timestamp(1_795_428_000.123456, fractionDigits: 6, zone: false)
                list.array { _ in }
                list.object { _ in }
            }
        }
        value["yes"] = true
        value["none"] = .null
        value["list"] = [
            "https://127.0.0.1/a\"b", ["nested": [1, 2.5, "x"]], ["raw": true], "2026-11-23T10:00:00.123456", [], [:],
        ]
        #expect(String(decoding: json.bytes, as: UTF8.self) == JSONWriter.string(.object(value)))
    }

    @Test func xmlTextIsWhatXMLEscapeWrites() {
        for text in Self.awkward {
            let xml = XMLOutput()
            xml.element("name", text)
            #expect(String(decoding: xml.bytes, as: UTF8.self) == "<name>\(XMLEscape.text(text))</name>")
        }
        let xml = XMLOutput()
        xml.element("cpuCount", 12)
        xml.element("isStarted", false)
        xml.element("created", time: 1_795_428_000.5)
        #expect(String(decoding: xml.bytes, as: UTF8.self)
            == "<cpuCount>12</cpuCount><isStarted>false</isStarted><created>2026-11-23T10:00:00.500Z</created>")
    }

    @Test func timestampsAsBefore() {
        #expect(Timestamp.iso8601(1_795_428_000) == "2026-11-23T10:00:00Z")
        #expect(Timestamp.iso8601Micro(1_795_428_000.25) == "2026-11-23T10:00:00.250000Z")
        #expect(Timestamp.iso8601Milli(0.999) == "1970-01-01T00:00:00.999Z")
        #expect(Timestamp.iso8601(253_402_300_799) == "9999-12-31T23:59:59Z")
    }
}
