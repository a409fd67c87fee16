import TMCloudJSON
import TMCloudTransport

/// Authenticated requests to Nova, Neutron and Glance for one run.
///
/// The token comes from the cache file when it is fresh, else from Keystone. A 401
/// from a service means the token was revoked or expired early: it is dropped,
/// renewed once, and the request sent again (a 401 means the request was refused,
/// so resending even a create cannot make a second server).
final class OpenStackAPI {
    enum Service: String {
        case compute, network, image
    }

    let context: ProviderContext
    let identity: OpenStackIdentity
    let cache: OpenStackTokenCache
    private var session: OpenStackSession?
    private var renewedAfterRefusal = false

    init(context: ProviderContext) {
        self.context = context
        identity = OpenStackIdentity(config: context.config)
        cache = OpenStackTokenCache(
            directory: context.home.internalDirectory, stateName: context.stateName, config: context.config)
    }

    /// The session: cached, or new from Keystone.
    func currentSession() throws(DriverError) -> OpenStackSession {
        if let session { return session }
        if let cached = cache.load(now: OpenStackTokenCache.now()) {
            context.redactor.add(cached.token)
            context.note("using the cached Keystone token (\(cache.path))")
            session = cached
            return cached
        }
        return try authenticate()
    }

    /// Gets a new token from Keystone and caches it.
    @discardableResult
    func authenticate() throws(DriverError) -> OpenStackSession {
        let fresh = try identity.authenticate(context, now: OpenStackTokenCache.now())
        session = fresh
        store(fresh)
        return fresh
    }

    /// Remembers a name's id for as long as the token lives.
    func remember(_ key: String, id: String) {
        guard var current = session, current.resolved[key] != id else { return }
        current.resolved[key] = id
        session = current
        store(current)
    }

    func resolved(_ key: String) -> String? { session?.resolved[key] }

    private func store(_ session: OpenStackSession) {
        do {
            try cache.save(session)
        } catch {
            // Without a cache every run authenticates: slower, but it still works.
            context.note("cannot keep the token: \(error.message)")
        }
    }

    // MARK: - Requests

    /// The base URL of a service, or an error naming what needs it.
    func baseURL(_ service: Service, in session: OpenStackSession) throws(DriverError) -> String {
        switch service {
        case .compute: return session.computeURL
        case .network:
            guard let url = session.networkURL else { throw missingEndpoint("network (Neutron)", session) }
            return url
        case .image:
            guard let url = session.imageURL else { throw missingEndpoint("image (Glance)", session) }
            return url
        }
    }

    private func missingEndpoint(_ service: String, _ session: OpenStackSession) -> DriverError {
        let text = "the service catalog has no \(service) endpoint in region \(session.region)"
        return DriverError(.config, "\(context.config.path): \(text)")
    }

    /// Sends a request to a service with the token, renewing the token once on a 401.
    func send(
        _ method: HTTPMethod, _ service: Service, _ path: String, body: JSONValue? = nil, retryable: Bool? = nil
    ) throws(DriverError) -> HTTPResponse {
        var current = try currentSession()
        while true {
            let response = try context.send(
                request(method, service, path, in: current, body: body, retryable: retryable))
            guard response.status == 401, !renewedAfterRefusal else { return response }
            renewedAfterRefusal = true
            context.note("\(service.rawValue) refused the token (HTTP 401): renewing it")
            cache.drop()
            session = nil
            current = try authenticate()
        }
    }

    /// A request to a service with the session's token.
    private func request(
        _ method: HTTPMethod, _ service: Service, _ path: String, in session: OpenStackSession,
        body: JSONValue? = nil, retryable: Bool? = nil
    ) throws(DriverError) -> HTTPRequest {
        var headers = [("X-Auth-Token", session.token), ("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let url = OpenStackURL.join(try baseURL(service, in: session), path)
        return HTTPRequest(method, url, headers: headers, body: body.map { JSONWriter.bytes($0) }, retryable: retryable)
    }

    /// A GET whose reply must be 200 with a JSON body.
    func get(_ service: Service, _ path: String, doing operation: String) throws(DriverError) -> JSONView {
        let response = try send(.get, service, path)
        guard response.status == 200 || response.status == 203 else {
            throw OpenStackError.reply(response, doing: operation)
        }
        return try context.jsonView(response, expecting: "the reply to \(operation)")
    }

    /// Every item of a paged list (`{"servers":[…],"servers_links":[{"rel":"next",…}]}`).
    ///
    /// Next links are followed by their query only (limit and marker), against the
    /// configured endpoint; a link seen twice, an empty page or too many pages end it.
    func list(_ service: Service, _ path: String, key: String, doing operation: String) throws(DriverError)
        -> [JSONView]
    {
        var items: [JSONView] = []
        try forEachPage(service, path, key: key, doing: operation) { batch in items += batch }
        return items
    }

    /// The same one page at a time, so that a caller that keeps only what it needs holds
    /// one page's JSON at a time.
    func forEachPage(
        _ service: Service, _ path: String, key: String, doing operation: String,
        _ body: ([JSONView]) throws(DriverError) -> Void
    ) throws(DriverError) {
        let maximumPages = 200
        var pagePath = path
        let pathOnly = path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? path
        var seenQueries: Set<String> = [OpenStackURL.query(of: path) ?? ""]
        for pageNumber in 0..<maximumPages {
            let page = try get(service, pagePath, doing: operation)
            guard let batch = page[key]?.arrayValue else {
                throw .malformed("the reply to \(operation) has no \(key) list")
            }
            let next = page[key + "_links"]?.arrayValue?.first { $0["rel"]?.stringValue == "next" }
            let nextPath: String?
            if !batch.isEmpty, let href = next?["href"]?.stringValue, let query = OpenStackURL.query(of: href),
                seenQueries.insert(query).inserted
            {
                nextPath = pathOnly + "?" + query
            } else {
                nextPath = nil
            }
            // The next page is on its way while this one is read.
            if let nextPath, pageNumber + 1 < maximumPages, let current = session,
                let ahead = try? request(.get, service, nextPath, in: current)
            {
                context.prefetch(ahead)
            }
            try body(batch)
            guard let nextPath else { return }
            pagePath = nextPath
        }
        context.note("\(operation): stopped after \(maximumPages) pages")
    }
}
