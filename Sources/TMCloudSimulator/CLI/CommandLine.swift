import CloudEmulators
import TMCloudJSON

/// A command line that cannot be used: one line for the user, exit status 2.
public struct UsageError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Where the driver runs go.
public enum DriverChoice: Sendable, Equatable {
    /// The `tmcloud` next to `tmcloud-sim` against an emulated cloud; the in-process model
    /// cloud when that driver does not support the scenario's cloud yet.
    case automatic
    /// The in-process model cloud (`--driver=model`).
    case model
    /// This executable against an emulated cloud (`--driver=PATH`).
    case executable(String)
}

/// A run against a real account.
public struct RealAccount: Sendable, Equatable {
    public var cloudCredentials: String
    public var zeusHome: String
}

/// Everything `tmcloud-sim run` was asked for.
public struct RunRequest: Sendable, Equatable {
    public var scenario: Scenario
    public var outputDirectory = "sim-output"
    public var driver = DriverChoice.automatic
    public var realAccount: RealAccount?
    public var quiet = false
    /// Notices about adjustments made to the request (printed before the run).
    public var notices: [String] = []
}

public enum SimulatorCommand: Sendable, Equatable {
    case run(RunRequest)
    case scenarios
    /// `seed`: nodes placed in each cloud's default pool before serving; `rateLimit`:
    /// DigitalOcean requests per token per minute instead of 250 (both for benchmarks);
    /// `tls`: serve HTTPS with this certificate and key.
    case serve(port: Int, seed: Int = 0, rateLimit: Int? = nil, tls: ServeTLS? = nil)
    case help
}

/// The PEM files `tmcloud-sim serve --tls-cert --tls-key` serves HTTPS with.
public struct ServeTLS: Sendable, Equatable {
    public var certificate: String
    public var key: String
    public init(certificate: String, key: String) {
        self.certificate = certificate
        self.key = key
    }
}

/// Parses `tmcloud-sim` arguments by hand: `COMMAND --key=value ...`.
public enum CommandLineParser {
    /// Real-account runs may not grow a pool past this.
    public static let realAccountMaxNodes = 3
    /// Simulated (real) seconds of a real-account run unless `--duration` says otherwise.
    public static let realAccountDefaultDuration = 1800.0

    static let runFlags: Set<String> = [
        "scenario", "scenario-file", "pool-json", "trace", "faults", "cloud-faults", "out", "seed", "duration", "driver", "cloud",
        "cloudcreds", "zeushome", "i-understand-this-uses-a-real-account", "quiet", "timeline-interval", "capacity",
        "base-latency", "boot-time",
    ]

    /// - Parameter readFile: reads a file named on the command line (injected for tests).
    public static func parse(_ arguments: [String], readFile: (String) throws -> String) throws(UsageError)
        -> SimulatorCommand
    {
        var args = arguments[...]
        var command = "run"
        if let first = args.first, !first.hasPrefix("-") {
            command = first
            args = args.dropFirst()
        }
        var options: [(key: String, value: String?)] = []
        for arg in args {
            guard arg.hasPrefix("--"), arg.count > 2 else {
                throw UsageError("unexpected argument \(arg); options are written --key=value")
            }
            let body = arg.dropFirst(2)
            if let eq = body.firstIndex(of: "=") {
                options.append((String(body[..<eq]), String(body[body.index(after: eq)...])))
            } else {
                options.append((String(body), nil))
            }
        }
        switch command {
        case "help", "-h":
            return .help
        case "scenarios":
            if let extra = options.first { throw UsageError("scenarios takes no options (got --\(extra.key))") }
            return .scenarios
        case "serve":
            var port = 0
            var seed = 0
            var rateLimit: Int?
            var certificate: String?
            var tlsKey: String?
            for (key, value) in options {
                if key == "tls-cert" || key == "tls-key" {
                    guard let path = value, !path.isEmpty else { throw UsageError("--\(key) takes a PEM file: --\(key)=PATH") }
                    if key == "tls-cert" { certificate = path } else { tlsKey = path }
                    continue
                }
                guard let text = value, let n = Int(text) else {
                    throw UsageError("serve takes --port=N, --seed=N, --rate-limit=N, --tls-cert=PEM and --tls-key=PEM")
                }
                switch key {
                case "port" where (0...65535).contains(n): port = n
                case "seed" where (0...10_000).contains(n): seed = n
                case "rate-limit" where n > 0: rateLimit = n
                default: throw UsageError("serve takes --port=N, --seed=N (0 to 10000) and --rate-limit=N (above 0)")
                }
            }
            var tls: ServeTLS?
            switch (certificate, tlsKey) {
            case (let certificate?, let key?): tls = ServeTLS(certificate: certificate, key: key)
            case (nil, nil): tls = nil
            default: throw UsageError("serve needs both --tls-cert=PEM and --tls-key=PEM for HTTPS")
            }
            return .serve(port: port, seed: seed, rateLimit: rateLimit, tls: tls)
        case "run":
            if options.contains(where: { $0.key == "help" }) { return .help }
            return .run(try parseRun(options, readFile: readFile))
        default:
            throw UsageError("unknown command \(command) (run, scenarios, serve, help)")
        }
    }

