import Foundation
import TMCloudTestSupport
import Testing

@testable import TMCloudSimulator

/// Short scenarios with the real `tmcloud` against each emulated cloud.
enum EndToEnd {
    static var driver: String { TMCloudBinary.path }

    /// A 40-minute run: quiet, a surge that needs more nodes, then quiet again.
    static func scenario(_ kind: CloudKind) -> Scenario {
        var s = BuiltinScenarios.all.first { $0.cloud == kind && $0.duration == 86400 }!
        s.name = "e2e-\(kind.rawValue)"
        s.duration = 2400
        s.settings.refractory = 120
        s.bootTime = min(s.bootTime, 60)
        s.load = LoadProfile(
            shape: .trace([(0, 30), (299, 30), (300, 230), (1199, 230), (1200, 20), (2400, 20)]), noise: 0.03)
        return s
    }

    /// True when the built driver can drive the emulated cloud: one status run against it
    /// succeeds. False while the driver's provider for it is not written yet.
    static func supports(_ kind: CloudKind) -> Bool {
        switch EmulatedClouds.make(scenario(kind), driver: driver, clock: EmulatedClouds.makeClock()) {
        case .ready(let cloud):
            cloud.shutdown()
            return true
        case .unavailable:
            return false
        }
    }

    static func run(_ kind: CloudKind, faults: String = "") throws -> SimulationResult {
        let clock = EmulatedClouds.makeClock()
        var s = scenario(kind)
        s.faults = try SimulatedFaults.parse(faults)
        guard case .ready(let cloud) = EmulatedClouds.make(s, driver: driver, clock: clock) else {
            throw SettingError("emulated \(kind.rawValue) not available")
        }
        defer { cloud.shutdown() }
        return Simulation(scenario: s, cloud: cloud, clock: clock).run()
    }

    static func checkInvariants(_ r: SimulationResult) {
        let violations = r.violations
        let leftovers = r.leftovers
        #expect(violations.isEmpty)
        #expect(leftovers.isEmpty)
        let created = r.nodesCreated
        let peak = r.timeline.map { $0.active + $0.pending }.max() ?? 0
        let maxNodes = r.scenario.settings.maxNodes
        let withinMax = r.timeline.allSatisfy { $0.active + $0.pending <= maxNodes }
        let completed = r.eventCount(.autoNodeCreationComplete)
        let statusRuns = r.driverStats[.status]?.runs ?? 0
        let failures = r.driverStats.values.map(\.failures).reduce(0, +)
        let apiCalls = (r.apiCalls ?? [:]).values.reduce(0, +)
        let problems = r.events.filter { $0.tag.isWarning && $0.tag != .hitRoof && $0.time > 0 }.map(\.description)
        #expect(created >= 2)
        #expect(peak >= 2)
        #expect(withinMax)
        #expect(completed >= 2)
        #expect(statusRuns >= 80)
        #expect(failures == 0)
        #expect(problems.isEmpty)
        #expect(apiCalls > 0)
    }
}

@Suite("End to end: the real tmcloud against the emulated clouds", .serialized)
struct EndToEndTests {
    @Test(.enabled(if: EndToEnd.supports(.digitalocean), "tmcloud's digitalocean provider is not in this build"))
    func digitalOcean() throws { EndToEnd.checkInvariants(try EndToEnd.run(.digitalocean)) }

    @Test(.enabled(if: EndToEnd.supports(.openstack), "tmcloud's openstack provider is not in this build"))
    func openStack() throws { EndToEnd.checkInvariants(try EndToEnd.run(.openstack)) }

    @Test(.enabled(if: EndToEnd.supports(.opsource), "tmcloud's opsource provider is not in this build"))
    func opSource() throws { EndToEnd.checkInvariants(try EndToEnd.run(.opsource)) }

    @Test(.enabled(if: EndToEnd.supports(.digitalocean), "tmcloud's digitalocean provider is not in this build"))
    func faultsOnEmulatedDigitalOcean() throws {
        let r = try EndToEnd.run(
            .digitalocean, faults: "status_hang@2m,status_garbage@4m,create_hang@5m,vanish@15m,boot_fail=0.2,status_fail=0.05")
        let violations = r.violations
        let leftovers = r.leftovers
        #expect(violations.isEmpty)
        #expect(leftovers.isEmpty)
        #expect(r.eventCount(.statusProcessHanging) == 1)
        #expect(r.eventCount(.responseParseError) == 1)
        #expect(r.eventCount(.changeProcessHanging) == 1)
        #expect(r.eventCount(.autoNodeDisappeared) >= 1)
        // The hung create reached the cloud: its node is adopted by name, not duplicated.
        #expect(r.eventCount(.autoNodeExisted) >= 1)
    }
}

@Suite("Emulated cloud wiring")
struct EmulatedCloudWiringTests {
    @Test(arguments: CloudKind.allCases)
    func aDriverWithoutTheProviderIsReportedNotRun(kind: CloudKind) {
        let dir = TempDirectory()
        let fake = dir.script(
            "tmcloud",
            "echo 'tmcloud: status: tmcloud-sim.conf:1: provider \(kind.rawValue) is not available in this build' >&2; exit 2")
        guard case .unavailable(let why) = EmulatedClouds.make(EndToEnd.scenario(kind), driver: fake, clock: EmulatedClouds.makeClock())
        else {
            Issue.record("expected unavailable")
            return
        }
        #expect(why == "the driver's \(kind.rawValue) provider is not available in this build")
    }

    @Test(arguments: CloudKind.allCases)
    func theDriverFindsTheEmulatorThroughZeusHome(kind: CloudKind) throws {
        let dir = TempDirectory()
        // A stand-in driver that answers status and shows what it was given.
        let fake = dir.script(
            "tmcloud",
            """
            cat "$ZEUSHOME/zxtm/conf/cloudcredentials/sim" "$ZEUSHOME/zxtm/conf/extra/tmcloud-sim.conf" > \(dir.path)/seen
            echo '{"NodeStatusResponse":{"version":1,"code":200,"nodes":[]}}'
            """)
        guard case .ready(let cloud) = EmulatedClouds.make(EndToEnd.scenario(kind), driver: fake, clock: EmulatedClouds.makeClock())
        else {
            Issue.record("expected the emulated cloud to start")
            return
        }
        defer { cloud.shutdown() }
        let seen = dir.read("seen")
        #expect(seen.hasPrefix("cred1 tmcloud-sim.conf\ncred2 "))
        #expect(seen.contains("provider \(kind.rawValue)\n"))
        #expect(seen.contains("http://127.0.0.1:"))
        #expect(cloud.leftovers(prefix: "sim-") == [])
        #expect(cloud.apiCalls() == [:])
    }
}
