import TMCloudTransport

/// Builds the opsource provider (the OEC 0.9 XML API of OpSource / Dimension Data).
func makeOpSourceProvider(_ context: ProviderContext) throws(DriverError) -> any CloudProvider {
    try OpSourceProvider(context)
}

/// OpSource / Dimension Data through OEC 0.9.
///
/// The pool is every server on the configured VLAN (`networkId` = `vlanID`): OEC 0.9
/// servers carry no tags or metadata to scope it by.
final class OpSourceProvider: CloudProvider {
    let context: ProviderContext
    let api: OpSourceAPI
    let vlanID: String
    /// Seconds a graceful shutdown (`destroy false`) may take before a hard power-off.
    var gracefulStopBudget = 60.0
    /// Seconds to wait for a new server to show in the listing.
    var settleBudget = 90.0
    /// Seconds from `?poweroff` to the first `?delete` before any power-off has been
    /// timed, and between `?delete`s while the server is still stopping.
    var firstStopWait = 2.0
    var stopRetryWait = 2.0

    init(_ context: ProviderContext) throws(DriverError) {
        self.context = context
        guard let vlan = context.config.string("vlanID") else {
            throw .config("\(context.config.path): required key 'vlanID' is missing")
        }
        vlanID = vlan
        api = try OpSourceAPI(context)
    }

    // MARK: - Listing

    /// The listing alone: status sends nothing else (pending deletions are finished by
    /// createnode and destroynode).
    func listNodes() throws(DriverError) -> [CloudNode] {
        try api.servers().filter(inPool).map(node)
    }

    func node(id: String) throws(DriverError) -> CloudNode? {
        guard let server = try api.server(id: id), inPool(server) else { return nil }
        return node(server)
    }

    func inPool(_ server: OpSourceServer) -> Bool { server.networkID == vlanID }

    func node(_ server: OpSourceServer) -> CloudNode {
        var node = OpSourceStates.node(for: server, sizeID: api.state.sizes[server.id] ?? "")
        // What a destroynode soon after this listing may go by without a look.
        if isStopped(server) {
            node.hint = "stopped"
        } else if server.isDeployed && server.isStarted && server.action == nil && server.failureReason == nil {
            node.hint = "running"
        } else {
            node.hint = "busy"
        }
        if api.state.deleting.contains(server.id) {
            // Powered off by a destroynode that ran out of time; the next change deletes it.
            node.record.status = .destroyed
            node.record.complete = 80
            node.condition = .normal
        }
        return node
    }

    // MARK: - Create

    /// Deploys a server and reports it as the listing first shows it.
    ///
    /// The deploy reply carries no server id, so the new server is found by its name,
    /// which the Traffic Manager makes unique within the pool.
    func createNode(_ request: CreateRequest) throws(DriverError) -> CloudNode {
        let cachedPath = api.state.images[request.imageID]
        do {
            return try deploy(request, imagePath: try imageResourcePath(request.imageID))
        } catch where cachedPath != nil && error.kind == .cloud && (400..<500).contains(error.httpStatus ?? 0) {
            // Refused, so nothing was made: perhaps because the kept image path is out
            // of date. Looked up again; the same path again means another reason.
            api.setImagePath(nil, for: request.imageID)
            let path = try imageResourcePath(request.imageID)
            guard path != cachedPath else { throw error }
            context.note("image \(request.imageID) has moved to \(path): deploying again")
            return try deploy(request, imagePath: path)
        }
    }

