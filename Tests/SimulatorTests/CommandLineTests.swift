import Foundation
import Testing

@testable import TMCloudSimulator

@Suite("Command line")
struct CommandLineTests {
    let files: [String: String] = [
        "/pool.json": """
            {"properties":{"basic":{"monitors":[]},"auto_scaling":{"enabled":true,"external":false,
            "cloud_credentials":"do","min_nodes":2,"max_nodes":6,"hysteresis":30,"ips_to_use":"private_ips",
            "name":"shop-","imageid":"img-9","size_id":"s-2vcpu-4gb","port":8080,"extraargs":""}}}
            """,
        "/trace.csv": "time,requests_per_second\n0,5\n600,50\n",
        "/scenario.json": """
            {"name":"mine","cloud":"openstack","duration":"2h","seed":5,"pool":{"max_nodes":3},
             "load":{"profile":"ramp","from":10,"to":300,"over":3600,"spikes":[{"at":"00:30","duration":60,"extra":50}]},
             "node":{"capacity":50,"base_latency":100,"boot_time":30},"faults":"create_fail=0.5","engine":{"destroy_order":"oldest"}}
            """,
    ]

    func parse(_ args: [String]) throws(UsageError) -> SimulatorCommand {
        try CommandLineParser.parse(args) { path in
            guard let text = files[path] else { throw SettingError("no such file") }
            return text
        }
    }

    func request(_ args: [String]) throws -> RunRequest {
        guard case .run(let request) = try parse(args) else { throw SettingError("not a run") }
        return request
    }

