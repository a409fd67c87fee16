import TMCloudJSON
import TMCloudTransport

#if canImport(Glibc)
import Glibc
#endif

/// The DigitalOcean API v2 as the provider uses it: authenticated requests, error
/// replies, pagination, and the rate limit the replies report.
final class DigitalOceanAPI {
    /// Below this many requests left in the token's window, optional lookups are skipped.
    static let lowRateLimit = 10
    /// The most a page may hold; one page covers a pool of up to 200 droplets.
    static let pageSize = 200
    /// A listing longer than this many pages is a loop, not a pool.
    static let maximumPages = 100

    private let context: ProviderContext
    /// `https://api.digitalocean.com/v2`, or the configured host's equivalent.
    let base: String
    /// What the last reply said about the token's remaining requests.
    private(set) var rateLimitRemaining: Int?
    /// The server's clock (its `Date` header) at the last reply, in Unix seconds.
    private(set) var serverTime: Double?

    init(_ context: ProviderContext) throws(DriverError) {
        self.context = context
        base = try context.config.endpoint(default: "api.digitalocean.com").base + "/v2"
    }

    // MARK: - Requests

    /// `base + path` with the query's values percent-encoded.
    func url(_ path: String, query: [(String, String)] = []) -> String {
        guard !query.isEmpty else { return base + path }
        return base + path + "?" + query.map { "\($0.0)=\(Self.percentEncoded($0.1))" }.joined(separator: "&")
    }

    /// Sends one request with the token and JSON headers, and notes the rate limit.
    func send(
        _ method: HTTPMethod, _ url: String, body: JSONValue? = nil, retryable: Bool? = nil
    ) throws(DriverError) -> HTTPResponse {
        let response = try context.send(request(method, url, body: body, retryable: retryable))
        if let remaining = response.header("ratelimit-remaining").flatMap({ Int($0) }) {
            rateLimitRemaining = remaining
        }
        if let date = response.header("date"), let seconds = RetryAfter.seconds(date, now: 0), seconds > 0 {
            // An HTTP-date counted from the epoch is that date in Unix seconds.
            serverTime = seconds
        }
        return response
    }

