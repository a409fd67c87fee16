/// One parsed HTTP/1.1 request.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as sent: path and query, still percent-encoded.
    public var target: String
    /// The decoded path, without the query.
    public var path: String
    /// Query items in order; a bare word such as `?start` has an empty value.
    public var query: [(name: String, value: String)]
    /// Header names are kept lowercased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, target: String, headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.target = target
        self.headers = headers.map { ($0.name.lowercased(), $0.value) }
        self.body = body
        let split = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = PercentEncoding.decode(String(split.first ?? ""))
        query = split.count > 1 ? PercentEncoding.parseQuery(String(split[1])) : []
    }

    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }

    public func queryValue(_ name: String) -> String? {
        query.first { $0.name == name }?.value
    }

    public func hasQueryItem(_ name: String) -> Bool {
        query.contains { $0.name == name }
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The path split on `/`, without empty parts.
    public var pathSegments: [String] { path.split(separator: "/").map(String.init) }

    var isMutating: Bool { method != "GET" && method != "HEAD" }
}

enum PercentEncoding {
    static func decode(_ text: String, plusIsSpace: Bool = false) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else if plusIsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func parseQuery(_ text: String) -> [(name: String, value: String)] {
        text.split(separator: "&").map { item in
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = decode(String(pair[0]), plusIsSpace: true)
            let value = pair.count > 1 ? decode(String(pair[1]), plusIsSpace: true) : ""
            return (name, value)
        }
    }

    /// Encodes a query value (unreserved characters kept).
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            let c = Character(UnicodeScalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c)) {
                out.append(c)
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
