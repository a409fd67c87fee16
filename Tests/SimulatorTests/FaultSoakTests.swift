import CloudEmulators
import Foundation
import ProcessRunner
import TMCloudTestSupport
import Testing

@testable import TMCloudSimulator

/// The simulator on each emulated cloud with faults on: 5xx and 429 replies, dropped
/// connections (before and after the request was carried out), hung connections,
/// failed builds and slow boots. CI runs two simulated hours per cloud;
/// `scripts/soak.sh --days=N` runs the same test for N days (TMCLOUD_SOAK_SECONDS).
/// When something leaks, TMCLOUD_SOAK_DUMP=FILE writes the cloud's request log there.
enum FaultSoak {
    static var seconds: Double {
        if let text = ProcessInfo.processInfo.environment["TMCLOUD_SOAK_SECONDS"], let s = Double(text) { return s }
        return 2 * 3600
    }

    /// The clouds to soak: TMCLOUD_SOAK_CLOUDS (comma-separated), else all three.
    static var clouds: [CloudKind] {
        guard let text = ProcessInfo.processInfo.environment["TMCLOUD_SOAK_CLOUDS"], !text.isEmpty else {
            return [.digitalocean, .openstack, .opsource]
        }
        return text.split(separator: ",").compactMap { CloudKind(rawValue: String($0)) }
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["TMCLOUD_SOAK_SEED"].flatMap { UInt64($0) } ?? 11
    }

    /// The emulated cloud's faults. Hangs hold a connection one real second: the
    /// driver's request timeout is longer, so it sees the connection close.
    static func cloudFaults(bootTime: Double) -> String {
        let b = Int(bootTime)
        return """
            seed=\(seed)
            all * error=0.03 statuses=500,502,503,504 throttle=0.03 retryAfter=1 drop=0.01 dropAfterReply=0.01 hang=0.003 hangFor=1
            all boot=lognormal(\(b),0.6,\(max(5, b / 3)),\(b * 8)) buildFail=0.1
            """
    }

    static func scenario(_ kind: CloudKind) -> Scenario {
        var s = BuiltinScenarios.all.first { $0.cloud == kind && $0.duration == 86400 }!
        s.name = "soak-\(kind.rawValue)"
        s.duration = seconds
        s.seed = seed
        s.faults.cloudSpec = cloudFaults(bootTime: s.bootTime)
        if seconds < 86400 {
            // A short soak needs changes: a surge and a lull every 40 minutes.
            s.settings.refractory = 120
            var points: [(Double, Double)] = []
            var t = 0.0
            while t < seconds {
                points += [(t, 30), (t + 299, 30), (t + 300, 230), (t + 1199, 230), (t + 1200, 20), (t + 2399, 20)]
                t += 2400
            }
            s.load = LoadProfile(shape: .trace(points), noise: 0.03)
        }
        return s
    }

    struct Figures: CustomStringConvertible {
        var cloud: String
        var simulatedHours: Double
        var wallSeconds: Double
        var driverRuns: Int
        var driverFailures: Int
        var faultsInjected: [String: Int]
        var created: Int
        var destroyed: Int
        var leaks: Int
        var description: String {
            let faults = faultsInjected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return "soak \(cloud): \(Int(simulatedHours)) h simulated in \(Int(wallSeconds)) s; driver runs \(driverRuns), failed \(driverFailures); faults injected: \(faults); nodes lost (failed builds) \(buildsFailed); nodes created \(created), destroyed \(destroyed); leaks \(leaks)"
        }
        var buildsFailed = 0
    }

