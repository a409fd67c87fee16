import TMCloudTransport

/// The OEC 0.9 requests the provider makes: Basic auth on each, the organisation id,
/// the server listings (with the fallback for accounts without serverWithState), the
/// server operations (retried while another operation is in progress) and the state
/// kept between runs.
final class OpSourceAPI {
    /// The resultCode of "Operation in progress on Server with Id …".
    static let operationInProgress = "REASON_392"
    /// Servers per page asked of serverWithState (the API's maximum).
    static let pageSize = 250

    let context: ProviderContext
    let user: String
    /// `https://host[:port][/prefix]`, without a trailing slash.
    let base: String
    private let authorization: String
    let statePath: String
    private(set) var state: OpSourceState
    /// Seconds between two looks at a server that is changing: the first wait is
    /// short (most changes the driver waits for are quick), later ones grow to
    /// `pollInterval`. Tests shorten both.
    var firstPollInterval = 1.0
    var pollInterval = 5.0

    init(_ context: ProviderContext) throws(DriverError) {
        self.context = context
        let config = context.config
        guard let user = config.string("user") else { throw .config("\(config.path): required key 'user' is missing") }
        self.user = user
        base = try config.endpoint().base
        authorization = "Basic " + Base64.encode("\(user):\(context.secret)")
        context.redactor.addBasicAuth(user: user, password: context.secret)
        if let serverPassword = config.string("serverPassword") { context.redactor.add(serverPassword) }
        statePath = context.home.internalDirectory + "/tmcloud.\(context.stateName).opsource"
        state = OpSourceState.load(statePath, account: "\(base) \(user)")
    }

    // MARK: - Requests

    /// `base/oec/0.9/<path>`.
    func url(_ path: String) -> String { base + "/oec/0.9/" + path }

    func request(_ method: HTTPMethod, _ path: String, body: String? = nil) -> HTTPRequest {
        var headers = [("Authorization", authorization), ("Accept", "text/xml")]
        if body != nil { headers.append(("Content-Type", "text/xml; charset=utf-8")) }
        return HTTPRequest(method, url(path), headers: headers, body: body.map { Array($0.utf8) })
    }

    /// GETs `path` and returns the reply's root element; any reply but 2xx is an error
    /// carrying the Status's resultCode and resultDetail.
    func get(_ path: String, doing what: String) throws(DriverError) -> XMLElement {
        let response = try context.send(request(.get, path))
        guard response.isSuccess else { throw OpSourceError.error(for: response, user: user, doing: what) }
        return try context.xml(response, expecting: "the reply to \(what)")
    }

    /// A path segment made of an id: anything outside the characters ids use is
    /// percent-encoded, so that an id can never change the request's shape.
    static func segment(_ id: String) -> String {
        PercentEncoding.encode(id)
    }

    // MARK: - Organisation

    /// The configured orgID, else the one learned from `GET myaccount` (kept in the
    /// state file, so that this costs one request once).
    func orgID() throws(DriverError) -> String {
        if let configured = context.config.string("orgID") { return configured }
        if let known = state.orgID { return known }
        let org = try accountOrgID()
        guard OpSourceState.storable(org) else { throw .malformed("myaccount gave an unusable orgId") }
        rememberOrgID(org)
        context.note("organisation \(org) learned from myaccount")
        return org
    }

    /// Keeps the account's organisation id for later runs (unless orgID is configured).
    func rememberOrgID(_ org: String) {
        guard context.config.string("orgID") == nil, state.orgID != org, OpSourceState.storable(org) else { return }
        updateState { $0.orgID = org }
    }

    /// `GET myaccount`: the account's orgId (directory namespace).
    func accountOrgID() throws(DriverError) -> String {
        let root = try get("myaccount", doing: "read the account (myaccount)")
        guard root.matches("Account", ns: OpSourceNamespace.directory),
            let org = root.childText("orgId", ns: OpSourceNamespace.directory), !org.isEmpty
        else { throw .malformed("myaccount holds no directory:orgId") }
        return org
    }

    /// `{org}/path`.
    func orgPath(_ path: String) throws(DriverError) -> String {
        try Self.segment(orgID()) + "/" + path
    }

    // MARK: - Listings

