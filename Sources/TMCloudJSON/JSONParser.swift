/// Why a document is not JSON, with the byte offset where reading stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var offset: Int

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// A strict RFC 8259 parser over UTF-8 bytes, giving a `JSONValue` tree.
///
/// Strict because its input is a cloud's reply or a user's file: invalid UTF-8, a
/// trailing comma or garbage after the value is an error, never a guess. Nesting is
/// bounded so that a hostile document cannot exhaust the stack. The checking is
/// `JSONDocument`'s; large replies that are only partly read should use that directly.
public enum JSONParser {
    /// Deeper documents are refused; no cloud reply tmcloud reads nests past 20.
    public static let maximumDepth = 256

    /// Parses one JSON document.
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParseError) -> JSONValue {
        try JSONDocument(Array(bytes)).root.value
    }

    /// Parses one JSON document held in a string.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}
