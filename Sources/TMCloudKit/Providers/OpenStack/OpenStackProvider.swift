import TMCloudJSON
import TMCloudTransport

/// Builds the openstack provider.
func makeOpenStackProvider(_ context: ProviderContext) throws(DriverError) -> any CloudProvider {
    OpenStackProvider(context: context)
}

/// OpenStack: Keystone v3 for the token and catalog, Nova for servers, Neutron for
/// networks and floating IPs.
///
/// The pool's servers are the ones whose metadata carries `tmcloud_tag=<tag>`. Nova's
/// list API cannot filter on metadata and its `name` filter is a regular expression,
/// so `status` lists `/servers/detail` (all pages) and keeps the tagged servers.
final class OpenStackProvider: CloudProvider {
    let context: ProviderContext
    let api: OpenStackAPI
    let names: OpenStackNames
    let floatingIPs: OpenStackFloatingIPs
    let tag: String
    /// Servers per listing page (`limit`). Nova lists every server of the project, not
    /// only the pool's, and an operator may raise its `max_limit` (1,000 by default)
    /// far beyond that: a page of 200 keeps a run's memory bounded (a reply of 1,000
    /// servers is 1.5 MB, and its tape as much again) whatever the project's size. The
    /// next page is asked for as soon as a page is checked, so the extra round trips
    /// overlap the reading of the page before. nil leaves it to Nova.
    var pageSize: Int? = 200
    /// False while `check` lists the servers: a check looks, it does not allocate.
    var finishesPendingWork = true

    init(context: ProviderContext) {
        self.context = context
        api = OpenStackAPI(context: context)
        names = OpenStackNames(api: api)
        tag = context.config.string("tag") ?? "tmcloud"
        floatingIPs = OpenStackFloatingIPs(api: api, names: names, tag: tag)
    }

    var usesFloatingIPs: Bool { context.config.string("floatingNetwork") != nil }

    // MARK: - Reading

    func listNodes() throws(DriverError) -> [CloudNode] {
        let path = "servers/detail" + (pageSize.map { "?limit=\($0)" } ?? "")
        var seen: Set<String> = []
        // A server can show up on two pages when the list changes under the markers.
        var servers: [OpenStackServer] = []
        try api.forEachPage(.compute, path, key: "servers", doing: "listing servers") { batch in
            for item in batch {
                if let server = OpenStackServer(item), server.tag == tag, seen.insert(server.id).inserted {
                    servers.append(server)
                }
            }
        }
        // Read once, not once per server: it is a lookup in the configuration.
        let usesFloatingIPs = usesFloatingIPs
        return servers.map { server in
            var server = server
            if usesFloatingIPs && finishesPendingWork && OpenStackFloatingIPs.isPending(server) {
                finishFloatingIP(for: &server)
            }
            if let fault = server.fault, OpenStackProvider.phase(of: server.status) == .failed {
                context.note("server \(server.id) (\(server.name)) is in ERROR: \(fault)")
            }
            return server.node(needsFloatingIP: usesFloatingIPs)
        }
    }

    func node(id: String) throws(DriverError) -> CloudNode? {
        guard let server = try fetchServer(id: id), server.tag == tag else { return nil }
        return server.node(needsFloatingIP: usesFloatingIPs)
    }

    /// One server, or nil on 404.
    func fetchServer(id: String) throws(DriverError) -> OpenStackServer? {
        let response = try api.send(.get, .compute, "servers/\(OpenStackURL.encode(id))")
        if response.status == 404 { return nil }
        guard response.status == 200 || response.status == 203 else {
            throw OpenStackError.reply(response, doing: "reading server \(id)")
        }
        let json = try context.jsonView(response, expecting: "the server reply")
        guard let server = json["server"].flatMap(OpenStackServer.init) else {
            throw .malformed("the reply for server \(id) has no server")
        }
        return server
    }

