import Foundation
import TMCloudJSON
import Testing

@testable import TMCloudSimulator

/// A cloud that answers with a fixed script, to break invariants on purpose.
final class ScriptedCloud: CloudUnderTest, DriverTransport {
    let name = "scripted"
    let cloudCredentials = "sim"
    var statusNodes: [String]
    var keepsDestroyedNodes = false
    var transport: any DriverTransport { self }
    var label: String { "scripted" }

    init(statusNodes: [String]) { self.statusNodes = statusNodes }

    func execute(arguments: [String], timeout: Double) -> DriverExecution {
        let node = { (id: String, name: String) in
            "{\"uniq_id\":\"\(id)\",\"name\":\"\(name)\",\"status\":\"active\",\"complete\":100,\"public_ip\":\"192.0.2.\(id)\",\"private_ip\":\"\",\"created\":\"\",\"imageid\":\"\",\"sizeid\":\"\"}"
        }
        let body: String
        switch arguments[0] {
        case "status":
            let list = statusNodes.enumerated().map { node(String($0.offset + 1), $0.element) }
            body = "{\"NodeStatusResponse\":{\"version\":1,\"code\":200,\"nodes\":[\(list.joined(separator: ","))]}}"
        case "createnode":
            let name = String(arguments.first { $0.hasPrefix("--name=") }!.dropFirst(7))
            statusNodes.append(name)
            body = "{\"CreateNodeResponse\":{\"version\":1,\"code\":202,\"nodes\":[\(node(String(statusNodes.count), name))]}}"
        default:
            let id = Int(arguments.first { $0.hasPrefix("--id=") }!.dropFirst(5))!
            if !keepsDestroyedNodes, statusNodes.indices.contains(id - 1) { statusNodes[id - 1] = "gone-" }
            body = "{\"DestroyNodeResponse\":{\"version\":1,\"code\":202,\"nodes\":[\(node(String(id), ""))]}}"
        }
        return DriverExecution(exitStatus: 0, stdout: Array(body.utf8))
    }

    func leftovers(prefix: String) -> [String]? { statusNodes.filter { $0.hasPrefix(prefix) } }
    func apiCalls() -> [String: Int]? { nil }
    func schedule(_ faults: SimulatedFaults) {}
    func shutdown() {}
}

@Suite("Whole runs on the model cloud")
struct SimulationTests {
    func run(_ scenario: Scenario) -> SimulationResult {
        let clock = ManualClock()
        let cloud = ModelCloud(
            name: scenario.cloud.rawValue, clock: clock, bootTime: scenario.bootTime, seed: scenario.seed,
            imageID: scenario.settings.imageID, sizeID: scenario.settings.sizeID)
        return Simulation(scenario: scenario, cloud: cloud, clock: clock).run()
    }

    @Test func aSpikeGrowsThePoolToItsRoofAndBackWithEveryInvariantHeld() {
        let r = run(BuiltinScenarios.spike)
        let violations = r.violations
        #expect(violations.isEmpty)
        #expect(r.leftovers.isEmpty)
        let peak = r.timeline.map { $0.active + $0.pending }.max() ?? 0
        #expect(peak == 4)
        #expect(r.eventCount(.hitRoof) >= 1)
        #expect(r.nodesCreated >= 4 && r.nodesDestroyed >= 1)
        #expect(r.timeline.allSatisfy { $0.active + $0.pending <= 4 })
        #expect(r.driverStats[.status]?.runs ?? 0 >= Int(7200 / 30))
        #expect(r.timeline.count == 1440)
    }

    @Test func aDayTakesWellUnderAMinute() {
        let started = Date()
        let r = run(BuiltinScenarios.digitalOcean)
        #expect(Date().timeIntervalSince(started) < 60)
        let passed = r.passed
        #expect(r.simulatedSeconds == 86400 && passed)
        #expect(r.shareWithinTarget > 0.5)
    }

    @Test func runsAreRepeatableForOneSeed() {
        var s = BuiltinScenarios.spike
        s.duration = 3600
        let a = run(s)
        let b = run(s)
        #expect(a.timeline == b.timeline && a.events == b.events)
        s.seed = 99
        #expect(run(s).timeline != a.timeline)
    }

    @Test func aFlakyCloudRaisesFailureEventsButNeverBreaksThePool() {
        let r = run(BuiltinScenarios.flakyCloud)
        let violations = r.violations
        #expect(violations.isEmpty)
        #expect(r.eventCount(.statusProcessHanging) == 1)
        #expect(r.eventCount(.responseParseError) == 1)
        #expect(r.eventCount(.changeProcessFailure) >= 1)
        #expect(r.eventCount(.autoNodeDisappeared) >= 1)
        #expect((r.driverStats[.status]?.hung ?? 0) == 1)
    }

    @Test func scaleToZeroResuscitatesThePool() {
        let r = run(BuiltinScenarios.scaleToZero)
        let violations = r.violations
        #expect(violations.isEmpty)
        #expect(r.timeline.contains { $0.time > 3 * 3600 && $0.active + $0.pending == 0 })
        // Once at the start (min_nodes 0, traffic from the first second), once at 04:00.
        let times: [Double] = r.events.filter { $0.tag == .resuscitatePool }.map(\.time)
        #expect(times == [0, 14401])
    }

