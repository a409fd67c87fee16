import CloudEmulators

/// Emulated clouds served in-process on loopback, with the real driver run against them.
public enum EmulatedClouds {
    public enum Outcome {
        case ready(EmulatedCloud)
        case unavailable(String)
    }

    /// The clock a run shares with the emulated cloud: the emulators' virtual clock.
    public static func makeClock() -> SharedVirtualClock { SharedVirtualClock(VirtualClock(now: ManualClock().now)) }

    /// Starts the scenario's emulated cloud and checks, with one status run, that
    /// `driver` can drive it. `clock` must come from `makeClock()`.
    public static func make(_ scenario: Scenario, driver: String, clock: any SimulationClock) -> Outcome {
        guard let shared = clock as? SharedVirtualClock else {
            return .unavailable("emulated clouds need the shared virtual clock")
        }
        let cloud: EmulatedCloud
        do {
            cloud = try EmulatedCloud(kind: scenario.cloud, driver: driver, clock: shared.clock, bootTime: scenario.bootTime)
        } catch {
            return .unavailable("cannot start the emulated \(scenario.cloud.rawValue): \(error)")
        }
        let probe = cloud.transport.execute(
            arguments: ["status", "--cloudcreds=\(cloud.cloudCredentials)"], timeout: scenario.choices.statusTimeout)
        let outcome = DriverRunner.interpret(probe, for: .status, timeout: scenario.choices.statusTimeout)
        if case .failure(let failure) = outcome {
            cloud.shutdown()
            let text = failure.description
            if text.contains("not available in this build") {
                return .unavailable("the driver's \(scenario.cloud.rawValue) provider is not available in this build")
            }
            return .unavailable("\(driver) status against the emulated \(scenario.cloud.rawValue) failed: \(text)")
        }
        cloud.resetLog()
        return .ready(cloud)
    }

    /// `tmcloud-sim serve`: the three emulators in real time, until stopped; over HTTPS
    /// when given a certificate and its key (PEM files).
    public static func serve(port: Int, seed: Int = 0, rateLimit: Int? = nil, tls: ServeTLS? = nil) -> Int32 {
        var options = EmulatorSet.Options()
        options.seedNodes = seed
        if let rateLimit { options.digitalOcean.rateLimit = rateLimit }
        if let tls {
            do {
                options.tls = try TLSIdentity(certificate: tls.certificate, key: tls.key)
            } catch {
                print("tmcloud-sim: serve: \(error)")
                return 1
            }
        }
        if port > 0 {
            options.digitalOceanPort = UInt16(port)
            options.openStackPort = UInt16(min(port + 1, 65535))
            options.opSourcePort = UInt16(min(port + 2, 65535))
        }
        do {
            try EmulatorSet.serve(options: options)
        } catch {
            print("tmcloud-sim: serve: \(error)")
            return 1
        }
    }
}

/// The emulators' virtual clock as the simulator's clock: one time for both.
public final class SharedVirtualClock: SimulationClock, @unchecked Sendable {
    public let clock: VirtualClock
    public init(_ clock: VirtualClock) { self.clock = clock }
    public var now: Double { clock.now }
    public func advance(by seconds: Double) { clock.advance(by: seconds) }
}

/// One emulated cloud with a `ZEUSHOME` whose Cloud Credentials point the driver at it.
public final class EmulatedCloud: CloudUnderTest {
    public let name: String
    public let cloudCredentials = "sim"
    public let transport: any DriverTransport
    public let kind: CloudKind
    public let zeusHome: ZeusHomeTree
    /// The secret (cred2) the driver is given: the emulator's token or password.
    public let secret: String
    /// The start of every OpenStack token the emulator issues.
    public static let tokenMarker = "gAAAAAB-tmcloud-sim-token-"
    private let set: EmulatorSet