    /// A server of this configuration; a server without the tag is refused, so that a
    /// mistyped id cannot delete or stop someone else's server.
    private func ownServer(id: String) throws(DriverError) -> OpenStackServer? {
        guard let server = try fetchServer(id: id) else { return nil }
        guard server.tag == tag else {
            throw DriverError(
                .cloud,
                "server \(id) (\(server.name)) is not a node of this configuration"
                    + " (no \(OpenStackMetadata.tag)=\(tag) in its metadata)")
        }
        return server
    }

    /// Pending floating IP work; a failure is noted and left for a later run, never
    /// failing the listing.
    private func finishFloatingIP(for server: inout OpenStackServer) {
        do {
            if let address = try floatingIPs.attach(to: server) { server.floatingIPv4 = [address] }
        } catch {
            context.note("floating IP for server \(server.id) not done yet: \(error.message)")
        }
    }

    // MARK: - Creating

    func createNode(_ request: CreateRequest) throws(DriverError) -> CloudNode {
        guard !request.sizeID.isEmpty else { throw .usage("missing --sizeid (the flavor, by id or name)") }
        let spec = OpenStackServerSpec(
            name: request.name, imageRef: try names.imageID(request.imageID),
            flavorRef: try names.flavorID(request.sizeID),
            networkIDs: try context.config.list("network").map { (value) throws(DriverError) in
                try names.networkID(value, key: "network")
            },
            keyName: context.config.string("keyName"), securityGroups: context.config.list("securityGroups"),
            availabilityZone: context.config.string("availabilityZone"),
            userData: try context.readFile(key: "userDataFile"),
            metadata: [
                (OpenStackMetadata.tag, tag), (OpenStackMetadata.imageID, request.imageID),
                (OpenStackMetadata.sizeID, request.sizeID),
            ])
        if usesFloatingIPs {
            // Resolved now, so that the later run that allocates the IP finds it cached.
            _ = try floatingIPs.networkID()
        }
        let response = try api.send(.post, .compute, "servers", body: spec.body)
        guard (200..<300).contains(response.status) else {
            throw OpenStackError.reply(response, doing: "creating server \(request.name)")
        }
        let reply: JSONValue
        do {
            reply = try context.json(response, expecting: "the create reply")
        } catch {
            // Nova accepted it: the name lookup finds the server.
            throw DriverError(error.kind, error.message, mayHaveCreated: true)
        }
        guard let id = reply["server"]?["id"]?.scalarText else {
            throw DriverError(.malformedReply, "the create reply has no server id", mayHaveCreated: true)
        }
        context.note("Nova accepted server \(id) (\(request.name))")
        return CloudNode(
            NodeRecord(
                uniqID: id, name: request.name, status: .pending, complete: 0, imageID: request.imageID,
                sizeID: request.sizeID))
    }

    // MARK: - Destroying

    func destroyNode(id: String) throws(DriverError) -> DestroyOutcome {
        guard let server = try ownServer(id: id) else { return .alreadyGone }
        if usesFloatingIPs {
            // Released first: once the server is gone, nothing would point at it.
            try floatingIPs.release(for: server)
        }
        if server.taskState == "deleting" { return .started }
        if OpenStackProvider.phase(of: server.status) == .gone { return .alreadyGone }
        return try deleteServer(id: id)
    }

    /// A server the pool snapshot lists was seen with this pool's tag, and Nova never
    /// gives an id to a second server: it is deleted without a read, its floating IP
    /// released by the address the listing showed (when the driver gave it to this
    /// server). A failed server (whose floating IP Nova may no longer show), one listed
    /// without its floating IP, or one whose address now belongs to a floating IP
    /// the driver did not give it, is read first.
    func destroyNode(_ listed: ListedNode) throws(DriverError) -> DestroyOutcome {
        let addresses = listed.hint.split(separator: ",").map(String.init)
        guard listed.state != .failed, !usesFloatingIPs || !addresses.isEmpty else {
            return try destroyNode(id: listed.id)
        }
        if usesFloatingIPs, !(try floatingIPs.release(addresses: addresses, serverID: listed.id, onlyDescribed: true)) {
            return try destroyNode(id: listed.id)
        }
        return try deleteServer(id: listed.id)
    }

