import ProcessRunner

/// What one run of a driver left: the raw material the Traffic Manager reads.
public struct DriverExecution: Sendable, Equatable {
    public var exitStatus: Int32
    public var timedOut: Bool
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    public var wallSeconds: Double

    public init(exitStatus: Int32, timedOut: Bool = false, stdout: [UInt8], stderr: [UInt8] = [], wallSeconds: Double = 0) {
        self.exitStatus = exitStatus
        self.timedOut = timedOut
        self.stdout = stdout
        self.stderr = stderr
        self.wallSeconds = wallSeconds
    }
}

/// Something that answers driver command lines: the real executable run as a child
/// process, or the in-process model cloud.
public protocol DriverTransport: AnyObject {
    /// Runs the driver with `arguments` (argv[1...]), allowing it `timeout` seconds.
    func execute(arguments: [String], timeout: Double) -> DriverExecution
    /// Where the runs go, for reports.
    var label: String { get }
}

/// Runs an executable the way the Traffic Manager runs its Cloud API driver: a fresh
/// process per call, `ZEUSHOME` in an otherwise minimal environment, no stdin.
public final class SubprocessTransport: DriverTransport {
    public let executable: String
    public let zeusHome: String

    public init(executable: String, zeusHome: String) {
        self.executable = executable
        self.zeusHome = zeusHome
    }

    public var label: String { executable }

    public func execute(arguments: [String], timeout: Double) -> DriverExecution {
        // Secrets stay in the credentials file: the child's environment carries none.
        let environment = ["ZEUSHOME": zeusHome, "PATH": "/usr/bin:/bin"]
        do {
            let result = try ProcessRunner.run(
                executable, arguments: arguments, environment: environment, timeout: timeout)
            return DriverExecution(
                exitStatus: result.exitStatus, timedOut: result.timedOut, stdout: result.stdout, stderr: result.stderr,
                wallSeconds: result.duration)
        } catch {
            return DriverExecution(exitStatus: 127, stdout: [], stderr: Array("\(error)".utf8))
        }
    }
}

/// Counts per action, for the summary.
public struct DriverActionStats: Sendable, Equatable {
    public var runs = 0
    public var failures = 0
    public var hung = 0
    public var unparseable = 0
    public var wallSeconds = 0.0
    public var slowestSeconds = 0.0
}

/// The Traffic Manager's side of the driver contract: builds each command line, bounds
/// the run, and turns what comes back into nodes or a failure (never a crash).
public final class DriverRunner {
    public let transport: any DriverTransport
    public let cloudCredentials: String
    public let settings: PoolSettings
    public let statusTimeout: Double
    public private(set) var stats: [DriverAction: DriverActionStats] = [:]
    /// Every run, in order: action, arguments, failure (nil when it worked).
    public private(set) var log: [(action: DriverAction, arguments: [String], failure: DriverFailure?)] = []

    public init(transport: any DriverTransport, cloudCredentials: String, settings: PoolSettings, statusTimeout: Double) {
        self.transport = transport
        self.cloudCredentials = cloudCredentials
        self.settings = settings
        self.statusTimeout = statusTimeout
    }

    public func status() -> Result<[CloudNode], DriverFailure> {
        run(.status, ["status", "--cloudcreds=\(cloudCredentials)"], timeout: statusTimeout)
    }

    public func createNode(name: String) -> Result<[CloudNode], DriverFailure> {
        run(
            .createNode,
            [
                "createnode", "--cloudcreds=\(cloudCredentials)", "--name=\(name)", "--imageid=\(settings.imageID)",
                "--sizeid=\(settings.sizeID)",
            ], timeout: settings.cloudAPITimeout)
    }

    public func destroyNode(uniqID: String) -> Result<[CloudNode], DriverFailure> {
        run(.destroyNode, ["destroynode", "--cloudcreds=\(cloudCredentials)", "--id=\(uniqID)"], timeout: settings.cloudAPITimeout)
    }

    /// Runs one action and records it.
    public func run(_ action: DriverAction, _ arguments: [String], timeout: Double) -> Result<[CloudNode], DriverFailure> {
        let execution = transport.execute(arguments: arguments, timeout: timeout)
        let outcome = Self.interpret(execution, for: action, timeout: timeout)
        var s = stats[action, default: DriverActionStats()]
        s.runs += 1
        s.wallSeconds += execution.wallSeconds
        s.slowestSeconds = max(s.slowestSeconds, execution.wallSeconds)
        if case .failure(let failure) = outcome {
            s.failures += 1
            if case .hung = failure { s.hung += 1 }
            if case .unparseable = failure { s.unparseable += 1 }
            log.append((action, arguments, failure))
        } else {
            log.append((action, arguments, nil))
        }
        stats[action] = s
        return outcome
    }

    /// What the Traffic Manager makes of a finished run.
    public static func interpret(_ execution: DriverExecution, for action: DriverAction, timeout: Double)
        -> Result<[CloudNode], DriverFailure>
    {
        if execution.timedOut { return .failure(.hung(after: timeout)) }
        if execution.exitStatus == 127 && execution.stdout.isEmpty
            && String(decoding: execution.stderr, as: UTF8.self).hasPrefix("cannot start")
        {
            return .failure(.notStarted(DriverResponseParser.failureMessage(execution.stderr)))
        }
        guard execution.exitStatus == 0 else {
            return .failure(
                .exited(status: execution.exitStatus, message: DriverResponseParser.failureMessage(execution.stderr)))
        }
        do throws(DriverFailure) {
            return .success(try DriverResponseParser.parse(execution.stdout, for: action))
        } catch {
            return .failure(error)
        }
    }

    public var totalRuns: Int { stats.values.reduce(0) { $0 + $1.runs } }
    public var totalFailures: Int { stats.values.reduce(0) { $0 + $1.failures } }
}