    static func parseRun(_ options: [(key: String, value: String?)], readFile: (String) throws -> String) throws(UsageError)
        -> RunRequest
    {
        func value(_ key: String) -> String? { options.last { $0.key == key }?.value ?? nil }
        func read(_ path: String, _ what: String) throws(UsageError) -> String {
            do { return try readFile(path) } catch { throw UsageError("cannot read \(what) \(path): \(error)") }
        }
        for (key, v) in options {
            let setting = key.replacingOccurrences(of: "-", with: "_")
            let known = runFlags.contains(key) || PoolSettings.keys.contains(setting) || EngineChoices.keys.contains(setting)
            guard known else { throw UsageError("unknown option --\(key) (see tmcloud-sim help)") }
            let flag = key == "i-understand-this-uses-a-real-account" || key == "quiet"
            if flag && v != nil { throw UsageError("--\(key) takes no value") }
            if !flag && v == nil { throw UsageError("--\(key) needs a value: --\(key)=VALUE") }
        }

        // The base scenario: built-in by name, or a scenario file over the default.
        let scenarioName = value("scenario") ?? BuiltinScenarios.defaultName
        var scenario: Scenario
        if let builtin = BuiltinScenarios.named(scenarioName) {
            scenario = builtin
        } else if scenarioName.hasSuffix(".json") || scenarioName.contains("/") {
            scenario = BuiltinScenarios.digitalOcean
            try applyScenarioFile(scenarioName, to: &scenario, read: read)
        } else {
            let names = BuiltinScenarios.all.map(\.name).joined(separator: ", ")
            throw UsageError("unknown scenario \(scenarioName) (built in: \(names); or a .json file)")
        }
        if let file = value("scenario-file") { try applyScenarioFile(file, to: &scenario, read: read) }

        do {
            if let cloud = value("cloud") {
                guard let kind = CloudKind(rawValue: cloud) else {
                    throw SettingError("--cloud must be digitalocean, opsource or openstack, not \(cloud)")
                }
                scenario.cloud = kind
            }
            if let path = value("pool-json") {
                let text = try read(path, "pool JSON")
                let json: JSONValue
                do { json = try JSONParser.parse(text) } catch { throw SettingError("\(path): \(error)") }
                try scenario.settings.apply(poolJSON: json)
            }
            for (key, v) in options {
                let setting = key.replacingOccurrences(of: "-", with: "_")
                if PoolSettings.keys.contains(setting), let v { try scenario.settings.set(setting, .string(v)) }
                if EngineChoices.keys.contains(setting), let v { try scenario.choices.set(setting, v) }
            }
            if let path = value("trace") {
                scenario.load.shape = try LoadProfile.parseTrace(try read(path, "trace"))
                scenario.load.spikes = []
            }
            if let spec = value("faults") { scenario.faults = try SimulatedFaults.parse(spec) }
            if let spec = value("cloud-faults") {
                do {
                    _ = try FaultSpec.parse(spec)
                } catch {
                    throw UsageError("--cloud-faults: \(error)")
                }
                scenario.faults.cloudSpec = spec
            }
            if let seed = value("seed") {
                guard let n = UInt64(seed) else { throw SettingError("--seed must be a whole number, not \(seed)") }
                scenario.seed = n
            }
            if let d = value("duration") {
                guard let seconds = SimulatedFaults.parseTime(d), seconds >= 1 else {
                    throw SettingError("--duration must be seconds or 30m, 6h, 1d, not \(d)")
                }
                scenario.duration = seconds
            }
            if let v = value("timeline-interval") { scenario.timelineInterval = try Scenario.seconds(.string(v), "--timeline-interval") }
            if let v = value("capacity") { scenario.node.capacity = try Scenario.positive(.double(Double(v) ?? -1), "--capacity") }
            if let v = value("base-latency") {
                scenario.node.baseLatency = try Scenario.positive(.double(Double(v) ?? -1), "--base-latency")
            }
            if let v = value("boot-time") { scenario.bootTime = try Scenario.seconds(.string(v), "--boot-time") }
            try scenario.settings.validate()
        } catch let error as SettingError {
            throw UsageError(error.description)
        } catch let error as UsageError {
            throw error
        } catch {
            throw UsageError("\(error)")
        }

        var request = RunRequest(scenario: scenario)
        if let out = value("out") {
            guard !out.isEmpty else { throw UsageError("--out needs a folder") }
            request.outputDirectory = out
        }
        request.quiet = options.contains { $0.key == "quiet" }
        if let driver = value("driver") {
            guard !driver.isEmpty else { throw UsageError("--driver needs a path (or model)") }
            request.driver = driver == "model" ? .model : .executable(driver)
        }
        try applyRealAccount(options, value: value, to: &request)
        return request
    }

