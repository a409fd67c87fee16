import TMCloudJSON
import TMCloudTransport

/// Turns OpenStack error replies into `DriverError`s.
///
/// The three services wrap their message differently: Keystone
/// `{"error":{"code":401,"message":"…","title":"Unauthorized"}}`, Nova
/// `{"itemNotFound":{"code":404,"message":"…"}}` (one key named after the fault),
/// Neutron `{"NeutronError":{"type":"…","message":"…","detail":""}}`. Some proxies
/// answer with plain text or HTML instead.
enum OpenStackError {
    /// The cloud's own message in an error reply, or "" when there is none to read.
    static func message(in response: HTTPResponse) -> String {
        guard let json = try? JSONParser.parse(response.body) else {
            return plainText(response.bodyText)
        }
        if let text = json["message"]?.stringValue { return text }
        if let text = json["error"]?.stringValue { return text }
        if case .object(let object) = json {
            // The single fault object: whatever its name, the message is inside it.
            for (_, value) in object.pairs {
                if let text = value["message"]?.stringValue { return text }
            }
            if let text = json["error_message"]?.stringValue { return text }
        }
        return ""
    }

    /// An error for a reply the driver did not expect: the operation, the HTTP status
    /// and the cloud's message, e.g. "creating server web1: HTTP 400: Invalid flavorRef provided.".
    static func reply(_ response: HTTPResponse, doing operation: String) -> DriverError {
        let cloudMessage = message(in: response)
        var text = "\(operation): HTTP \(response.status)"
        if !cloudMessage.isEmpty { text += ": \(cloudMessage)" }
        return DriverError(.cloud, text, httpStatus: response.status)
    }

    /// A short, single-line excerpt of a non-JSON body (an HTML error page, say).
    private static func plainText(_ body: String) -> String {
        if body.hasPrefix("<") { return "" }
        let line = body.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: " \t")
        return trimmed.count > 200 ? String(trimmed.prefix(197)) + "..." : trimmed
    }
}

/// Small helpers for building OpenStack URLs without Foundation.
enum OpenStackURL {
    /// `base` + `path`, with exactly one slash between them.
    static func join(_ base: String, _ path: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return path.hasPrefix("/") ? base + path : base + "/" + path
    }

    /// `base` with `version` (e.g. "/v2.0") appended unless it already ends in it.
    static func versioned(_ base: String, _ version: String) -> String {
        var base = base
        while base.hasSuffix("/") { base.removeLast() }
        return base.hasSuffix(version) ? base : base + version
    }

    /// Percent-encodes a query value (RFC 3986 unreserved characters stay as they are).
    static func encode(_ value: String) -> String {
        PercentEncoding.encode(value)
    }

    /// The query string of a link (`…?limit=2&marker=abc` → `limit=2&marker=abc`), so
    /// that a next-page link is followed against the configured endpoint rather than
    /// whatever host a proxy put into it.
    static func query(of link: String) -> String? {
        guard let mark = link.firstIndex(of: "?") else { return nil }
        let query = String(link[link.index(after: mark)...])
        return query.isEmpty ? nil : query
    }

    /// Whether `value` has the form of a UUID (with or without dashes), which is how
    /// Glance, Neutron and Nova write image, network and server ids.
    static func looksLikeUUID(_ value: String) -> Bool {
        let hex = value.unicodeScalars.filter { $0 != "-" }
        guard hex.count == 32, value.count == 32 || value.count == 36 else { return false }
        return hex.allSatisfy { ("0"..."9").contains($0) || ("a"..."f").contains($0) || ("A"..."F").contains($0) }
    }
}