    /// Runs the soak on one cloud and checks everything the issue asks of it.
    static func run(_ kind: CloudKind) throws -> Figures {
        let clock = EmulatedClouds.makeClock()
        let s = scenario(kind)
        guard case .ready(let cloud) = EmulatedClouds.make(s, driver: TMCloudBinary.path, clock: clock) else {
            throw SettingError("emulated \(kind.rawValue) not available")
        }
        defer { cloud.shutdown() }
        let result = Simulation(scenario: s, cloud: cloud, clock: clock).run()
        let log = cloud.requestLog.all

        // The pool within bounds once converged, no name listed twice, nothing left
        // behind: the simulator's own invariants.
        #expect(result.violations.isEmpty, "\(kind): \(result.violations)")
        #expect(result.leftovers.isEmpty, "\(kind): \(result.leftovers)")

        // Nothing the cloud still holds (servers, droplets, floating IPs) that the run
        // made, once deletions have had time to finish.
        clock.advance(by: 3600)
        _ = cloud.transport.execute(arguments: ["status", "--cloudcreds=\(cloud.cloudCredentials)"], timeout: 30)
        let leaked = cloud.inventory().createdThroughAPI
        if !leaked.isEmpty, let dump = ProcessInfo.processInfo.environment["TMCLOUD_SOAK_DUMP"] {
            let text = log.map { "\($0.virtualTime) \($0.method) \($0.target) \($0.status ?? 0) \($0.fault ?? "") \($0.body ?? "")" }.joined(separator: "\n")
            _ = FileManager.default.createFile(atPath: dump, contents: Data(text.utf8))
        }
        #expect(leaked.isEmpty, "\(kind) leaked \(leaked.map { "\($0.kind) \($0.id) \($0.name)" })")

        // One node per name: no name was created twice by the cloud.
        var createdNames: [String: Int] = [:]
        for entry in log where entry.method == "POST" && isCreate(entry.path, kind) {
            guard let status = entry.status, (200..<300).contains(status) || entry.fault == "drop-after-reply" else { continue }
            if let name = nodeName(in: entry.body ?? "") { createdNames[name, default: 0] += 1 }
        }
        let twice = createdNames.filter { $0.value > 1 }
        #expect(twice.isEmpty, "\(kind): names created more than once: \(twice)")

        // Every failed driver run is an event with the driver's own error line, and no
        // run went past its deadline (20 s for status, 150 s for changes).
        let failureTags: Set<EventTag> = [.changeProcessFailure, .statusUpdateError, .changeProcessHanging, .statusProcessHanging, .responseParseError]
        let failureEvents = result.events.filter { failureTags.contains($0.tag) }
        let failures = result.driverStats.values.map(\.failures).reduce(0, +)
        for event in failureEvents where event.tag == .changeProcessFailure || event.tag == .statusUpdateError {
            if event.message.contains("after destroynode; counted again") { continue }
            #expect(event.message.contains("tmcloud: "), "\(kind): event without the driver's message: \(event)")
        }
        #expect(failureEvents.count >= failures, "\(kind): \(failures) failed runs, \(failureEvents.count) events")
        for (action, stats) in result.driverStats {
            #expect(stats.hung == 0, "\(kind): \(action) hung \(stats.hung) times")
            #expect(stats.unparseable == 0, "\(kind): \(action) printed unparseable output")
            let deadline = action == .status ? 20.0 : 150.0
            #expect(stats.slowestSeconds < deadline + 2, "\(kind): slowest \(action) took \(stats.slowestSeconds) s")
        }
        // The faults did happen.
        var injected: [String: Int] = [:]
        for entry in log { if let fault = entry.fault { injected[fault, default: 0] += 1 } }
        #expect(injected.count >= 3 || seconds < 3600, "\(kind): faults injected \(injected)")

        return Figures(
            cloud: kind.rawValue, simulatedHours: result.simulatedSeconds / 3600, wallSeconds: result.wallSeconds,
            driverRuns: result.driverStats.values.map(\.runs).reduce(0, +), driverFailures: failures,
            faultsInjected: injected, created: result.nodesCreated,
            destroyed: result.nodesDestroyed + result.teardownDestroyed, leaks: leaked.count + result.leftovers.count,
            buildsFailed: result.events.filter { $0.tag == .autoNodeDisappeared }.count)
    }

    static func isCreate(_ path: String, _ kind: CloudKind) -> Bool {
        switch kind {
        case .digitalocean: return path == "/v2/droplets"
        case .openstack: return path.hasSuffix("/servers")
        case .opsource: return path.hasSuffix("/server") || path.hasSuffix("/deployServer")
        }
    }

    /// The node name in a create body: JSON `"name":"…"` or XML `<name>…</name>`.
    static func nodeName(in body: String) -> String? {
        for (open, close) in [("\"name\":\"", "\""), ("\"name\": \"", "\""), ("<name>", "</name>")] {
            if let start = body.range(of: open), let end = body.range(of: close, range: start.upperBound..<body.endIndex) {
                return String(body[start.upperBound..<end.lowerBound])
            }
        }
        return nil
    }
}


