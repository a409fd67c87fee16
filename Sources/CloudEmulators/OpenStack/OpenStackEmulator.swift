import Synchronization
import TMCloudJSON

/// OpenStack: Keystone v3 tokens, Nova (compute v2.1), Neutron (v2.0) and the image
/// API, all on one port under `/identity`, `/compute/v2.1`, `/network/v2.0` and `/image/v2`.
public final class OpenStackEmulator: CloudEmulator {
    public struct Options: Sendable {
        public var userName = "tmcloud"
        public var userID = "9a1d0f52c6b84a8c9e1f2d3c4b5a6978"
        public var userDomainName = "Default"
        public var userDomainID = "default"
        public var password = "os-test-password"
        public var projectName = "tmcloud"
        public var projectID = "5b2f7c1e0d9a4e3f8b6a1c2d3e4f5a6b"
        public var projectDomainName = "Default"
        public var projectDomainID = "default"
        public var applicationCredentialID = "a4c1e8d2f3b54a6c9d7e0f1a2b3c4d5e"
        public var applicationCredentialSecret = "os-app-secret"
        public var regions = ["RegionOne", "RegionTwo"]
        /// Token lifetime in seconds of the time source.
        public var tokenLifetime: Double = 3600
        /// The start of every token issued: tests put a marker here to prove that no
        /// token reaches a log or an output.
        public var tokenPrefix = "gAAAAAB"
        /// Seconds from create until ACTIVE (unless the fault plan draws boot times).
        public var bootDelay: Double = 15
        /// Seconds for os-start / os-stop to finish.
        public var actionDelay: Double = 4
        /// Seconds a deleted server stays with task_state `deleting`.
        public var deleteDelay: Double = 3
        /// Seconds after create until the server's port is listed.
        public var portDelay: Double = 2
        /// Whether the compute URL in the catalog ends in the project id.
        public var computeURLIncludesProject = true
        public var seed: UInt64 = 11
        public init() {}
    }

    public let core: EmulatorCore
    let catalog = OpenStackCatalog()
    let options: Mutex<Options>
    let state: Mutex<OpenStackState>

    public init(time: TimeSource = .real, options: Options = Options(), faults: FaultPlan = .none) {
        core = EmulatorCore(name: "openstack", time: time, faults: faults)
        self.options = Mutex(options)
        state = Mutex(OpenStackState(random: SeededRandom(seed: options.seed)))
    }

    var settings: Options { options.withLock { $0 } }

    /// The Keystone v3 URL to authenticate against.
    public var authURL: String { "\(baseURL)/identity/v3" }

    // MARK: - Admin API

    /// Revokes every token issued so far: Nova and Neutron answer 401 to them.
    public func revokeAllTokens() { state.withLock { $0.tokens.removeAll() } }

    public func setTokenLifetime(_ seconds: Double) { options.withLock { $0.tokenLifetime = seconds } }
    public func setBootDelay(_ seconds: Double) { options.withLock { $0.bootDelay = seconds } }
    public func setDeleteDelay(_ seconds: Double) { options.withLock { $0.deleteDelay = seconds } }
    public func setActionDelay(_ seconds: Double) { options.withLock { $0.actionDelay = seconds } }
    public func setPortDelay(_ seconds: Double) { options.withLock { $0.portDelay = seconds } }

    /// Adds `count` servers that already exist (not created through the API), ACTIVE
    /// (or `vmState` "stopped"/"error"), with `metadata`. Returns their ids.
    @discardableResult
    public func seedServers(
        count: Int, namePrefix: String = "seeded", metadata: [String: String] = [:], vmState: String = "active",
        network: String = "private"
    ) -> [String] {
        guard let networkEntry = catalog.network(network) else {
            preconditionFailure("seedServers: unknown network \(network)")
        }
        let now = time.now
        return state.withLock { state in
            (0..<count).map { index in
                var object = JSONObject()
                for key in metadata.keys.sorted() { object[key] = .string(metadata[key]!) }
                let server = addServer(
                    &state, name: "\(namePrefix)-\(index + 1)", image: catalog.images[0], flavor: catalog.flavors[1],
                    networks: [networkEntry], metadata: object, keyName: nil, securityGroups: ["default"],
                    now: now - 3600, bootSeconds: 0, fails: vmState == "error", throughAPI: false)
                state.servers[server.id]?.vmState = vmState
                if vmState == "error" {
                    state.servers[server.id]?.fault = .init(code: 500, message: "No valid host was found.", created: now - 3600)
                }
                return server.id
            }
        }
    }

    /// Puts a server into ERROR with a fault, as a failed build or host failure would.
    public func makeServerError(id: String, message: String = "No valid host was found.") {
        let now = time.now
        state.withLock { state in
            settle(&state, now: now)
            state.servers[id]?.vmState = "error"
            state.servers[id]?.pendingTask = nil
            state.servers[id]?.fault = .init(code: 500, message: message, created: now)
        }
    }

    public func inventory() -> Inventory {
        let now = time.now
        return state.withLock { state in
            settle(&state, now: now)
            let servers = state.servers.values.sorted { $0.createdAt < $1.createdAt }.map {
                InventoryItem(
                    kind: "server", id: $0.id, name: $0.name, createdThroughAPI: $0.createdThroughAPI,
                    destroyRequested: $0.deleteRequestedAt != nil)
            }
            let addresses = state.floatingIPs.values.sorted { $0.createdAt < $1.createdAt }.map {
                InventoryItem(
                    kind: "floatingip", id: $0.id, name: $0.address, createdThroughAPI: $0.createdThroughAPI,
                    destroyRequested: false)
            }
            return Inventory(items: servers + addresses)
        }
    }