    /// A request with the token and JSON headers.
    private func request(
        _ method: HTTPMethod, _ url: String, body: JSONValue? = nil, retryable: Bool? = nil
    ) -> HTTPRequest {
        var headers = [("Authorization", "Bearer \(context.secret)"), ("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return HTTPRequest(method, url, headers: headers, body: body.map { JSONWriter.bytes($0) }, retryable: retryable)
    }

    /// GETs a JSON document that must come with `200 OK`.
    func get(_ url: String, while what: String) throws(DriverError) -> JSONView {
        try document(send(.get, url), while: what)
    }

    /// The JSON document of a reply that must be `200 OK`.
    private func document(_ response: HTTPResponse, while what: String) throws(DriverError) -> JSONView {
        guard response.status == 200 else { throw DigitalOceanError.from(response, while: what) }
        return try context.jsonView(response, expecting: what)
    }

    /// Every item of a paged collection (`droplets`, `sizes`, `regions`), following
    /// `links.pages.next` from page to page.
    func list(_ path: String, query: [(String, String)], key: String, while what: String) throws(DriverError)
        -> [JSONView]
    {
        var items: [JSONView] = []
        try forEachPage(path, query: query, key: key, while: what) { page in items += page }
        return items
    }

    /// The items of a paged collection, one page at a time: a caller that keeps only
    /// what it needs from each page holds one page's JSON at a time, not every page's.
    ///
    /// Each next page is asked for before the page at hand is read, so that the API
    /// prepares it meanwhile: the second once the first page's links name it, later
    /// ones as soon as the page before arrives, where the first page's `meta.total`
    /// says they exist (their links are the second page's with the number changed).
    /// The links stay the authority: a page whose link differs from the one written
    /// ahead is asked for by its link.
    func forEachPage(
        _ path: String, query: [(String, String)], key: String, while what: String,
        _ body: ([JSONView]) throws(DriverError) -> Void
    ) throws(DriverError) {
        var next: String? = url(path, query: query + [("per_page", String(Self.pageSize))])
        var seen: Set<String> = []
        var number = 1
        var later: (links: PageLinks, pages: Int)?
        while let pageURL = next {
            guard seen.insert(pageURL).inserted, seen.count <= Self.maximumPages else {
                throw .malformed("\(what): the pages do not come to an end (\(seen.count) pages)")
            }
            let response = try send(.get, pageURL)
            if let later, number < later.pages, seen.count < Self.maximumPages, response.status == 200 {
                let ahead = later.links.link(toPage: number + 1)
                if !seen.contains(ahead) { context.prefetch(request(.get, ahead)) }
            }
            let page = try document(response, while: what)
            guard let found = page[key]?.arrayValue else {
                throw .malformed("\(what): the reply has no '\(key)' list")
            }
            next = page["links"]?["pages"]?["next"]?.stringValue.flatMap(localURL)
            if number == 1, let next, seen.count < Self.maximumPages {
                context.prefetch(request(.get, next))
                if let total = page["meta"]?["total"]?.intValue, let links = PageLinks(next, page: 2) {
                    later = (links, Int((total + Int64(Self.pageSize) - 1) / Int64(Self.pageSize)))
                }
            }
            try body(found)
            number += 1
        }
    }

    /// A `links` URL from a reply, pointed at the configured host: the API writes its
    /// public host name into links, while `apiHost` may name a proxy or a test server.
    func localURL(_ link: String) -> String? {
        guard !link.isEmpty else { return nil }
        if link.hasPrefix(base) { return link }
        guard let range = link.firstUTF8Range(of: "/v2/") else { return nil }
        return base + "/" + link[range.upperBound...]
    }

    // MARK: - Rate limit

    /// Whether an optional lookup should be skipped to spare the token's rate limit;
    /// says so under `--verbose` when it is.
    func shouldSkipOptional(_ what: String) -> Bool {
        guard let remaining = rateLimitRemaining, remaining < Self.lowRateLimit else { return false }
        context.note("only \(remaining) API requests left in the rate limit window: not \(what)")
        return true
    }

    /// Now, by the server's clock when a reply has told it (droplet ages are measured
    /// against the clock that stamped `created_at`), else by this machine's.
    var now: Double { serverTime ?? Double(time(nil)) }

    // MARK: - Encoding

    /// RFC 3986 percent-encoding of everything but the unreserved characters.
    static func percentEncoded(_ text: String) -> String {
        PercentEncoding.encode(text)
    }

    /// A droplet id as the API takes it in a path: digits only, so that nothing else
    /// can reach the URL; nil for anything that cannot be a droplet id.
    static func dropletID(_ text: String) -> String? {
        guard !text.isEmpty, text.count <= 18, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let value = Int64(text), value > 0
        else { return nil }
        return String(value)
    }

    /// An image or ssh key given by number goes as a JSON number, anything else (a slug,
    /// a fingerprint) as a string.
    static func idOrSlug(_ text: String) -> JSONValue {
        if let id = dropletID(text), let number = Int64(id) { return .int(number) }
        return .string(text)
    }
}

/// One droplet as the provider reads it from a reply.
struct Droplet: Sendable, Equatable {
    var id: String
    var name: String
    /// `new`, `active`, `off` or `archive`.
    var status: String
    /// An action (power on, rename, ...) is running on it.
    var locked: Bool
    var publicIPv4: String
    var privateIPv4: String
    var createdAt: String
    var imageID: String
    var sizeSlug: String
    var tags: [String]

    /// The members `init` reads, in one pass over the droplet.
    private static let keys = JSONKeys([
        "id", "name", "status", "locked", "networks", "created_at", "image", "size_slug", "size", "tags",
    ])
    private static let networkKeys = JSONKeys(["type", "ip_address"])

    /// Reads a droplet object; nil when it lacks an id, a name or a status (a node
    /// without them could be neither matched nor placed in a state).
    init?(_ json: JSONView) {
        // One pass over the droplet's members; a listing holds up to 200 of them a page.
        let f = json.fields(Self.keys)
        guard let id = f[0]?.scalarText, !id.isEmpty, let name = f[1]?.stringValue, let status = f[2]?.stringValue
        else { return nil }
        self.id = id
        self.name = name
        self.status = status
        locked = f[3]?.boolValue ?? false
        // The first public and the first private address with an address, in one pass.
        var publicIPv4 = ""
        var privateIPv4 = ""
        if let v4 = f[4]?["v4"] {
            for network in v4.elements {
                let n = network.fields(Self.networkKeys)
                guard let type = n[0] else { continue }
                if publicIPv4.isEmpty, type.isString("public") {
                    publicIPv4 = n[1]?.stringValue ?? ""
                } else if privateIPv4.isEmpty, type.isString("private") {
                    privateIPv4 = n[1]?.stringValue ?? ""
                }
            }
        }
        self.publicIPv4 = publicIPv4
        self.privateIPv4 = privateIPv4
        createdAt = f[5]?.stringValue ?? ""
        let image = f[6]
        if let slug = image?["slug"]?.stringValue, !slug.isEmpty {
            imageID = slug
        } else {
            // Snapshots have no slug: the pool names them by number.
            imageID = image?["id"]?.scalarText ?? ""
        }
        sizeSlug = f[7]?.stringValue ?? f[8]?["slug"]?.stringValue ?? ""
        tags = f[9].map { $0.elements.compactMap(\.stringValue) } ?? []
    }

    var hasIPv4: Bool { !publicIPv4.isEmpty || !privateIPv4.isEmpty }
}

/// A page link with its page number taken out (`…?page=2&per_page=200&tag_name=…`),
/// so that the links of later pages can be written before their replies come.
struct PageLinks: Equatable {
    let before: String
    let after: String

    /// Nil when the link has no `page=<page>` parameter.
    init?(_ link: String, page: Int) {
        let parameter = "page=\(page)"
        var searchFrom = link.startIndex
        while let range = link[searchFrom...].firstUTF8Range(of: parameter) {
            let opens = range.lowerBound > link.startIndex && "?&".contains(link[link.index(before: range.lowerBound)])
            let closes = range.upperBound == link.endIndex || link[range.upperBound] == "&"
            if opens && closes {
                before = String(link[..<link.index(range.lowerBound, offsetBy: 5)])
                after = String(link[range.upperBound...])
                return
            }
            searchFrom = range.upperBound
        }
        return nil
    }

    func link(toPage page: Int) -> String { before + String(page) + after }
}
