// An emulated OpenStack on loopback with a virtual clock, a ZEUSHOME for the driver,
// and ways to run the driver against both: in-process through the provider, and as
// the built `tmcloud` executable.
import CloudEmulators
import TMCloudJSON
import TMCloudTestSupport
import TMCloudTransport

@testable import TMCloudKit

#if canImport(Glibc)
import Glibc
#endif

final class OpenStackTestCloud {
    let clock = VirtualClock()
    let emulator: OpenStackEmulator
    let home = ZeusHomeFixture()
    let options: OpenStackEmulator.Options
    /// The credentials object the runs use.
    let credentialsName = "openstack-pool"

    init(options: OpenStackEmulator.Options = OpenStackEmulator.Options(), faults: FaultPlan = .none) throws {
        self.options = options
        emulator = OpenStackEmulator(time: .virtual(clock), options: options, faults: faults)
        try emulator.start()
    }

    deinit { emulator.stop() }

    /// Writes the driver configuration (`timeout 2`, the emulator's Keystone) with
    /// extra lines, and a credentials object whose cred2 is `secret` (default: the
    /// emulator's password).
    func configure(_ extra: [String] = [], secret: String? = nil, applicationCredential: Bool = false) {
        var lines = ["provider openstack", "authURL \(emulator.authURL)", "timeout 2", "tag pool-a"]
        if applicationCredential {
            lines.append("applicationCredentialID \(options.applicationCredentialID)")
        } else {
            lines += ["username \(options.userName)", "project \(options.projectName)"]
        }
        lines += extra
        home.addExtraFile("openstack.cfg", lines.joined(separator: "\n") + "\n")
        let password = secret ?? (applicationCredential ? options.applicationCredentialSecret : options.password)
        home.addCredentials(credentialsName, cred1: "openstack.cfg", cred2: password)
    }

    var tokenCachePath: String { home.internalDirectory + "/tmcloud.\(credentialsName).token" }

    /// Runs the built driver with the credentials object.
    func run(_ action: String, _ arguments: [String] = [], verbose: Bool = false) -> DriverRun {
        var argv = [action, "--cloudcreds=\(credentialsName)"] + arguments
        if verbose { argv.append("--verbose") }
        return home.run(argv, timeout: 30)
    }

    /// Runs the built driver and counts the requests the run made.
    func counted(_ action: String, _ arguments: [String] = [], verbose: Bool = false) -> (DriverRun, Int) {
        let before = requestCount
        let result = run(action, arguments, verbose: verbose)
        return (result, requestCount - before)
    }

    /// A provider in this process, with the same files as the driver runs.
    func provider(deadline: Double = 20) throws -> (OpenStackProvider, ProviderContext) {
        let config = try DriverConfig.load(path: home.extraDirectory + "/openstack.cfg")
        let secretLine = try TextFile.lines(home.path + "/zxtm/conf/cloudcredentials/" + credentialsName)
            .first { $0.hasPrefix("cred2 ") }
        let credentials = Credentials(
            cred1: "openstack.cfg", cred2: String(secretLine?.dropFirst(6) ?? ""), cred3: "",
            objectName: credentialsName)
        let client = APIClient(
            transport: try CurlTransport(tls: TLSOptions(insecure: false), userAgent: "tmcloud-tests"),
            requestTimeout: 2, deadline: ProcessClock.seconds() + deadline)
        let redactor = Redactor()
        redactor.add(credentials.cred2)
        let context = ProviderContext(
            config: config, credentials: credentials, home: ZeusHome(path: home.path), client: client,
            redactor: redactor, note: { _ in })
        return (OpenStackProvider(context: context), context)
    }

    /// Lets virtual time pass (builds finish, deletes complete).
    func advance(_ seconds: Double) { clock.advance(by: seconds) }

    // MARK: - Request log

    var requestCount: Int { emulator.requestLog.all.count }
    var keystoneRequests: Int { emulator.requestLog.count(method: "POST", pathPrefix: "/identity/v3/auth/tokens") }

    func requests(_ method: String? = nil, _ pathPart: String) -> [RequestLogEntry] {
        emulator.requestLog.all.filter { ($0.method == method || method == nil) && $0.path.contains(pathPart) }
    }

    /// Runs `body` and returns how many requests it made.
    func counting(_ body: () -> Void) -> Int {
        let before = requestCount
        body()
        return requestCount - before
    }

    // MARK: - Leftovers

    /// After the deletes have had time to finish: nothing the driver created and was
    /// asked to destroy is still there, and no floating IP outlives its server.
    func leftovers() -> [String] {
        advance(60)
        let inventory = emulator.inventory()
        var problems = inventory.destroyRequestedButPresent.map { "\($0.kind) \($0.id) \($0.name)" }
        let serverCount = inventory.of(kind: "server").filter(\.createdThroughAPI).count
        if serverCount == 0 {
            problems += inventory.of(kind: "floatingip").filter(\.createdThroughAPI).map { "floating IP \($0.name)" }
        }
        return problems
    }

    /// The file's permission bits.
    static func mode(of path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode) & 0o777
    }
}

extension DriverRun {
    /// The first node's field as text.
    func field(_ name: String, node index: Int = 0) -> String? {
        guard index < nodes.count else { return nil }
        return nodes[index][name]?.scalarText
    }

    /// Everything the run printed.
    var allOutput: String { stdout + stderr }
}
