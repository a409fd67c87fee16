/// Injects the driver-run faults of a plan in front of any transport, so that every
/// cloud (model, emulated) shows the Traffic Manager the same failures: runs that fail,
/// hang, or print garbage. A hanging createnode or destroynode still reaches the cloud
/// (the change may have happened although the run was killed), as it can in life.
public final class FaultyTransport: DriverTransport {
    public let inner: any DriverTransport
    private let faults: SimulatedFaults
    private let clock: any SimulationClock
    private let start: Double
    private var random: SimulationRandom
    private var fired: Set<Int> = []

    public init(_ inner: any DriverTransport, faults: SimulatedFaults, clock: any SimulationClock, seed: UInt64) {
        self.inner = inner
        self.faults = faults
        self.clock = clock
        start = clock.now
        random = SimulationRandom(seed: seed ^ 0xFA17)
    }

    public var label: String { inner.label }

    public func execute(arguments: [String], timeout: Double) -> DriverExecution {
        let t = clock.now - start
        let action = arguments.first ?? ""
        let hung = DriverExecution(exitStatus: 137, timedOut: true, stdout: [], wallSeconds: 0)
        switch action {
        case "status":
            if fires(.statusHang, at: t) { return hung }
            if fires(.statusGarbage, at: t) {
                return DriverExecution(exitStatus: 0, stdout: Array("<html><body>502 Bad Gateway</body></html>\n".utf8))
            }
            if chance(.statusFail) { return failed("status", "HTTP 503: service unavailable") }
        case "createnode":
            if fires(.createHang, at: t) {
                _ = inner.execute(arguments: arguments, timeout: timeout)
                return hung
            }
            if chance(.createFail) { return failed("createnode", "HTTP 422: droplet limit reached") }
        case "destroynode":
            if fires(.destroyHang, at: t) {
                _ = inner.execute(arguments: arguments, timeout: timeout)
                return hung
            }
            if chance(.destroyFail) { return failed("destroynode", "HTTP 500: internal error") }
        default:
            break
        }
        return inner.execute(arguments: arguments, timeout: timeout)
    }

    private func fires(_ kind: SimulatedFaults.Timed, at t: Double) -> Bool {
        for (index, fault) in faults.timed.enumerated() where fault.kind == kind && fault.at <= t {
            if fired.insert(index).inserted { return true }
        }
        return false
    }

    private func chance(_ kind: SimulatedFaults.Chance) -> Bool {
        guard let p = faults.chances[kind], p > 0 else { return false }
        return random.unit() < p
    }

    private func failed(_ action: String, _ message: String) -> DriverExecution {
        DriverExecution(exitStatus: 1, stdout: [], stderr: Array("tmcloud: \(action): \(message)\n".utf8))
    }
}