    /// `DELETE /servers/{id}`; a server already gone or on its way out is fine.
    private func deleteServer(id: String) throws(DriverError) -> DestroyOutcome {
        let response = try api.send(.delete, .compute, "servers/\(OpenStackURL.encode(id))")
        switch response.status {
        case 200..<300: return .started
        case 404: return .alreadyGone
        case 409:
            // Some states refuse a delete; one that is already on its way out is fine.
            guard let again = try fetchServer(id: id) else { return .alreadyGone }
            if again.taskState == "deleting" || OpenStackProvider.phase(of: again.status) == .gone {
                return .started
            }
            throw OpenStackError.reply(response, doing: "deleting server \(id) (\(again.status))")
        default:
            throw OpenStackError.reply(response, doing: "deleting server \(id)")
        }
    }

    func powerOff(id: String) throws(DriverError) -> DestroyOutcome {
        guard let server = try ownServer(id: id) else { return .alreadyGone }
        if server.isEnding {
            // A failed server is deleted, as failed nodes always are; one being deleted is done.
            return OpenStackProvider.phase(of: server.status) == .failed
                ? try destroyNode(id: id) : .alreadyGone
        }
        if server.taskState == "powering-off" { return .started }
        if Self.isStoppedOrStopping(server) { return .alreadyGone }
        let response = try action(["os-stop": nil], on: id)
        switch response.status {
        case 200..<300: return .started
        case 404: return .alreadyGone
        case 409:
            // Nova refuses to stop a server that is stopped or stopping already: done.
            guard let again = try fetchServer(id: id) else { return .alreadyGone }
            if Self.isStoppedOrStopping(again) || again.isEnding { return .alreadyGone }
            throw OpenStackError.reply(response, doing: "stopping server \(id) (\(again.status))")
        default:
            throw OpenStackError.reply(response, doing: "stopping server \(id)")
        }
    }

    func reuse(_ node: CloudNode, as name: String) throws(DriverError) -> CloudNode {
        let id = node.id
        if node.name != name {
            // Renamed before the start, so that a start that fails leaves a stopped
            // server under the name the next createnode looks for.
            let body: JSONValue = ["server": ["name": .string(name)]]
            let renamed = try api.send(.put, .compute, "servers/\(OpenStackURL.encode(id))", body: body)
            guard renamed.isSuccess else {
                throw OpenStackError.reply(renamed, doing: "renaming server \(id) to \(name)")
            }
        }
        let response = try action(["os-start": nil], on: id)
        if response.status == 409 {
            // Refused because it is running or starting already: that is what was wanted.
            guard let again = try fetchServer(id: id), !again.isEnding,
                OpenStackProvider.phase(of: again.status) == .running || again.taskState == "powering-on"
            else { throw OpenStackError.reply(response, doing: "starting server \(id)") }
        } else if !response.isSuccess {
            throw OpenStackError.reply(response, doing: "starting server \(id)")
        }
        var record = node.record
        record.name = name
        record.status = .pending
        record.complete = 10
        return CloudNode(record)
    }

    /// `POST /servers/{id}/action`; power actions are harmless to repeat.
    private func action(_ body: JSONValue, on id: String) throws(DriverError) -> HTTPResponse {
        try api.send(.post, .compute, "servers/\(OpenStackURL.encode(id))/action", body: body, retryable: true)
    }

    private static func isStoppedOrStopping(_ server: OpenStackServer) -> Bool {
        OpenStackProvider.phase(of: server.status) == .stopped && server.taskState != "powering-on"
            || server.taskState == "powering-off"
    }
}