    static func applyScenarioFile(_ path: String, to scenario: inout Scenario, read: (String, String) throws(UsageError) -> String)
        throws(UsageError)
    {
        let text = try read(path, "scenario file")
        do {
            let json = try JSONParser.parse(text)
            try scenario.apply(file: json) { tracePath in try read(tracePath, "trace") }
        } catch let error as UsageError {
            throw error
        } catch {
            throw UsageError("\(path): \(error)")
        }
    }

    static func applyRealAccount(
        _ options: [(key: String, value: String?)], value: (String) -> String?, to request: inout RunRequest
    ) throws(UsageError) {
        let creds = value("cloudcreds")
        let home = value("zeushome")
        let understood = options.contains { $0.key == "i-understand-this-uses-a-real-account" }
        guard creds != nil || home != nil || understood else { return }
        guard let creds, let home, !creds.isEmpty, !home.isEmpty else {
            throw UsageError("a real-account run needs --cloudcreds=NAME and --zeushome=DIR")
        }
        guard understood else {
            throw UsageError(
                "--cloudcreds creates and destroys real servers; add --i-understand-this-uses-a-real-account to go ahead")
        }
        if case .model = request.driver { throw UsageError("--driver=model cannot be used with a real account") }
        if value("faults") != nil || value("cloud-faults") != nil {
            throw UsageError("--faults cannot be injected into a real account")
        }
        request.realAccount = RealAccount(cloudCredentials: creds, zeusHome: home)
        if request.scenario.settings.maxNodes > realAccountMaxNodes {
            request.notices.append(
                "max_nodes lowered from \(request.scenario.settings.maxNodes) to \(realAccountMaxNodes) for a real account")
            request.scenario.settings.maxNodes = realAccountMaxNodes
            if request.scenario.settings.minNodes > realAccountMaxNodes {
                throw UsageError("min_nodes must be at most \(realAccountMaxNodes) against a real account")
            }
        }
        if value("duration") == nil {
            request.scenario.duration = realAccountDefaultDuration
            request.notices.append("a real account runs in real time: duration set to 30 minutes (use --duration)")
        }
        if !request.scenario.faults.isEmpty {
            request.notices.append("the scenario's faults are left out against a real account")
            request.scenario.faults = SimulatedFaults()
        }
    }
}
