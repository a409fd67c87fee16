import Foundation
import TMCloudTransport

/// Small XML helpers: escaping, namespace declarations, and reading the few elements
/// of a deploy request (matched by local name, whatever the prefix).
enum OECXML {
    static let declaration = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#

    static func escape(_ text: String) -> String {
        XMLEscape.text(text)
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// ` xmlns:ns2="..." xmlns:ns3="..."` for the given prefix → namespace pairs.
    static func declarations(_ pairs: [(String, String)]) -> String {
        pairs.map { #" xmlns:\#($0.0)="\#($0.1)""# }.joined()
    }

    /// `<tag>text</tag>`, escaped.
    static func element(_ tag: String, _ text: String) -> String { "<\(tag)>\(escape(text))</\(tag)>" }

    /// The text of the first element with this local name, or nil.
    static func text(of localName: String, in xml: String) -> String? {
        let pattern = #"<(?:[A-Za-z0-9_.-]+:)?"# + localName + #"(?:\s[^>]*)?>([^<]*)</(?:[A-Za-z0-9_.-]+:)?"# + localName + ">"
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: xml, range: NSRange(xml.startIndex..., in: xml)),
              let range = Range(match.range(at: 1), in: xml)
        else { return nil }
        return unescape(String(xml[range])).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The root element's local name and its default or prefixed namespace URI.
    static func root(of xml: String) -> (localName: String, namespace: String?)? {
        let pattern = #"<(?!\?)(?:([A-Za-z0-9_.-]+):)?([A-Za-z0-9_.-]+)([^>]*)>"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: xml, range: NSRange(xml.startIndex..., in: xml)),
              let nameRange = Range(match.range(at: 2), in: xml),
              let attributesRange = Range(match.range(at: 3), in: xml)
        else { return nil }
        let prefix = Range(match.range(at: 1), in: xml).map { String(xml[$0]) }
        let attributes = String(xml[attributesRange])
        let wanted = prefix.map { "xmlns:\($0)=\"" } ?? "xmlns=\""
        guard let start = attributes.range(of: wanted) else { return (String(xml[nameRange]), nil) }
        let rest = attributes[start.upperBound...]
        return (String(xml[nameRange]), rest.firstIndex(of: "\"").map { String(rest[..<$0]) })
    }
}
