import CloudEmulators
import Synchronization
import TMCloudJSON
import TMCloudTestSupport
import TMCloudTransport

@testable import TMCloudKit

/// The retry loop's clock for in-process tests: a wait moves the emulator's virtual
/// clock (and the deadline's view of time) instead of sleeping.
final class EmulatedTimeRetryClock: RetryClock, @unchecked Sendable {
    private let clock: VirtualClock
    private var slept: Double = 0

    init(_ clock: VirtualClock) { self.clock = clock }

    func now() -> Double { ProcessClock.seconds() + slept }
    func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        slept += seconds
        clock.advance(by: seconds)
    }
    func random() -> Double { 0.5 }
}

/// A transport that calls `hook` after each exchange, so that a test can change the
/// emulator's faults between two requests of one action; it keeps the order of sends
/// and requests asked for ahead ("send URL", "ahead URL").
final class HookedTransport: HTTPTransport, @unchecked Sendable {
    private let inner: CurlTransport
    private let hook: (TMCloudTransport.HTTPRequest, Int) -> Void
    private var exchanges = 0
    private(set) var calls: [String] = []

    init(hook: @escaping (TMCloudTransport.HTTPRequest, Int) -> Void = { _, _ in }) throws {
        inner = try CurlTransport()
        self.hook = hook
    }

    func send(_ request: TMCloudTransport.HTTPRequest, timeout: Double) throws(TransportError)
        -> TMCloudTransport.HTTPResponse
    {
        exchanges += 1
        calls.append("send \(request.url)")
        defer { hook(request, exchanges) }
        return try inner.send(request, timeout: timeout)
    }

    func prefetch(_ request: TMCloudTransport.HTTPRequest, timeout: Double) {
        calls.append("ahead \(request.url)")
        inner.prefetch(request, timeout: timeout)
    }
}

/// Collects the provider's `--verbose` notes.
final class NoteSink: @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// An emulated DigitalOcean on loopback and providers that talk to it.
final class DigitalOceanBench: @unchecked Sendable {
    static let token = "do-test-token"

    let clock = VirtualClock()
    let emulator: DigitalOceanEmulator
    let baseURL: String

    /// `virtualTime` false runs the emulator on the wall clock, for the `tmcloud`
    /// binary, whose waits are real.
    init(virtualTime: Bool = true, bootDelay: Double = 20, actionDelay: Double = 5) throws {
        var options = DigitalOceanEmulator.Options()
        options.tokens = [Self.token]
        options.bootDelay = bootDelay
        options.actionDelay = actionDelay
        emulator = DigitalOceanEmulator(time: virtualTime ? .virtual(clock) : .real, options: options)
        baseURL = try emulator.start()
    }

    deinit { emulator.stop() }

    /// The configuration lines every test starts from.
    func configLines(_ extra: [String] = []) -> [String] {
        let given = Set(extra.map { $0.split(separator: " ").first.map(String.init) ?? "" })
        let defaults = ["apiHost \(baseURL)", "region lon1", "timeout 2"].filter {
            !given.contains(String($0.split(separator: " ")[0]))
        }
        return defaults + extra
    }

    /// A provider over real HTTP to the emulator; waits move the virtual clock.
    func provider(
        _ extra: [String] = [], token: String = token, deadline: Double = 20, imageID: String = "",
        sizeID: String = "", transport: (any HTTPTransport)? = nil, notes: NoteSink? = nil
    ) throws -> (DigitalOceanProvider, ProviderContext) {
        let parsed = try DriverConfig.parse(lines: ["provider digitalocean"] + configLines(extra), path: "do.cfg")
        let credentials = Credentials(cred1: "do.cfg", cred2: token, cred3: "", objectName: "bench")
        let redactor = Redactor()
        redactor.add(token)
        let retryClock = EmulatedTimeRetryClock(clock)
        let client = APIClient(
            transport: try transport ?? CurlTransport(), requestTimeout: 2, deadline: retryClock.now() + deadline,
            clock: retryClock)
        let context = ProviderContext(
            config: parsed, credentials: credentials, home: ZeusHome(path: "/nonexistent"), client: client,
            redactor: redactor, note: { line in notes?.add(line) })
        context.requestedImageID = imageID
        context.requestedSizeID = sizeID
        return (try DigitalOceanProvider(context), context)
    }

    /// Requests the emulator has served since the last `resetLog()`.
    var requests: [RequestLogEntry] { emulator.requestLog.all }
    func resetLog() { emulator.requestLog.clear() }

    /// Droplets that exist now, by name.
    func dropletNames() -> [String] {
        emulator.inventory().of(kind: "droplet").map(\.name).sorted()
    }

    // MARK: - The tmcloud binary

    /// A ZEUSHOME with a credentials object `do` whose cred1 is a configuration for
    /// this emulator.
    func zeusHome(_ extra: [String] = [], token: String = token) -> ZeusHomeFixture {
        let home = ZeusHomeFixture()
        home.addExtraFile("do.cfg", (["provider digitalocean"] + configLines(extra)).joined(separator: "\n") + "\n")
        home.addCredentials("do", cred1: "do.cfg", cred2: token)
        return home
    }
}