    /// Every server of the organisation: one serverWithState listing (every page), or,
    /// where the account lacks that call, `deployed` plus `pendingDeploy`.
    func servers() throws(DriverError) -> [OpSourceServer] {
        if state.listing != .legacy {
            if let servers = try serversWithState(id: nil) {
                if state.listing == nil { remember(.serverWithState) }
                return servers
            }
            context.note("serverWithState is not available: listing deployed and pendingDeploy instead")
            // Remembered only once the two lists answer: a wrong apiHost 404s everything.
            let servers = try legacyServers()
            remember(.legacy)
            return servers
        }
        return try legacyServers()
    }

    /// One server by id; nil when the organisation has no such server.
    func server(id: String) throws(DriverError) -> OpSourceServer? {
        if state.listing != .legacy {
            if let servers = try serversWithState(id: id) {
                if state.listing == nil { remember(.serverWithState) }
                return servers.first { $0.id == id }
            }
            let servers = try legacyServers()
            remember(.legacy)
            return servers.first { $0.id == id }
        }
        return try legacyServers().first { $0.id == id }
    }

    /// serverWithState, every page; nil when the call answers 404 (not offered).
    private func serversWithState(id: String?) throws(DriverError) -> [OpSourceServer]? {
        var servers: [OpSourceServer] = []
        var page = 1
        /// A listing longer than this is a loop, not a pool.
        let maximumPages = 1000
        /// Pages in all, as the first page's totalCount has it.
        var pages: Int?
        func pageRequest(_ number: Int) throws(DriverError) -> HTTPRequest {
            let query = id.map { "?id=\(Self.segment($0))" } ?? "?pageSize=\(Self.pageSize)&pageNumber=\(number)"
            return request(.get, try orgPath("serverWithState") + query)
        }
        while true {
            let response = try context.send(try pageRequest(page))
            // The page after this one is asked for before this one is read, so that the
            // API prepares it meanwhile; the count read so far still decides the end.
            if let pages, page < min(pages, maximumPages), response.isSuccess { context.prefetch(try pageRequest(page + 1)) }
            if response.status == 404 && page == 1 {
                // A Status names a missing thing (the server asked for); without one,
                // the call itself is not offered.
                guard Self.isStatusDocument(response) else { return nil }
                if id != nil { return [] }
            }
            guard response.isSuccess else { throw OpSourceError.error(for: response, user: user, doing: "list servers") }
            let (read, root) = try Self.listing(response, expecting: "the server listing")
            guard let listing = read else {
                throw .malformed("serverWithState replied with \(root), not ServersWithState")
            }
            guard listing.unidentified == 0 else { throw .malformed("the server listing holds a server without an id") }
            servers += listing.servers
            if page == 1, let total = listing.totalCount {
                pages = (total + Self.pageSize - 1) / Self.pageSize
            }
            guard id == nil, listing.hasMore(afterReading: servers.count), page < maximumPages else { return servers }
            page += 1
        }
    }

    /// A listing reply read into a page (see `OpSourceServerPage.read`), with the
    /// error `ProviderContext.xml` gives for a reply that is not XML.
    private static func listing(
        _ response: HTTPResponse, expecting what: String
    ) throws(DriverError) -> (page: OpSourceServerPage?, root: String) {
        do {
            return try OpSourceServerPage.read(response.body)
        } catch {
            throw .malformed("\(what) is not XML (HTTP \(response.status), \(error.message))")
        }
    }

    private static func isStatusDocument(_ response: HTTPResponse) -> Bool {
        guard let root = try? XMLDocumentParser.parse(response.body) else { return false }
        return OpSourceStatus(root) != nil
    }

    private func legacyServers() throws(DriverError) -> [OpSourceServer] {
        var servers: [OpSourceServer] = []
        for (path, name) in [("server/pendingDeploy", "PendingDeployServers"), ("server/deployed", "DeployedServers")] {
            let what = "list servers (\(path))"
            let response = try context.send(request(.get, try orgPath(path)))
            guard response.isSuccess else { throw OpSourceError.error(for: response, user: user, doing: what) }
            let (read, root) = try Self.listing(response, expecting: "the reply to \(what)")
            guard let listing = read else { throw .malformed("\(path) replied with \(root), not \(name)") }
            guard listing.unidentified == 0 else { throw .malformed("\(path) holds a server without an id") }
            // A server that finished deploying between the two requests shows in both.
            servers += listing.servers.filter { s in !servers.contains { $0.id == s.id } }
        }
        return servers
    }

    private func remember(_ listing: OpSourceState.Listing) {
        updateState { $0.listing = listing }
    }

