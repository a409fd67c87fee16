import Synchronization

/// What every emulated cloud offers: serving on loopback, its request log, its faults
/// and its inventory.
public protocol CloudEmulator: AnyObject, Sendable {
    var core: EmulatorCore { get }
    /// Answers one request (faults already applied by the caller).
    func route(_ request: HTTPRequest) -> HTTPResponse
    /// The cloud's own body for an injected error or 429.
    func faultReply(_ fault: InjectedFault, for request: HTTPRequest) -> HTTPResponse
    /// Everything that exists now.
    func inventory() -> Inventory
}

/// The parts every emulator shares: time, log, faults and the HTTP server.
public final class EmulatorCore: Sendable {
    public let name: String
    public let time: TimeSource
    public let requestLog = RequestLog()
    let faults: FaultInjector
    private let server = Mutex<HTTPServer?>(nil)
    private let base = Mutex<String>("http://127.0.0.1:0")

    init(name: String, time: TimeSource, faults: FaultPlan) {
        self.name = name
        self.time = time
        self.faults = FaultInjector(plan: faults, label: name)
    }

    /// `http://127.0.0.1:PORT` once started (`https` when serving TLS).
    public var baseURL: String { base.withLock { $0 } }

    fileprivate func attach(_ newServer: HTTPServer, port: UInt16) {
        server.withLock { $0 = newServer }
        base.withLock { $0 = "\(newServer.scheme)://127.0.0.1:\(port)" }
    }

    fileprivate func detach() -> HTTPServer? {
        server.withLock { server in
            defer { server = nil }
            return server
        }
    }
}

extension CloudEmulator {
    public var baseURL: String { core.baseURL }
    public var requestLog: RequestLog { core.requestLog }
    public var time: TimeSource { core.time }

    /// The fault plan; setting it restarts its random streams from its seed.
    public var faultPlan: FaultPlan {
        get { core.faults.plan }
        set { core.faults.plan = newValue }
    }

    /// The next `count` builds fail, whatever the plan says.
    public func failNextBuilds(_ count: Int) { core.faults.failNextBuilds(count) }

    /// Serves on 127.0.0.1 (`port` 0 picks a free one), over HTTPS with `tls`, and
    /// returns the base URL.
    @discardableResult
    public func start(port: UInt16 = 0, tls: TLSIdentity? = nil) throws -> String {
        stop()
        let server = HTTPServer(tls: tls) { [weak self] request in
            guard let self else { return .close }
            return self.dispatch(request)
        }
        let bound = try server.start(port: port)
        core.attach(server, port: bound)
        return core.baseURL
    }

    /// Closes the listener and all connections.
    public func stop() { core.detach()?.stop() }

    /// Applies faults, routes, and logs one request.
    func dispatch(_ request: HTTPRequest) -> HTTPServer.Disposition {
        let started = WallClock.monotonic
        let arrivedAt = core.time.now
        let (latency, fault) = core.faults.decide(for: request)
        WallClock.sleep(seconds: latency)
        let status: Int?
        let disposition: HTTPServer.Disposition
        switch fault {
        case .drop:
            status = nil
            disposition = .close
        case .hang(let seconds):
            status = nil
            disposition = .hang(seconds: seconds)
        case .throttle, .error:
            let reply = faultReply(fault!, for: request)
            status = reply.status
            disposition = .respond(reply)
        case .dropAfterReply:
            status = nil
            disposition = .respondPartlyThenClose(route(request))
        case nil:
            let reply = route(request)
            status = reply.status
            disposition = .respond(reply)
        }
        core.requestLog.append(RequestLogEntry(
            method: request.method, target: request.target, path: request.path, status: status,
            latency: WallClock.monotonic - started, virtualTime: arrivedAt,
            body: request.isMutating && !request.body.isEmpty ? request.bodyText : nil,
            fault: fault?.label))
        return disposition
    }
}
