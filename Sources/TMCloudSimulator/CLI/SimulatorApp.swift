import Foundation

/// `tmcloud-sim`: parses the command line, picks the cloud, runs, reports, and returns the
/// exit status (0 passed, 1 an invariant broke or the run could not start, 2 bad input).
public enum SimulatorApp {
    public static func main(_ arguments: [String]) -> Int32 {
        let command: SimulatorCommand
        do {
            command = try CommandLineParser.parse(arguments) { path in try String(contentsOfFile: path, encoding: .utf8) }
        } catch {
            printError(error.description)
            return 2
        }
        switch command {
        case .help:
            print(HelpText.text)
            return 0
        case .scenarios:
            for scenario in BuiltinScenarios.all {
                let mark = scenario.name == BuiltinScenarios.defaultName ? "*" : " "
                print("\(mark) \(scenario.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \(scenario.summary)")
            }
            return 0
        case .serve(let port, let seed, let rateLimit, let tls):
            return EmulatedClouds.serve(port: port, seed: seed, rateLimit: rateLimit, tls: tls)
        case .run(let request):
            return run(request)
        }
    }

    public static func run(_ request: RunRequest) -> Int32 {
        let out = request.quiet ? { (_: String) in } : { (text: String) in print(text) }
        for notice in request.notices { out("note: \(notice)") }
        let prepared: PreparedCloud
        do {
            prepared = try prepareCloud(request)
        } catch let error as UsageError {
            printError(error.description)
            return 2
        } catch {
            printError("\(error)")
            return 1
        }
        defer { prepared.cloud.shutdown() }
        for notice in prepared.notices { out("note: \(notice)") }
        let scenario = request.scenario
        out(
            "tmcloud-sim: \(scenario.name) on \(prepared.cloud.name), driver \(prepared.cloud.transport.label), "
                + "\(SimTime.clock(scenario.duration)) simulated, seed \(scenario.seed)")

        let simulation = Simulation(scenario: scenario, cloud: prepared.cloud, clock: prepared.clock)
        simulation.ownsWholeCloud = request.realAccount == nil
        let display = ProgressDisplay()
        if !request.quiet { simulation.observer = display }
        Interruption.install()
        simulation.shouldStop = { Interruption.isRequested }
        let result = simulation.run()
        display.finish()
        if result.interrupted { out("interrupted at \(SimTime.clock(result.simulatedSeconds)); the pool was torn down") }

        let paths: [String]
        do {
            paths = try RunOutput.write(result, to: request.outputDirectory)
        } catch {
            printError("cannot write results to \(request.outputDirectory): \(error)")
            return 1
        }
        out(report(result))
        out("results: \(paths.joined(separator: ", "))")
        if !result.passed {
            for violation in result.violations { printError("invariant broken: \(violation)") }
            return 1
        }
        return 0
    }

    static func report(_ r: SimulationResult) -> String {
        let runs = r.driverStats.values.reduce(0) { $0 + $1.runs }
        let failures = r.driverStats.values.reduce(0) { $0 + $1.failures }
        return """
            \(TimelineCSV.fixed(100 * r.shareWithinTarget, 2))% of requests within \(Int(r.scenario.settings.responseTime)) ms; \
            \(TimelineCSV.fixed(r.nodeHours, 1)) node-hours; \(r.nodesCreated) nodes created, \(r.nodesDestroyed) destroyed \
            (+\(r.teardownDestroyed) at teardown)
            \(runs) driver runs, \(failures) failed; \(r.events.count) events; \
            \(SimTime.clock(r.simulatedSeconds)) simulated in \(TimelineCSV.fixed(r.wallSeconds, 1)) s
            invariants: \(r.passed ? "all held" : "\(r.violations.count) broken")
            """
    }

    /// The cloud a run uses, its clock, and what the user should know about the choice.
    struct PreparedCloud {
        var cloud: any CloudUnderTest
        var clock: any SimulationClock
        var notices: [String] = []
    }

    static func prepareCloud(_ request: RunRequest) throws -> PreparedCloud {
        let scenario = request.scenario
        if let account = request.realAccount {
            let driver = try driverPath(request.driver)
            let zeus = try ZeusHomeTree(path: account.zeusHome)
            guard zeus.credentialsExist(account.cloudCredentials) else {
                throw UsageError("no Cloud Credentials \(account.cloudCredentials) in \(account.zeusHome)/zxtm/conf/cloudcredentials")
            }
            return PreparedCloud(
                cloud: RealAccountCloud(driver: driver, zeusHome: account.zeusHome, cloudCredentials: account.cloudCredentials),
                clock: WallClock())
        }
        let clock = EmulatedClouds.makeClock()
        func model(_ notices: [String]) -> PreparedCloud {
            let cloud = ModelCloud(
                name: "model \(scenario.cloud.rawValue)", clock: clock, bootTime: scenario.bootTime, seed: scenario.seed,
                imageID: scenario.settings.imageID, sizeID: scenario.settings.sizeID)
            return PreparedCloud(cloud: cloud, clock: clock, notices: notices)
        }
        switch request.driver {
        case .model:
            return model([])
        case .executable(let path):
            let driver = try driverPath(.executable(path))
            switch EmulatedClouds.make(scenario, driver: driver, clock: clock) {
            case .ready(let cloud): return PreparedCloud(cloud: cloud, clock: clock)
            case .unavailable(let why):
                throw RunError("cannot run \(path) against the emulated \(scenario.cloud.rawValue): \(why)")
            }
        case .automatic:
            guard let driver = try? driverPath(.automatic) else {
                return model(["no tmcloud next to tmcloud-sim; using the in-process model cloud"])
            }
            switch EmulatedClouds.make(scenario, driver: driver, clock: clock) {
            case .ready(let cloud): return PreparedCloud(cloud: cloud, clock: clock)
            case .unavailable(let why): return model(["\(why); using the in-process model cloud"])
            }
        }
    }

    /// The driver executable: `--driver=PATH`, else `tmcloud` next to this executable.
    static func driverPath(_ choice: DriverChoice) throws -> String {
        let path: String
        switch choice {
        case .executable(let given): path = given
        default:
            let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            path = ((me as NSString).deletingLastPathComponent as NSString).appendingPathComponent("tmcloud")
        }
        guard FileManager.default.isExecutableFile(atPath: path) else { throw UsageError("no executable driver at \(path)") }
        return path
    }

    /// A run that cannot start for a reason other than the command line.
    struct RunError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("tmcloud-sim: \(message)\n".utf8))
    }
}