@Suite("Fault soak: the real tmcloud on each emulated cloud with faults on", .serialized)
struct FaultSoakTests {
    @Test(arguments: FaultSoak.clouds)
    func soak(_ kind: CloudKind) throws {
        let figures = try FaultSoak.run(kind)
        print(figures)
        if let path = ProcessInfo.processInfo.environment["TMCLOUD_SOAK_REPORT"] {
            let line = figures.description + "\n"
            if let handle = FileHandle(forWritingAtPath: path) {
                handle.seekToEndOfFile()
                handle.write(Data(line.utf8))
                handle.closeFile()
            } else {
                _ = FileManager.default.createFile(atPath: path, contents: Data(line.utf8))
            }
        }
    }
}

/// A whole simulated run searched for the secret (cred2) and, on OpenStack, for the
/// tokens the emulator issued: the ZEUSHOME tree (logs, state, lock), the simulator's
/// output folder, and the driver's argv and environment.
@Suite("Secrets stay out of every output of a simulated run", .serialized)
struct SecretsInRunTests {
    @Test(arguments: [CloudKind.digitalocean, .openstack, .opsource])
    func noSecretAnywhere(_ kind: CloudKind) throws {
        let folder = TempDirectory()
        defer { withExtendedLifetime(folder) {} }
        let scratch = folder.path
        // A driver wrapper that records the argv and environment it was given, written
        // close-on-exec: a process a parallel test spawns meanwhile must not keep it
        // open for writing, or running it fails with ETXTBSY.
        let record = scratch + "/spy.log"
        let spy = folder.script(
            "tmcloud-spy", "{ printf '%s\\n' \"$@\"; env; } >> '\(record)'\nexec '\(TMCloudBinary.path)' \"$@\"")

        var s = FaultSoak.scenario(kind)
        s.duration = 3600
        s.faults = SimulatedFaults()
        s.faults.cloudSpec = "seed=5\nall * error=0.05 throttle=0.02 retryAfter=1\nall buildFail=0.2"
        s.faults.chances[.createFail] = 0.05
        let clock = EmulatedClouds.makeClock()
        guard case .ready(let cloud) = EmulatedClouds.make(s, driver: spy, clock: clock) else {
            throw SettingError("emulated \(kind.rawValue) not available")
        }
        defer { cloud.shutdown() }
        let result = Simulation(scenario: s, cloud: cloud, clock: clock).run()
        _ = try RunOutput.write(result, to: scratch + "/out")
        #expect(result.nodesCreated >= 1)

        // Copy the ZEUSHOME tree before shutdown removes it, leaving out only the
        // credentials object, the one place the secret belongs.
        let home = cloud.zeusHome.path
        let copy = scratch + "/zeushome"
        let cp = try ProcessRunner.run("/bin/cp", arguments: ["-a", home, copy])
        #expect(cp.exitStatus == 0)
        try? FileManager.default.removeItem(atPath: copy + "/zxtm/conf/cloudcredentials")
        let logText = (try? String(contentsOfFile: copy + "/zxtm/log/tmcloud.log", encoding: .utf8)) ?? ""
        #expect(logText.split(separator: "\n").count >= 10, "the driver's log should have a line per run")
        #expect(((try? String(contentsOfFile: record, encoding: .utf8)) ?? "").contains("--cloudcreds="))

        var markers = [cloud.secret]
        if kind == .openstack {
            // The token cache is the one file that holds a token: private, and whole.
            let cache = copy + "/zxtm/internal/tmcloud.\(cloud.cloudCredentials).token"
            let attributes = try FileManager.default.attributesOfItem(atPath: cache)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            #expect(((try? String(contentsOfFile: cache, encoding: .utf8)) ?? "").contains(EmulatedCloud.tokenMarker))
            try FileManager.default.removeItem(atPath: cache)
            markers.append(EmulatedCloud.tokenMarker)
        }
        for marker in markers {
            let grep = try ProcessRunner.run("/bin/grep", arguments: ["-rlaF", marker, scratch])
            #expect(grep.stdoutText.isEmpty, "\(kind): '\(marker)' found in \(grep.stdoutText)")
        }
        // No temporary state files were left behind.
        let internalFiles = try FileManager.default.contentsOfDirectory(atPath: copy + "/zxtm/internal")
        #expect(internalFiles.allSatisfy { !$0.contains(".XXXXXX") && $0.split(separator: ".").count <= 3 }, "\(internalFiles)")
    }
}