    // MARK: - Lifecycle

    func addServer(
        _ state: inout OpenStackState, name: String, image: OSImage, flavor: OSFlavor, networks: [OSNetwork],
        metadata: JSONObject, keyName: String?, securityGroups: [String], now: Double, bootSeconds: Double,
        fails: Bool, throughAPI: Bool
    ) -> NovaServer {
        let server = NovaServer(
            id: state.random.uuid(), name: name, imageID: image.id, flavorID: flavor.id, networkIDs: networks.map(\.id),
            metadata: metadata, keyName: keyName, securityGroups: securityGroups, availabilityZone: "nova",
            createdAt: now, updatedAt: now, readyAt: now + bootSeconds, buildFails: fails,
            vmState: bootSeconds > 0 ? "building" : "active", pendingTask: nil, deleteRequestedAt: nil, fault: nil,
            createdThroughAPI: throughAPI)
        state.servers[server.id] = server
        let portDelay = min(settings.portDelay, bootSeconds)
        for network in networks {
            let host = state.nextHost()
            let port = NeutronPort(
                id: state.random.uuid(), networkID: network.id, deviceID: server.id,
                macAddress: "fa:16:3e:\(state.random.hex(2)):\(state.random.hex(2)):\(state.random.hex(2))",
                ipAddress: "\(network.prefix).\(host / 250).\(host % 250 + 2)", createdAt: now,
                visibleAt: now + portDelay)
            state.ports[port.id] = port
        }
        return server
    }

    /// Applies every transition due by `now`.
    func settle(_ state: inout OpenStackState, now: Double) {
        let deleteDelay = settings.deleteDelay
        // Most requests find nothing due: look first, copy and write back only those.
        let due = state.servers.values.filter { server in
            (server.vmState == "building" && server.readyAt <= now)
                || (server.pendingTask.map { $0.completesAt <= now } ?? false)
                || (server.deleteRequestedAt.map { $0 + deleteDelay <= now } ?? false)
        }
        for var server in due {
            if server.vmState == "building" && server.readyAt <= now {
                server.updatedAt = server.readyAt
                if server.buildFails {
                    server.vmState = "error"
                    server.fault = .init(
                        code: 500, message: "No valid host was found. There are not enough hosts available.",
                        created: server.readyAt)
                    removePorts(of: server.id, state: &state)
                } else {
                    server.vmState = "active"
                }
            }
            if let task = server.pendingTask, task.completesAt <= now {
                server.vmState = task.resultingVMState
                server.pendingTask = nil
                server.updatedAt = task.completesAt
            }
            if let requested = server.deleteRequestedAt, requested + deleteDelay <= now {
                removePorts(of: server.id, state: &state)
                state.servers[server.id] = nil
                continue
            }
            state.servers[server.id] = server
        }
    }

    /// Deletes a server's ports; Neutron then disassociates their floating IPs.
    private func removePorts(of serverID: String, state: inout OpenStackState) {
        for port in state.ports.values where port.deviceID == serverID {
            state.ports[port.id] = nil
            for address in state.floatingIPs.values where address.portID == port.id {
                state.floatingIPs[address.id]?.portID = nil
                state.floatingIPs[address.id]?.fixedIP = nil
            }
        }
    }

    // MARK: - Routing

    public func route(_ request: HTTPRequest) -> HTTPResponse {
        let segments = request.pathSegments
        let now = time.now
        if segments.first == "identity" || segments.first == "v3" {
            let rest = segments.first == "identity" ? Array(segments.dropFirst()) : segments
            return routeKeystone(request, segments: rest, now: now)
        }
        guard let token = request.header("x-auth-token"), validToken(token, now: now) else {
            return Self.unauthorized()
        }
        switch segments.first {
        case "compute":
            guard segments.count >= 2, segments[1] == "v2.1" else { return novaNotFound() }
            var rest = Array(segments.dropFirst(2))
            if rest.first == settings.projectID { rest.removeFirst() }
            return state.withLock { state in
                settle(&state, now: now)
                return routeNova(request, segments: rest, state: &state, now: now)
            }
        case "network":
            guard segments.count >= 2, segments[1] == "v2.0" else { return neutronError(404, "NotFound", "Not found.") }
            return state.withLock { state in
                settle(&state, now: now)
                return routeNeutron(request, segments: Array(segments.dropFirst(2)), state: &state, now: now)
            }
        case "image":
            guard segments.count >= 2, segments[1] == "v2" else { return .text(404, "404 Not Found") }
            return routeImages(request, segments: Array(segments.dropFirst(2)))
        default:
            return .text(404, "404 Not Found")
        }
    }

    func validToken(_ token: String, now: Double) -> Bool {
        state.withLock { state in
            guard let known = state.tokens[token] else { return false }
            return known.scoped && known.expiresAt > now
        }
    }

    static func unauthorized() -> HTTPResponse {
        .json(401, ["error": [
            "code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized",
        ]])
    }

    public func faultReply(_ fault: InjectedFault, for request: HTTPRequest) -> HTTPResponse {
        switch fault {
        case .throttle(let retryAfter):
            var reply = HTTPResponse.json(429, ["overLimit": ["code": 429, "message": "Rate limit exceeded.", "retryAfter": .string(String(retryAfter))]])
            reply.setHeader("Retry-After", String(retryAfter))
            return reply
        case .error(let status):
            let name = status == 503 ? "serviceUnavailable" : "computeFault"
            return .json(status, [name: ["code": status.json, "message": "The server has either erred or is incapable of performing the requested operation."]])
        default:
            return .json(500, ["computeFault": ["code": 500, "message": "Unexpected error."]])
        }
    }
}