    // MARK: - Operations

    /// `GET {org}/server/{id}?verb`, sent again while another operation is in
    /// progress on the server (REASON_392) and time remains.
    @discardableResult
    func operate(
        _ verb: String, serverID: String, doing what: String, retryingInProgress: Bool = true
    ) throws(DriverError) -> OpSourceStatus {
        let path = try orgPath("server/" + Self.segment(serverID)) + "?" + verb
        // The request trace hides query strings, and here the query is the operation.
        context.note("\(what): ?\(verb)")
        return try sendRetryingInProgress(request(.get, path), doing: what, retrying: retryingInProgress)
    }

    /// Sends a request answered with a Status; REASON_392 replies are retried with
    /// backoff inside the deadline (unless `retrying` is false), every other ERROR
    /// becomes the driver's error.
    func sendRetryingInProgress(
        _ request: HTTPRequest, doing what: String, retrying: Bool = true
    ) throws(DriverError) -> OpSourceStatus {
        var wait = 1.0
        while true {
            let response = try context.send(request)
            let status = (try? XMLDocumentParser.parse(response.body)).flatMap(OpSourceStatus.init)
            if retrying, let status, status.isOperationInProgress, context.client.remainingTime > wait + 2 {
                context.note("\(what): \(status.summary); trying again in \(Int(wait)) s")
                context.client.clock.sleep(wait)
                wait = min(wait * 2, 8)
                continue
            }
            guard response.isSuccess else { throw OpSourceError.error(for: response, user: user, doing: what) }
            guard let status else { throw .malformed("the reply to \(what) holds no Status") }
            guard status.succeeded else { throw OpSourceError.error(for: status, httpStatus: response.status, doing: what) }
            return status
        }
    }

    // MARK: - State

    /// The API refused to delete a running server: power servers off first from now on.
    func rememberDeleteNeedsStop() {
        guard !state.deleteNeedsStop else { return }
        updateState { $0.deleteNeedsStop = true }
    }

    func setSize(_ size: String?, for id: String) {
        let value = size.flatMap { OpSourceState.storable($0) ? $0 : nil }
        guard state.sizes[id] != value else { return }
        updateState { $0.sizes[id] = value }
    }

    /// Forgets the sizes of servers that no longer exist.
    func pruneSizes(keeping ids: Set<String>) {
        guard state.sizes.keys.contains(where: { !ids.contains($0) }) else { return }
        updateState { state in state.sizes = state.sizes.filter { ids.contains($0.key) } }
    }

    func setImagePath(_ path: String?, for imageID: String) {
        let value = path.flatMap { OpSourceState.storable($0) ? $0 : nil }
        guard state.images[imageID] != value, OpSourceState.storable(imageID) else { return }
        updateState { $0.images[imageID] = value }
    }

    /// Notes a server powered off to be deleted once it has stopped.
    func noteDeletion(_ id: String) {
        guard !state.deleting.contains(id), OpSourceState.storable(id) else { return }
        updateState { $0.deleting.insert(id) }
    }

    /// Remembers how long a power-off took (to a tenth of a second).
    func rememberStopTime(_ seconds: Double) {
        let value = Double(Int(max(0.1, min(600, seconds)) * 10)) / 10
        guard state.stopSeconds != value else { return }
        updateState { $0.stopSeconds = value }
    }

    /// The server is gone, or its deletion is under way: nothing is left to do for it.
    func deletionDone(_ id: String) {
        guard state.deleting.contains(id) || state.sizes[id] != nil else { return }
        updateState { state in
            state.deleting.remove(id)
            state.sizes[id] = nil
        }
    }

    /// Changes the state here and in the file. The file is read again under its lock
    /// and changed as it is found, so that runs at the same moment (a destroynode
    /// noting a deletion while a status finishes another) keep each other's changes;
    /// it is written only when the change changes it. A file that cannot be written
    /// costs requests later, never the action.
    func updateState(_ change: (inout OpSourceState) -> Void) {
        change(&state)
        let path = statePath
        let account = state.account
        do {
            try StateFile.locked(path + "-lock") { () throws(DriverError) in
                var current = OpSourceState.load(path, account: account)
                let before = current
                change(&current)
                guard current != before else { return }
                try StateFile.write(Array(current.text.utf8), to: path)
            }
        } catch {
            context.note(error.message)
        }
    }
}