    @Test func aDuplicateNodeForOneNameBreaksAnInvariant() {
        var s = BuiltinScenarios.spike
        s.duration = 120
        s.settings.name = "web-"
        let cloud = ScriptedCloud(statusNodes: ["web-a", "web-a"])
        let r = Simulation(scenario: s, cloud: cloud, clock: ManualClock()).run()
        let violations = r.violations
        #expect(violations.contains { $0.contains("duplicate nodes for one name web-a") }, "\(violations)")
    }

    @Test func aNodeLeftBehindAfterTeardownBreaksAnInvariant() {
        var s = BuiltinScenarios.spike
        s.duration = 120
        s.settings.name = "web-"
        let cloud = ScriptedCloud(statusNodes: [])
        cloud.keepsDestroyedNodes = true
        let r = Simulation(scenario: s, cloud: cloud, clock: ManualClock()).run()
        #expect(r.leftovers == ["web-0001"])
        let violations = r.violations
        #expect(violations.contains { $0.contains("left behind after teardown: web-0001") }, "\(violations)")
    }

    @Test func aPoolStuckOutsideItsBoundsBreaksAnInvariant() {
        var s = BuiltinScenarios.spike
        s.duration = 1200
        s.settings.name = "web-"
        s.settings.maxNodes = 1
        s.settings.minNodes = 0
        // Destroys never take: the cloud keeps listing both nodes.
        let cloud = ScriptedCloud(statusNodes: ["web-a", "web-b"])
        cloud.keepsDestroyedNodes = true
        let r = Simulation(scenario: s, cloud: cloud, clock: ManualClock()).run()
        let violations = r.violations
        #expect(violations.contains { $0.contains("outside [0, 1]") }, "\(violations)")
    }

    @Test func teardownAgainstARealAccountTouchesOnlyNodesTheRunCreated() {
        var s = BuiltinScenarios.spike
        s.duration = 60
        s.settings.name = "web-"
        let cloud = ScriptedCloud(statusNodes: ["web-theirs"])
        let simulation = Simulation(scenario: s, cloud: cloud, clock: ManualClock())
        simulation.ownsWholeCloud = false
        let r = simulation.run()
        #expect(cloud.statusNodes.contains("web-theirs"))
        #expect(r.teardownDestroyed == 0)
        let passed = r.passed
        #expect(passed)
    }

    @Test func nodesAlreadyInTheCloudAreAdoptedAndTornDown() {
        var s = BuiltinScenarios.spike
        s.duration = 600
        let clock = ManualClock()
        let cloud = ModelCloud(name: "model", clock: clock, bootTime: 30, seed: 1, imageID: s.settings.imageID, sizeID: s.settings.sizeID)
        cloud.seedNode(name: s.settings.name + "old")
        cloud.seedNode(name: "other-pool-1")
        let r = Simulation(scenario: s, cloud: cloud, clock: clock).run()
        #expect(r.events.first { $0.tag == .autoNodeExisted }?.node == s.settings.name + "old")
        #expect(r.nodesCreated == 0)  // the adopted node satisfies min_nodes
        let passed = r.passed
        #expect(passed && r.leftovers.isEmpty)
        #expect(cloud.leftovers(prefix: "other-") == ["other-pool-1"])
    }

    @Test func progressIsABarOnATerminalAndPlainLinesOtherwise() {
        var terminal = ""
        var plain = ""
        let tty = ProgressDisplay(isTerminal: true) { terminal += $0 }
        let pipe = ProgressDisplay(isTerminal: false) { plain += $0 }
        var counts = PoolCounts()
        counts.active = 2
        counts.inPool = 2
        for t in stride(from: 0.0, through: 7200, by: 60) {
            tty.progress(time: t, of: 7200, rps: 80, compliance: 97.5, counts: counts)
            pipe.progress(time: t, of: 7200, rps: 80, compliance: 97.5, counts: counts)
        }
        let warning = EngineEvent(time: 5, tag: .statusProcessHanging, message: "status: still running")
        let change = EngineEvent(time: 6, tag: .autoNodeCreationStarted, node: "web-0001", message: "createnode web-0001")
        for display in [tty, pipe] {
            display.event(warning)
            display.event(change)
        }
        tty.finish()
        #expect(terminal.hasPrefix("\r\u{1B}[2K[") && terminal.contains("]  0%  00:00:00"))
        #expect(terminal.contains("cloudcredentials_apistatusprocesshanging") && terminal.contains("web-0001"))
        #expect(!plain.contains("\u{1B}") && !plain.contains("web-0001"))
        #expect(plain.contains("cloudcredentials_apistatusprocesshanging"))
        #expect(plain.split(separator: "\n").filter { $0.contains("req/s") }.count == 11)
        #expect(plain.hasPrefix("0% 00:00:00  80 req/s  97.5% conforming  nodes 2 (0 pending, 2 in pool)\n"))
    }

    @Test func anInterruptedRunStillTearsDown() {
        let clock = ManualClock()
        let s = BuiltinScenarios.spike
        let cloud = ModelCloud(name: "model", clock: clock, bootTime: 30, seed: 1, imageID: "", sizeID: "")
        let simulation = Simulation(scenario: s, cloud: cloud, clock: clock)
        let start = clock.now
        simulation.shouldStop = { clock.now - start >= 2400 }
        let r = simulation.run()
        #expect(r.interrupted && r.simulatedSeconds == 2400)
        #expect(r.nodesCreated >= 2)
        #expect(r.leftovers.isEmpty && cloud.leftovers(prefix: s.settings.name) == [])
    }
}
