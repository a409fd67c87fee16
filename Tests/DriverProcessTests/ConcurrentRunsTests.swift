import CloudEmulators
import ProcessRunner
import TMCloudJSON
import TMCloudTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Two Traffic Managers (or two autoscaler decisions) running the driver at once on
/// one machine with the same credentials.
@Suite struct ConcurrentRunsTests {
    static let secret = "MARKER-cred2-concurrent-5c1"

    /// Starts `count` copies of the driver at the same moment and returns each one's
    /// exit status, stdout and stderr.
    func runTogether(_ home: ZeusHomeFixture, _ arguments: [String], count: Int) throws -> [DriverRun] {
        let out = home.path + "/together"
        mkdir(out, 0o755)
        let quoted = arguments.map { "'\($0)'" }.joined(separator: " ")
        var script = ""
        for i in 0..<count {
            script += "( '\(TMCloudBinary.path)' \(quoted) >\(out)/\(i).out 2>\(out)/\(i).err; echo $? >\(out)/\(i).rc ) &\n"
        }
        script += "wait\n"
        let r = try ProcessRunner.run(
            "/bin/sh", arguments: ["-c", script], environment: ["ZEUSHOME": home.path, "PATH": "/usr/bin:/bin"],
            timeout: 180)
        #expect(r.exitStatus == 0 && !r.timedOut)
        return try (0..<count).map { i in
            let rc = String(decoding: try ProcessRunnerShim.cat("\(out)/\(i).rc"), as: UTF8.self)
            return DriverRun(
                exitStatus: Int32(rc.split(separator: "\n").first ?? "") ?? -1,
                stdout: String(decoding: try ProcessRunnerShim.cat("\(out)/\(i).out"), as: UTF8.self),
                stderr: String(decoding: try ProcessRunnerShim.cat("\(out)/\(i).err"), as: UTF8.self), timedOut: false)
        }
    }

    /// A DigitalOcean that takes two seconds before it carries out a create, so that
    /// concurrent createnodes all look before any droplet exists: the window the lock
    /// has to close. (The emulator applies latency before it handles a request.)
    func slowCreateCloud() throws -> DigitalOceanEmulator {
        var options = DigitalOceanEmulator.Options()
        options.tokens = [Self.secret]
        var slowCreate = FaultRule(route: RoutePattern(method: "POST", pathPrefix: "/v2/droplets"))
        slowCreate.latency = 2.0...2.0
        let emulator = DigitalOceanEmulator(options: options, faults: FaultPlan(seed: 3, rules: [slowCreate]))
        try emulator.start()
        return emulator
    }

    func home(for cloud: DigitalOceanEmulator) -> ZeusHomeFixture {
        let home = ZeusHomeFixture()
        home.addExtraFile("pool.cfg", "provider digitalocean\nregion lon1\napiHost \(cloud.baseURL)\ntimeout 5\n")
        home.addCredentials("pool", cred1: "pool.cfg", cred2: Self.secret)
        return home
    }

    static let create = ["createnode", "--cloudcreds=pool", "--name=web-7", "--imageid=debian-12-x64", "--sizeid=s-1vcpu-1gb"]

    /// Four createnodes of one name at once make one droplet, and all four answer with it.
    @Test func concurrentCreatesOfOneNameMakeOneNode() throws {
        let cloud = try slowCreateCloud()
        defer { cloud.stop() }
        let home = home(for: cloud)
        let runs = try runTogether(home, Self.create, count: 4)
        for run in runs {
            #expect(run.exitStatus == 0, "\(run.stderr)")
            #expect(!run.stderr.contains(Self.secret))
        }
        let ids = Set(runs.compactMap { $0.nodes.first?["uniq_id"]?.stringValue })
        #expect(ids.count == 1, "answers name \(ids)")
        let made = cloud.inventory().createdThroughAPI
        #expect(made.count == 1, "\(made.map(\.id))")
        #expect(cloud.requestLog.count(method: "POST", pathPrefix: "/v2/droplets") == 1)
    }

    /// The same runs without the lock (its file made unusable) do race: this is what
    /// the test above would see if the lock were gone.
    @Test func withoutTheLockTheyRace() throws {
        let cloud = try slowCreateCloud()
        defer { cloud.stop() }
        let home = home(for: cloud)
        mkdir(home.internalDirectory + "/tmcloud.pool.lock", 0o755)
        let runs = try runTogether(home, Self.create, count: 4)
        #expect(runs.allSatisfy { $0.exitStatus == 0 })
        // Runs found the name free before the first create was carried out (by their
        // own listing, or by the pool snapshot a run a moment ahead had just written),
        // so more than one create was sent in that window.
        let creates = cloud.requestLog.all.filter { $0.method == "POST" && $0.path == "/v2/droplets" }
        let firstCreateDone = creates.map { $0.virtualTime + $0.latency }.min() ?? 0
        #expect(creates.filter { $0.virtualTime < firstCreateDone }.count >= 2, "\(creates.map(\.virtualTime))")
        #expect(cloud.inventory().createdThroughAPI.count >= 2)
    }

    /// Concurrent first runs on OpenStack all authenticate and write the token cache;
    /// the cache ends whole (one valid JSON document), private, with no temporary
    /// files beside it, and neither the password nor the token reaches any output.
    @Test func tokenCacheSurvivesConcurrentRuns() throws {
        var options = OpenStackEmulator.Options()
        options.password = Self.secret
        options.tokenPrefix = "MARKER-token-"
        let cloud = OpenStackEmulator(options: options)
        try cloud.start()
        defer { cloud.stop() }
        let home = ZeusHomeFixture()
        home.addExtraFile(
            "os.cfg",
            "provider openstack\nauthURL \(cloud.authURL)\nusername \(options.userName)\nproject \(options.projectName)\ntimeout 5\n")
        home.addCredentials("pool", cred1: "os.cfg", cred2: Self.secret)
        for round in 0..<2 {
            let runs = try runTogether(home, ["status", "--cloudcreds=pool", "--verbose"], count: 6)
            for run in runs {
                #expect(run.exitStatus == 0, "round \(round): \(run.stderr)")
                #expect(!run.stderr.contains(Self.secret) && !run.stderr.contains("MARKER-token-"), "\(run.stderr)")
                #expect(!run.stdout.contains("MARKER-token-"))
            }
            let cache = home.internalDirectory + "/tmcloud.pool.token"
            let json = try JSONParser.parse(try ProcessRunnerShim.cat(cache))
            #expect(json["token"]?.stringValue?.hasPrefix("MARKER-token-") == true)
            var info = stat()
            #expect(stat(cache, &info) == 0 && info.st_mode & 0o777 == 0o600)
            #expect(home.files(in: "zxtm/internal").allSatisfy { !$0.contains(".token.") }, "\(home.files(in: "zxtm/internal"))")
        }
        // The second round found a fresh token: no run authenticated again.
        #expect(cloud.requestLog.count(method: "POST", pathPrefix: "/identity/v3/auth/tokens") <= 6)
    }
}
