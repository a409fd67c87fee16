import Foundation
import Synchronization

/// OpSource / Dimension Data OEC 0.9 XML API: account, images, networks, server
/// lists, deploy, and the power/delete actions, with asynchronous operations.
public final class OpSourceEmulator: CloudEmulator {
    public struct Options: Sendable {
        public var userName = "tmcloud"
        public var password = "oec-test-password"
        public var orgID = "8a8f6abc-2745-4d8a-9cbc-8dabe5a7d0e4"
        /// Seconds from deploy until the server is deployed (unless the fault plan draws boot times).
        public var deployDelay: Double = 30
        /// Seconds for start / shutdown / poweroff / restart.
        public var actionDelay: Double = 8
        /// Seconds from `?delete` until the server is gone.
        public var deleteDelay: Double = 8
        /// Whether `?delete` of a running server is refused (as MCP 2 does).
        public var deleteRequiresStopped = true
        /// false: `serverWithState` answers 404, as on accounts without it.
        public var serverWithStateEnabled = true
        /// The prefix of the directory namespace in `myaccount` (the live service used
        /// ns2 where libcloud's fixture has ns3).
        public var directoryPrefix = "ns3"
        public var seed: UInt64 = 5
        public init() {}
    }

    public let core: EmulatorCore
    let catalog = OpSourceCatalog()
    let options: Mutex<Options>
    let state: Mutex<OpSourceState>

    public init(time: TimeSource = .real, options: Options = Options(), faults: FaultPlan = .none) {
        core = EmulatorCore(name: "opsource", time: time, faults: faults)
        self.options = Mutex(options)
        state = Mutex(OpSourceState(random: SeededRandom(seed: options.seed)))
    }

    var settings: Options { options.withLock { $0 } }

    // MARK: - Admin API

    public func setDeployDelay(_ seconds: Double) { options.withLock { $0.deployDelay = seconds } }
    public func setActionDelay(_ seconds: Double) { options.withLock { $0.actionDelay = seconds } }
    public func setDeleteDelay(_ seconds: Double) { options.withLock { $0.deleteDelay = seconds } }
    public func setDeleteRequiresStopped(_ required: Bool) { options.withLock { $0.deleteRequiresStopped = required } }
    public func setServerWithStateEnabled(_ enabled: Bool) { options.withLock { $0.serverWithStateEnabled = enabled } }

    /// Adds deployed servers (not created through the API). Returns their ids.
    @discardableResult
    public func seedServers(count: Int, namePrefix: String = "seeded", started: Bool = true) -> [String] {
        let now = time.now
        return state.withLock { state in
            (0..<count).map { index in
                var server = makeServer(
                    &state, name: "\(namePrefix)-\(index + 1)", description: "seeded", image: catalog.images[0],
                    network: catalog.networks[0], start: started, now: now - 3600, throughAPI: false)
                server.isDeployed = true
                server.isStarted = started
                server.deployedAt = now - 3000
                state.servers.append(server)
                return server.id
            }
        }
    }

    /// Leaves the server locked after a failed operation, with this `failureReason`.
    public func failServer(id: String, reason: String = "Operation failed: the hypervisor did not respond.") {
        let now = time.now
        let user = settings.userName
        state.withLock { state in
            settle(&state, now: now)
            guard let index = state.servers.firstIndex(where: { $0.id == id }) else { return }
            var operation = state.servers[index].operation ?? OECServer.Operation(
                action: "START_SERVER", requestTime: now, completesAt: now, userName: user, numberOfSteps: 2,
                failureReason: nil, failsOnCompletion: false)
            operation.failureReason = reason
            state.servers[index].operation = operation
        }
    }

    public func inventory() -> Inventory {
        let now = time.now
        return state.withLock { state in
            settle(&state, now: now)
            return Inventory(items: state.servers.map {
                InventoryItem(
                    kind: "server", id: $0.id, name: $0.name, createdThroughAPI: $0.createdThroughAPI,
                    destroyRequested: $0.deleteRequested)
            })
        }
    }

    // MARK: - Lifecycle

    func makeServer(
        _ state: inout OpSourceState, name: String, description: String, image: OECImage, network: OECNetwork,
        start: Bool, now: Double, throughAPI: Bool
    ) -> OECServer {
        state.nextHost += 1
        let host = state.nextHost
        let base = network.privateNet.split(separator: ".").prefix(2).joined(separator: ".")
        let third = (Int(network.privateNet.split(separator: ".")[2]) ?? 0) + host / 250
        let privateIP = "\(base).\(third).\(host % 250 + 2)"
        return OECServer(
            id: state.random.uuid(), name: name, description: description, image: image, networkID: network.id,
            privateIP: privateIP, machineName: privateIP.replacingOccurrences(of: ".", with: "-"),
            isStarted: false, startAfterDeploy: start, isDeployed: false, createdAt: now, deployedAt: nil,
            operation: nil, createdThroughAPI: throughAPI, deleteRequested: false)
    }

