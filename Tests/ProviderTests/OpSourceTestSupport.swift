import CloudEmulators
import Foundation
import Synchronization
import TMCloudTestSupport
import TMCloudTransport

@testable import TMCloudKit

/// The emulated OEC 0.9 cloud on a virtual clock, with a Traffic Manager home, for
/// running the provider in-process or the built `tmcloud` against it.
final class OpSourceCloud {
    static let org = "8a8f6abc-2745-4d8a-9cbc-8dabe5a7d0e4"
    static let vlan = "53b4c05b-341e-4ac3-b688-bdd74e53ca9b"
    static let otherVLAN = "0ffd2bb0-0b5c-4f1e-8c5a-3a6b2f1e0d02"
    static let image = "52ed8b72-ebea-11df-bdc1-001517c46384"
    static let user = "tmcloud"
    static let password = "oec-test-password"

    let clock = VirtualClock()
    let emulator: OpSourceEmulator
    let base: String
    let home = ZeusHomeFixture()

    init(options: OpSourceEmulator.Options = .init()) throws {
        emulator = OpSourceEmulator(time: .virtual(clock), options: options)
        base = try emulator.start()
    }

    deinit { emulator.stop() }

    var log: RequestLog { emulator.requestLog }

    /// A configuration file's lines: the emulator, the pool's VLAN, a short timeout.
    func config(_ extra: [String] = [], vlan: String = OpSourceCloud.vlan) -> [String] {
        ["user \(Self.user)", "apiHost \(base)", "vlanID \(vlan)", "timeout 2"] + extra
    }

    /// A provider talking to the emulator, with quick polling.
    func provider(
        _ extra: [String] = [], vlan: String = OpSourceCloud.vlan, password: String = OpSourceCloud.password,
        deadline: Double = 20, stateName: String = "pool"
    ) throws -> OpSourceProvider {
        let parsed = try DriverConfig.parse(lines: config(extra, vlan: vlan), path: "pool.cfg")
        let credentials = Credentials(cred1: "pool.cfg", cred2: password, cred3: "", objectName: stateName)
        let client = APIClient(
            transport: try CurlTransport(), requestTimeout: 2, deadline: ProcessClock.seconds() + deadline)
        let context = ProviderContext(
            config: parsed, credentials: credentials, home: ZeusHome(path: home.path), client: client,
            redactor: Redactor(), note: { _ in })
        let provider = try OpSourceProvider(context)
        provider.api.firstPollInterval = 0.05
        provider.api.pollInterval = 0.2
        provider.firstStopWait = 0.05
        provider.stopRetryWait = 0.05
        return provider
    }

    /// Writes the configuration and a credentials object called `pool`.
    func install(_ lines: [String], password: String = OpSourceCloud.password) {
        home.addExtraFile("pool.cfg", lines.joined(separator: "\n") + "\n")
        home.addCredentials("pool", cred1: "pool.cfg", cred2: password)
    }

    /// Runs the built `tmcloud` with `--cloudcreds=pool`.
    func run(_ arguments: [String]) -> DriverRun {
        home.run(arguments + ["--cloudcreds=pool"], timeout: 60)
    }

    /// Requests the emulator saw since the log was last cleared, as "METHOD target".
    var requests: [String] { log.all.map { "\($0.method) \($0.target)" } }

    /// The server of this name, as the emulator's inventory has it.
    func serverID(named name: String) -> String? {
        emulator.inventory().items.first { $0.name == name }?.id
    }

    /// Moves the virtual clock on by `step` every `every` real seconds until stopped,
    /// for actions that wait on the cloud while they run; with `after`, only once a
    /// request whose target ends so has been answered (so that a test sees that
    /// request meet the operation in progress however slowly the machine runs).
    func tick(_ step: Double, every interval: Double = 0.05, after suffix: String? = nil) -> OpSourceTicker {
        let log = log
        return OpSourceTicker(clock: clock, step: step, interval: interval) {
            suffix.map { s in log.all.contains { $0.target.hasSuffix(s) } } ?? true
        }
    }
}

/// A background thread that advances a virtual clock.
final class OpSourceTicker: Sendable {
    private let running = Atomic<Bool>(true)

    init(clock: VirtualClock, step: Double, interval: Double, when ready: @escaping @Sendable () -> Bool) {
        Thread.detachNewThread { [self] in
            var started = false
            while self.running.load(ordering: .relaxed) {
                Thread.sleep(forTimeInterval: interval)
                started = started || ready()
                if started { clock.advance(by: step) }
            }
        }
    }

    func stop() { running.store(false, ordering: .relaxed) }
}

/// The error `body` throws, or nil when it succeeds.
func opSourceError<T>(_ body: () throws(DriverError) -> T) -> DriverError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

extension DriverRun {
    /// A field of the first node printed.
    func opSourceField(_ key: String) -> String? {
        guard let node = nodes.first, let value = node[key] else { return nil }
        if case .string(let s) = value { return s }
        if case .int(let n) = value { return String(n) }
        return nil
    }
}

/// A transport that answers from a closure, for replies the emulator does not make.
final class OpSourceScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let answer: (TMCloudTransport.HTTPRequest, Int) -> TMCloudTransport.HTTPResponse
    private(set) var requests: [TMCloudTransport.HTTPRequest] = []

    init(_ answer: @escaping (TMCloudTransport.HTTPRequest, Int) -> TMCloudTransport.HTTPResponse) {
        self.answer = answer
    }

    func send(_ request: TMCloudTransport.HTTPRequest, timeout: Double) throws(TransportError) -> TMCloudTransport.HTTPResponse {
        requests.append(request)
        return answer(request, requests.count)
    }

    /// A provider for the pool on `OpSourceCloud.vlan` talking through this transport.
    func provider(home: ZeusHomeFixture) throws -> OpSourceProvider {
        let lines = [
            "user \(OpSourceCloud.user)", "apiHost https://api.example.net", "orgID \(OpSourceCloud.org)",
            "vlanID \(OpSourceCloud.vlan)", "timeout 2",
        ]
        let context = ProviderContext(
            config: try DriverConfig.parse(lines: lines, path: "pool.cfg"),
            credentials: Credentials(cred1: "pool.cfg", cred2: OpSourceCloud.password, cred3: "", objectName: "pool"),
            home: ZeusHome(path: home.path),
            client: APIClient(transport: self, requestTimeout: 2, deadline: ProcessClock.seconds() + 10),
            redactor: Redactor(), note: { _ in })
        return try OpSourceProvider(context)
    }
}