    private func deploy(_ request: CreateRequest, imagePath: String) throws(DriverError) -> CloudNode {
        let org = try api.orgID()
        let password: String
        if let configured = context.config.string("serverPassword") {
            password = configured
        } else {
            password = try OpSourcePassword.generate()
        }
        context.redactor.add(password)
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Server xmlns="\(OpSourceNamespace.server)">\
            <name>\(XMLEscape.text(request.name))</name>\
            <description>\(XMLEscape.text(context.config.string("description") ?? "tmcloud"))</description>\
            <vlanResourcePath>\(XMLEscape.text("/oec/\(org)/network/\(vlanID)"))</vlanResourcePath>\
            <imageResourcePath>\(XMLEscape.text(imagePath))</imageResourcePath>\
            <administratorPassword>\(XMLEscape.text(password))</administratorPassword>\
            <isStarted>true</isStarted>\
            </Server>
            """
        var post = api.request(.post, try api.orgPath("server"), body: body)
        post.retryable = false
        let status = try api.sendRetryingInProgress(post, doing: "deploy server \(request.name)")
        context.note("deploy of \(request.name) accepted: \(status.summary)")

        let found = try findNew(named: request.name)
        _ = finishDeletions(found.all)
        guard let server = found.server else {
            // Never report "may have created" here: the deploy was accepted, and a
            // second one would make a second server. The next status shows it.
            throw DriverError(
                .cloud, "the deploy of \(request.name) was accepted but the server is not listed yet; it will show in the next status")
        }
        api.setSize(request.sizeID.isEmpty ? nil : request.sizeID, for: server.id)
        api.pruneSizes(keeping: Set(found.all.map(\.id)))
        return node(server)
    }

    /// The server just deployed under `name`, looked for until it shows in the listing
    /// (it normally does at once), with the listing it was found in. A server being
    /// deployed is preferred, then a sound one, and a failed one last (a deploy that
    /// failed at once is reported `destroyed`, and deleted by the next change).
    private func findNew(named name: String) throws(DriverError) -> (server: OpSourceServer?, all: [OpSourceServer]) {
        var poll = api.poller(budget: settleBudget)
        while true {
            let all = try api.servers()
            let candidates = all.filter { s in
                inPool(s) && s.name == name && s.action?.uppercased() != "DELETE_SERVER"
            }
            let sound = candidates.filter { $0.failureReason == nil }
            if let server = sound.first(where: { !$0.isDeployed }) ?? sound.last ?? candidates.last {
                return (server, all)
            }
            guard poll.next() else { return (nil, all) }
        }
    }

    /// The image's resource path: kept in the state file from an earlier deploy, else
    /// looked up in the base images, else in the organisation's own.
    func imageResourcePath(_ imageID: String) throws(DriverError) -> String {
        if let known = api.state.images[imageID] { return known }
        let path = try lookUpImagePath(imageID)
        api.setImagePath(path, for: imageID)
        return path
    }

    private func lookUpImagePath(_ imageID: String) throws(DriverError) -> String {
        let images = try api.baseImages()
        if let image = images.first(where: { $0.id == imageID }) {
            return image.resourcePath.isEmpty ? "/oec/base/image/\(imageID)" : image.resourcePath
        }
        if let image = try api.customerImages()?.first(where: { $0.id == imageID }) {
            return image.resourcePath.isEmpty ? "/oec/\(try api.orgID())/image/\(imageID)" : image.resourcePath
        }
        throw DriverError(.cloud, "image \(imageID) is neither a base image nor one of the organisation's images")
    }

    // MARK: - Power

    /// `destroy false`: a graceful shutdown, then a hard power-off when the server has
    /// not stopped within `gracefulStopBudget`. Where the API refuses the power-off
    /// because the shutdown is still running (REASON_392), the shutdown is left to
    /// finish: the server already reads `destroyed`, and waiting on would only spend
    /// the Traffic Manager's change timeout.
    func powerOff(id: String) throws(DriverError) -> DestroyOutcome {
        guard let server = try poolServer(id: id) else { return .alreadyGone }
        if case .failed = node(server).condition {
            // A failed server cannot be powered on again: delete it.
            return try destroyNode(id: id)
        }
        if let action = server.action?.uppercased(),
            ["DELETE_SERVER", "SHUTDOWN_SERVER", "POWER_OFF_SERVER"].contains(action)
        {
            return .started
        }
        if isStopped(server) { return .started }
        try api.operate("shutdown", serverID: id, doing: "shut down server \(id)")
        let stopped = try api.wait(for: id, budget: gracefulStopBudget) { s in s.map(isStopped) ?? true }
        if stopped.done { return .started }
        context.note("server \(id) did not shut down within \(Int(gracefulStopBudget)) s: powering it off")
        do {
            try api.operate("poweroff", serverID: id, doing: "power off server \(id)", retryingInProgress: false)
        } catch where error.message.containsUTF8(OpSourceAPI.operationInProgress) {
            context.note("the shutdown of \(id) is still in progress: leaving it to finish")
        }
        return .started
    }

    /// Deployed, not started, nothing in progress.
    func isStopped(_ server: OpSourceServer) -> Bool {
        server.isDeployed && !server.isStarted && server.action == nil
    }

    /// Powers a stopped server of the pool on again. OEC 0.9 cannot rename a server,
    /// so it keeps (and is reported under) the name it was deployed with.
    func reuse(_ node: CloudNode, as name: String) throws(DriverError) -> CloudNode {
        if node.name != name {
            context.note("OEC 0.9 cannot rename servers: \(node.id) keeps the name \(node.name)")
        }
        try api.operate("start", serverID: node.id, doing: "start server \(node.id)")
        var started = node
        started.record.status = .pending
        started.record.complete = 50
        started.condition = .normal
        return started
    }

    /// The server with this id, when it exists; one outside the pool's VLAN is refused,
    /// so that a stray id can never touch another system's server.
    func poolServer(id: String) throws(DriverError) -> OpSourceServer? {
        guard let server = try api.server(id: id) else { return nil }
        guard inPool(server) else {
            throw .usage("server \(id) (\(server.name)) is on network \(server.networkID), not on vlanID \(vlanID): not touching it")
        }
        return server
    }
}