    /// Finishes (or fails) every operation due by `now`.
    func settle(_ state: inout OpSourceState, now: Double) {
        var deleted: Set<String> = []
        // In place: most requests find nothing due, and copying every server is not free.
        for index in state.servers.indices {
            guard var operation = state.servers[index].operation, operation.failureReason == nil,
                  operation.completesAt <= now
            else { continue }
            if operation.failsOnCompletion {
                operation.failureReason = "Failed to deploy the server: no capacity in the data center."
                state.servers[index].operation = operation
                continue
            }
            state.servers[index].operation = nil
            switch operation.action {
            case "DEPLOY_SERVER":
                state.servers[index].isDeployed = true
                state.servers[index].isStarted = state.servers[index].startAfterDeploy
                state.servers[index].deployedAt = operation.completesAt
            case "START_SERVER", "RESTART_SERVER": state.servers[index].isStarted = true
            case "SHUTDOWN_SERVER", "POWER_OFF_SERVER": state.servers[index].isStarted = false
            case "DELETE_SERVER": deleted.insert(state.servers[index].id)
            default: break
            }
        }
        if !deleted.isEmpty { state.servers.removeAll { deleted.contains($0.id) } }
    }

    // MARK: - Routing

    public func route(_ request: HTTPRequest) -> HTTPResponse {
        let o = settings
        guard authorized(request, o) else {
            var reply = HTTPResponse.text(401, "Unauthorized")
            reply.setHeader("WWW-Authenticate", #"Basic realm="OEC API""#)
            return reply
        }
        let segments = request.pathSegments
        guard segments.count >= 3, segments[0] == "oec", segments[1] == "0.9" else { return .text(404, "Not Found") }
        let rest = Array(segments.dropFirst(2))
        let r = RouteMatcher(method: request.method, segments: rest)
        if r.on("GET", "myaccount") != nil { return .xml(200, accountXML(o)) }
        if r.on("GET", "base/image") != nil { return .xml(200, imagesXML()) }
        guard rest.first == o.orgID else {
            return statusReply(403, prefix: "ns4", operation: "Authorize", result: "ERROR", code: "REASON_2",
                               detail: "Organization \(rest.first ?? "") is not accessible to user \(o.userName)")
        }
        let now = time.now
        return state.withLock { state in
            settle(&state, now: now)
            let orgRoute = RouteMatcher(method: request.method, segments: Array(rest.dropFirst()))
            if orgRoute.on("GET", "networkWithLocation") != nil { return .xml(200, networksXML()) }
            if orgRoute.on("GET", "server/deployed") != nil { return .xml(200, deployedXML(state, now: now)) }
            if orgRoute.on("GET", "server/pendingDeploy") != nil { return .xml(200, pendingXML(state, now: now)) }
            if orgRoute.on("GET", "serverWithState") != nil {
                guard o.serverWithStateEnabled else { return .text(404, "Not Found") }
                return serversWithStateReply(request, state: state, now: now)
            }
            if orgRoute.on("POST", "server") != nil { return deploy(request, state: &state, now: now) }
            if let captured = orgRoute.on("GET", "server/*") {
                return serverAction(request, id: captured[0], state: &state, now: now)
            }
            return .text(404, "Not Found")
        }
    }

    private func authorized(_ request: HTTPRequest, _ o: Options) -> Bool {
        guard let header = request.header("authorization"), header.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingSpaces()),
              let pair = String(data: data, encoding: .utf8)
        else { return false }
        return pair == "\(o.userName):\(o.password)"
    }

    /// A `general` Status document. The prefix differs between kinds of reply, as the
    /// live service's did: clients must match by namespace URI, not by prefix.
    func statusReply(
        _ httpStatus: Int, prefix: String, operation: String, result: String, code: String, detail: String
    ) -> HTTPResponse {
        let p = prefix
        let others = [("ns2", OECNamespace.directory), ("ns3", OECNamespace.organization), ("ns8", OECNamespace.datacenter)]
            .filter { $0.0 != p }
        let xml = OECXML.declaration
            + "<\(p):Status\(OECXML.declarations(others + [(p, OECNamespace.general)]))>"
            + OECXML.element("\(p):operation", operation) + OECXML.element("\(p):result", result)
            + OECXML.element("\(p):resultDetail", detail) + OECXML.element("\(p):resultCode", code)
            + "</\(p):Status>"
        return .xml(httpStatus, xml)
    }

    public func faultReply(_ fault: InjectedFault, for request: HTTPRequest) -> HTTPResponse {
        switch fault {
        case .throttle(let retryAfter):
            var reply = HTTPResponse.text(429, "Too Many Requests")
            reply.setHeader("Retry-After", String(retryAfter))
            return reply
        case .error(let status):
            return .text(status, "<html><body><h1>\(status) \(HTTPResponse.reason(status))</h1></body></html>")
        default:
            return .text(500, "Internal Server Error")
        }
    }
}
