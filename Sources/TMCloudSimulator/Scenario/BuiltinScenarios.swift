/// The scenarios `tmcloud-sim scenarios` lists. The first is the default run.
public enum BuiltinScenarios {
    public static let defaultName = "digitalocean"

    public static var all: [Scenario] { [digitalOcean, opSource, openStack, spike, scaleToZero, flakyCloud] }

    public static func named(_ name: String) -> Scenario? { all.first { $0.name == name } }

    /// A working day with a morning and an evening peak and a burst at 17:00.
    static func day(_ name: String, _ cloud: CloudKind, summary: String, boot: Double, configure: (inout PoolSettings) -> Void)
        -> Scenario
    {
        var settings = PoolSettings()
        configure(&settings)
        var scenario = Scenario(
            name: name, summary: summary, cloud: cloud, duration: 86400, settings: settings,
            load: LoadProfile(
                shape: .daily(low: 15, high: 250, start: 0), spikes: [LoadSpike(at: 17 * 3600, duration: 1200, extra: 170)],
                noise: 0.04),
            bootTime: boot)
        scenario.node = NodeModel(capacity: 100, baseLatency: 200)
        return scenario
    }

    public static var digitalOcean: Scenario {
        day(
            "digitalocean", .digitalocean,
            summary: "a day of traffic with a daily curve and a 17:00 spike on emulated DigitalOcean (default)", boot: 55
        ) {
            $0.name = "sim-web-"
            $0.imageID = "ubuntu-24-04-x64"
            $0.sizeID = "s-1vcpu-1gb"
        }
    }

    public static var opSource: Scenario {
        day(
            "opsource", .opsource,
            summary: "the same day on emulated OpSource (slow deployment; nodes joined by their VLAN address)", boot: 240
        ) {
            $0.name = "sim-app-"
            $0.imageID = "a4c8e2d0-5b7f-4e1a-9c3d-7f2e1b0a9d01"
            $0.sizeID = ""
            $0.ipsToUse = .privateIPs
        }
    }

    public static var openStack: Scenario {
        day(
            "openstack", .openstack,
            summary: "the same day on emulated OpenStack, nodes joined by private IP after a 30 s delay", boot: 40
        ) {
            $0.name = "sim-api-"
            $0.imageID = "debian-12"
            $0.sizeID = "m1.small"
            $0.ipsToUse = .privateIPs
            $0.addNodeDelayTime = 30
        }
    }

    public static var spike: Scenario {
        var s = digitalOcean
        s.name = "spike"
        s.summary = "two hours: steady load, a sudden burst past max_nodes, and the calm after"
        s.duration = 7200
        s.load = LoadProfile(
            shape: .constant(60), spikes: [LoadSpike(at: 1800, duration: 1800, extra: 400)], noise: 0.04)
        return s
    }

    public static var scaleToZero: Scenario {
        var s = digitalOcean
        s.name = "scale-to-zero"
        s.summary = "min_nodes 0: traffic stops, the last node goes after last_node_idle_time, and comes back"
        s.duration = 6 * 3600
        s.settings.minNodes = 0
        s.settings.lastNodeIdleTime = 1800
        s.load = LoadProfile(
            shape: .trace([(0, 40), (3600, 40), (3601, 0), (4 * 3600, 0), (4 * 3600 + 1, 80), (6 * 3600, 80)]), noise: 0.04)
        return s
    }

    public static var flakyCloud: Scenario {
        var s = digitalOcean
        s.name = "flaky-cloud"
        s.summary = "six hours on a cloud that fails, hangs, prints garbage and loses a node"
        s.duration = 6 * 3600
        s.load = LoadProfile(shape: .daily(low: 60, high: 250, start: 15 * 3600), noise: 0.04)
        s.faults.chances = [.createFail: 0.2, .statusFail: 0.02, .bootFail: 0.1]
        s.faults.timed = [(.statusHang, 1800), (.statusGarbage, 3600), (.vanish, 7200), (.destroyHang, 3 * 3600)]
        return s
    }
}