    public init(kind: CloudKind, driver: String, clock: VirtualClock, bootTime: Double) throws {
        self.kind = kind
        name = "emulated \(kind.rawValue)"
        var options = EmulatorSet.Options(clock: clock)
        options.digitalOcean.bootDelay = bootTime
        options.openStack.bootDelay = bootTime
        options.opSource.deployDelay = bootTime
        // With destroy false a driver waits within one run for an OpSource shutdown to
        // finish; the virtual clock stands still during a run, so that must be instant.
        // Boot delays are waited out across status runs and keep their length.
        options.opSource.actionDelay = 0
        // Tokens carry a marker, so that a search of every output can prove none leaked.
        options.openStack.tokenPrefix = Self.tokenMarker
        set = EmulatorSet(options: options)
        let config: String
        let secret: String
        switch kind {
        case .digitalocean:
            let url = try set.digitalOcean.start()
            config = "provider digitalocean\napiHost \(url)\nregion lon1\ntag tmcloud-sim\n"
            secret = options.digitalOcean.tokens.first ?? ""
        case .openstack:
            try set.openStack.start()
            let o = options.openStack
            config = """
                provider openstack
                authURL \(set.openStack.authURL)
                username \(o.userName)
                project \(o.projectName)
                network private
                floatingNetwork public
                tag tmcloud-sim

                """
            secret = o.password
        case .opsource:
            let url = try set.opSource.start()
            let vlan = set.summary.split(separator: "\n").first { $0.hasPrefix("vlanID ") }.map { String($0.dropFirst(7)) } ?? ""
            config = "provider opsource\napiHost \(url)\nuser \(options.opSource.userName)\nvlanID \(vlan)\n"
            secret = options.opSource.password
        }
        self.secret = secret
        do {
            zeusHome = try ZeusHomeTree.temporary()
            // The driver's log goes to $ZEUSHOME/zxtm/log/tmcloud.log, as on an appliance.
            try zeusHome.install(
                cloudCredentials: cloudCredentials, configFile: "tmcloud-sim.conf",
                config: config.hasSuffix("\n") ? config + "logFile tmcloud.log\n" : config + "\nlogFile tmcloud.log\n",
                secret: secret)
        } catch {
            set.stop()
            throw error
        }
        transport = SubprocessTransport(executable: driver, zeusHome: zeusHome.path)
    }

    private var emulator: any CloudEmulator {
        switch kind {
        case .digitalocean: return set.digitalOcean
        case .openstack: return set.openStack
        case .opsource: return set.opSource
        }
    }

    /// Everything the emulated cloud holds now (nodes, floating IPs), for checks after a run.
    public func inventory() -> Inventory { emulator.inventory() }

    /// Every request the emulated cloud received, with the faults it injected.
    public var requestLog: RequestLog { emulator.requestLog }

    public func leftovers(prefix: String) -> [String]? {
        emulator.inventory().items.filter { ($0.kind == "droplet" || $0.kind == "server") && $0.name.hasPrefix(prefix) }
            .map(\.name)
    }

    /// Requests by `METHOD /path?query-names`, with ids in paths folded to `{id}` (the
    /// query names tell OpSource's `?delete` and `?poweroff` apart).
    public func apiCalls() -> [String: Int]? {
        var calls: [String: Int] = [:]
        for entry in emulator.requestLog.all {
            let path = entry.path.split(separator: "/").map { segment -> String in
                let digits = segment.filter(\.isNumber).count
                return digits > 0 && (segment.count >= 5 || digits == segment.count) ? "{id}" : String(segment)
            }
            var key = "\(entry.method) /\(path.joined(separator: "/"))"
            if let mark = entry.target.firstIndex(of: "?") {
                let names = entry.target[entry.target.index(after: mark)...].split(separator: "&")
                    .map { $0.split(separator: "=", maxSplits: 1).first.map(String.init) ?? "" }
                    .filter { !$0.isEmpty }
                if !names.isEmpty { key += "?" + Set(names).sorted().joined(separator: "&") }
            }
            calls[key, default: 0] += 1
        }
        return calls
    }

    public func schedule(_ faults: SimulatedFaults) {
        if let spec = faults.cloudSpec, let plan = try? FaultSpec.parse(spec)[kind.rawValue] {
            emulator.faultPlan = plan
        }
        if let share = faults.chances[.bootFail] {
            var plan = emulator.faultPlan
            plan.buildFailureShare = share
            emulator.faultPlan = plan
        }
    }

    func resetLog() { emulator.requestLog.clear() }

    public func shutdown() {
        set.stop()
        zeusHome.remove()
    }
}