    func error(_ args: [String]) -> String? {
        do {
            _ = try parse(args)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func noArgumentsRunsTheDefaultDayOnEmulatedDigitalOcean() throws {
        let r = try request([])
        #expect(r.scenario.name == "digitalocean" && r.scenario.cloud == .digitalocean)
        #expect(r.scenario.duration == 86400)
        #expect(r.outputDirectory == "sim-output" && r.driver == .automatic && r.realAccount == nil)
        #expect(r.scenario.settings.minNodes == 1 && r.scenario.settings.maxNodes == 4)
        #expect(r.scenario.settings.responseTime == 1000 && r.scenario.settings.refractory == 180)
    }

    @Test func trafficManagerDefaults() {
        let s = PoolSettings()
        #expect(s.minNodes == 1 && s.maxNodes == 4 && s.responseTime == 1000)
        #expect(s.scaleUpLevel == 40 && s.scaleDownLevel == 95 && s.hysteresis == 20 && s.refractory == 180)
        #expect(s.addNodeDelayTime == 0 && s.lastNodeIdleTime == 3600 && s.ipsToUse == .publicIPs && s.port == 80)
        #expect(s.updateInterval == 30 && s.cloudAPITimeout == 200)
    }

    @Test func commands() throws {
        #expect(try parse(["scenarios"]) == .scenarios)
        #expect(try parse(["help"]) == .help)
        #expect(try parse(["serve", "--port=8080"]) == .serve(port: 8080))
        #expect(try parse(["serve", "--seed=1000", "--rate-limit=100000"]) == .serve(port: 0, seed: 1000, rateLimit: 100_000))
        #expect(throws: UsageError.self) { try parse(["serve", "--seed=-1"]) }
        #expect(try parse(["serve", "--tls-cert=c.pem", "--tls-key=k.pem"])
            == .serve(port: 0, tls: ServeTLS(certificate: "c.pem", key: "k.pem")))
        #expect(throws: UsageError.self) { try parse(["serve", "--tls-cert=c.pem"]) }
        #expect(throws: UsageError.self) { try parse(["serve", "--tls-key="]) }
        #expect(try request(["run", "--scenario=openstack"]).scenario.cloud == .openstack)
    }

    @Test func poolSettingsByTheTrafficManagersNames() throws {
        let r = try request([
            "run", "--min_nodes=2", "--max-nodes=5", "--scale_up_level=30", "--refractory=60", "--ips_to_use=private_ips",
            "--port=8443", "--update_interval=10", "--cloud_api_timeout=90", "--name=api-", "--destroy_order=oldest",
            "--measurement_window=30", "--out=/tmp/x", "--seed=9", "--duration=6h", "--driver=model",
        ])
        let s = r.scenario.settings
        #expect(s.minNodes == 2 && s.maxNodes == 5 && s.scaleUpLevel == 30 && s.refractory == 60)
        #expect(s.ipsToUse == .privateIPs && s.port == 8443 && s.updateInterval == 10 && s.cloudAPITimeout == 90)
        #expect(s.name == "api-")
        #expect(r.scenario.choices.destroyOrder == .oldest && r.scenario.choices.measurementWindow == 30)
        #expect(r.outputDirectory == "/tmp/x" && r.scenario.seed == 9 && r.scenario.duration == 21600 && r.driver == .model)
    }

    @Test func poolJSONFromTheRESTAPIIsReadAsItIs() throws {
        let s = try request(["--pool-json=/pool.json", "--hysteresis=5"]).scenario.settings
        #expect(s.minNodes == 2 && s.maxNodes == 6 && s.ipsToUse == .privateIPs && s.port == 8080)
        #expect(s.name == "shop-" && s.imageID == "img-9" && s.sizeID == "s-2vcpu-4gb")
        #expect(s.hysteresis == 5)  // the command line wins over the file
    }

    @Test func traceScenarioFileAndFaults() throws {
        let traced = try request(["--trace=/trace.csv"]).scenario
        #expect(traced.load.rate(at: 300) == 27.5 && traced.load.spikes.isEmpty)
        let s = try request(["--scenario=/scenario.json", "--faults=status_hang@1h,vanish@13:30,boot_fail=0.1"]).scenario
        #expect(s.name == "mine" && s.cloud == .openstack && s.duration == 7200 && s.seed == 5)
        #expect(s.settings.maxNodes == 3 && s.node.capacity == 50 && s.bootTime == 30)
        #expect(s.load.rate(at: 1800) == 155 + 50)
        #expect(s.choices.destroyOrder == .oldest)
        #expect(s.faults.timed.map(\.at) == [3600, 48600] && s.faults.chances[.bootFail] == 0.1)
        let cloudFaults = try request(["--cloud-faults=all * error=0.1; do buildFail=0.2"]).scenario.faults
        #expect(cloudFaults.cloudSpec == "all * error=0.1; do buildFail=0.2" && !cloudFaults.isEmpty)
    }

    @Test(arguments: [
        (["--max_nodes=lots"], "max_nodes must be a number"),
        (["--min_nodes=5"], "min_nodes (5) is above max_nodes (4)"),
        (["--ips_to_use=both"], "ips_to_use must be publicips or private_ips"),
        (["--bogus=1"], "unknown option --bogus"),
        (["--scenario=nope"], "unknown scenario nope"),
        (["--seed"], "--seed needs a value"),
        (["stuff"], "unknown command stuff"),
        (["run", "extra"], "unexpected argument extra"),
        (["--faults=explode@1h"], "unknown timed fault explode"),
        (["--faults=create_fail=2"], "probability must be 0..1"),
        (["--cloud-faults=mars * error=0.1"], "--cloud-faults: fault spec: unknown cloud mars"),
        (["--pool-json=/missing.json"], "cannot read pool JSON /missing.json"),
        (["--cloudcreds=do"], "needs --cloudcreds=NAME and --zeushome=DIR"),
        (["--cloudcreds=do", "--zeushome=/z"], "add --i-understand-this-uses-a-real-account"),
    ])
    func badInputIsAOneLineError(args: [String], message: String) {
        let text = error(args)
        #expect(text?.contains(message) == true, "\(text ?? "no error")")
        #expect(text?.contains("\n") == false)
    }

    @Test func aRealAccountIsGuardedCappedAndRealTime() throws {
        let r = try request([
            "--cloudcreds=do", "--zeushome=/opt/zeus", "--i-understand-this-uses-a-real-account", "--max_nodes=10",
        ])
        #expect(r.realAccount == RealAccount(cloudCredentials: "do", zeusHome: "/opt/zeus"))
        #expect(r.scenario.settings.maxNodes == 3)
        #expect(r.scenario.duration == 1800)
        #expect(!r.notices.isEmpty)
        #expect(error(["--cloudcreds=do", "--zeushome=/z", "--i-understand-this-uses-a-real-account", "--faults=vanish@1m"]) != nil)
    }

    @Test func exitStatusesAndTheResultsFolder() throws {
        let dir = TempDirectory()
        #expect(SimulatorApp.main(["--bogus=1"]) == 2)
        #expect(SimulatorApp.main(["run", "--driver=/nonexistent/tmcloud", "--quiet"]) == 2)
        let out = dir.path + "/results"
        let status = SimulatorApp.main(["run", "--scenario=spike", "--driver=model", "--duration=20m", "--quiet", "--out=\(out)"])
        #expect(status == 0)
        let files = try FileManager.default.contentsOfDirectory(atPath: out).sorted()
        #expect(files == ["chart.svg", "events.log", "summary.json", "timeline.csv"])
    }
}
