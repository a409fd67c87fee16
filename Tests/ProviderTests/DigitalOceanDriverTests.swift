// The built `tmcloud` binary against the emulated DigitalOcean (wall clock, short boot
// times), run the way the Traffic Manager runs it: ZEUSHOME, --cloudcreds, one JSON
// line on stdout. Request counts come from the emulator's request log.
import CloudEmulators
import Foundation
import Testing
import TMCloudJSON
import TMCloudKit
import TMCloudTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("tmcloud binary against the emulated DigitalOcean", .serialized)
struct DigitalOceanDriverTests {
    static let create = ["--imageid=debian-12-x64", "--sizeid=s-1vcpu-1gb"]

    /// Runs `tmcloud ACTION --cloudcreds=do ...` and returns the run and the requests it made.
    func run(_ bench: DigitalOceanBench, _ home: ZeusHomeFixture, _ arguments: [String]) -> (DriverRun, Int) {
        bench.resetLog()
        let result = home.run([arguments[0], "--cloudcreds=do"] + arguments.dropFirst())
        return (result, bench.requests.count)
    }

    func node(_ run: DriverRun) -> JSONValue { run.nodes.first ?? .null }

    /// Waits (really) until the emulator has built or changed what it was asked to.
    func settle(_ seconds: Double = 0.6) { usleep(UInt32(seconds * 1_000_000)) }

    /// Turns the emulator's faults off as soon as one request has met them, from a
    /// thread of its own while the binary runs: a task could wait behind blocking tests
    /// on the two-thread test pool for longer than the driver keeps retrying.
    func clearFaultsAfterFirstHit(_ bench: DigitalOceanBench) -> Thread {
        let emulator = bench.emulator
        let thread = Thread {
            for _ in 0..<2000 where !Thread.current.isCancelled {
                if emulator.requestLog.all.contains(where: { $0.fault != nil }) {
                    emulator.faultPlan = .none
                    return
                }
                usleep(5000)
            }
        }
        thread.start()
        return thread
    }

    @Test func everyActionWithItsRequestCount() throws {
        let bench = try DigitalOceanBench(virtualTime: false, bootDelay: 0.4, actionDelay: 0)
        let home = bench.zeusHome(["logFile do.log"])

        let (empty, emptyCost) = run(bench, home, ["status"])
        #expect(empty.exitStatus == 0, "\(empty.stderr)")
        #expect(empty.stdout == #"{"NodeStatusResponse":{"version":1,"code":200,"nodes":[]}}"# + "\n")
        #expect(emptyCost == 1)

        // The status just now left a pool snapshot without web-1: the create alone.
        let (created, createCost) = run(bench, home, ["createnode", "--name=web-1"] + Self.create)
        #expect(created.exitStatus == 0, "\(created.stderr)")
        #expect(created.json?["CreateNodeResponse"]?["code"] == 202)
        let id = try #require(node(created)["uniq_id"]?.stringValue)
        #expect(node(created)["status"] == "pending")
        #expect(node(created)["name"] == "web-1")
        #expect(createCost == 1)

        // The same name again is looked up (it is in the snapshot and the journal).
        let (again, againCost) = run(bench, home, ["createnode", "--name=web-1"] + Self.create)
        #expect(node(again)["uniq_id"]?.stringValue == id)
        #expect(againCost == 1)
        #expect(bench.dropletNames() == ["web-1"])

        settle()
        let (status, statusCost) = run(bench, home, ["status"])
        #expect(statusCost == 1)
        let active = node(status)
        #expect(active["status"] == "active")
        #expect(active["complete"] == 100)
        #expect(active["public_ip"]?.stringValue?.hasPrefix("198.18.") == true)
        #expect(active["private_ip"]?.stringValue?.hasPrefix("10.110.") == true)
        #expect(active["imageid"] == "debian-12-x64")
        #expect(active["sizeid"] == "s-1vcpu-1gb")
        #expect(active["created"]?.stringValue?.hasSuffix("Z") == true)

        let (filtered, _) = run(bench, home, ["status", "--name=web-2"])
        #expect(filtered.nodes.isEmpty)
        let (byID, byIDCost) = run(bench, home, ["statusnode", "--id=\(id)"])
        #expect(node(byID)["status"] == "active")
        #expect(byIDCost == 1)
        let (byName, byNameCost) = run(bench, home, ["statusnode", "--name=web-1"])
        #expect(node(byName)["uniq_id"]?.stringValue == id)
        #expect(byNameCost == 1)

        let (destroyed, destroyCost) = run(bench, home, ["destroynode", "--id=\(id)"])
        #expect(destroyed.exitStatus == 0, "\(destroyed.stderr)")
        #expect(destroyed.json?["DestroyNodeResponse"]?["code"] == 202)
        #expect(node(destroyed)["status"] == "destroyed")
        #expect(node(destroyed)["complete"] == 80)
        #expect(destroyCost == 1)
        #expect(bench.dropletNames().isEmpty)

        let (twice, _) = run(bench, home, ["destroynode", "--id=\(id)"])
        #expect(twice.exitStatus == 0)
        #expect(node(twice)["complete"] == 100)
        let (gone, _) = run(bench, home, ["statusnode", "--id=\(id)"])
        #expect(node(gone)["status"] == "destroyed")
        #expect(node(gone)["complete"] == 100)

        let (notOurs, notOursCost) = run(bench, home, ["statusnode", "--id=srv-7"])
        #expect(notOurs.exitStatus == 0)
        #expect(node(notOurs)["status"] == "destroyed")
        #expect(notOursCost == 0)

        let (noSize, _) = run(bench, home, ["createnode", "--name=web-3", "--imageid=debian-12-x64"])
        #expect(noSize.exitStatus == 2)
        #expect(noSize.stderr.contains("--sizeid"))
        #expect(home.files(in: "zxtm/log") == ["do.log"])
    }

    /// Without a recent status (no snapshot, or one older than ten minutes) a create
    /// lists the pool first, as it always did.
    @Test func aCreateWithoutARecentStatusListsFirst() throws {
        let bench = try DigitalOceanBench(virtualTime: false, bootDelay: 0.4, actionDelay: 0)
        let home = bench.zeusHome()
        let (_, firstCost) = run(bench, home, ["createnode", "--name=web-1"] + Self.create)
        #expect(firstCost == 2)
        #expect(run(bench, home, ["status"]).1 == 1)
        #expect(setAge(of: home.internalDirectory + "/tmcloud.do.nodes", seconds: 601))
        let (stale, staleCost) = run(bench, home, ["createnode", "--name=web-2"] + Self.create)
        #expect(stale.exitStatus == 0, "\(stale.stderr)")
        #expect(staleCost == 2)
        #expect(bench.requests.map { "\($0.method) \($0.path)" } == ["GET /v2/droplets", "POST /v2/droplets"])
        #expect(run(bench, home, ["status"]).1 == 1)
        let (_, freshCost) = run(bench, home, ["createnode", "--name=web-3"] + Self.create)
        #expect(freshCost == 1)
        #expect(bench.dropletNames().sorted() == ["web-1", "web-2", "web-3"])
    }

    /// status rewrites the snapshot only when the pool changed; otherwise it renews
    /// the file's time alone, which is what keeps it fresh.
    @Test func theSnapshotIsRewrittenOnlyWhenThePoolChanges() throws {
        let bench = try DigitalOceanBench(virtualTime: false, bootDelay: 0.4, actionDelay: 0)
        bench.emulator.seedDroplets(count: 3, namePrefix: "pool", tag: "tmcloud")
        let home = bench.zeusHome()
        let path = home.internalDirectory + "/tmcloud.do.nodes"
        func inode() -> UInt? {
            var info = stat()
            return stat(path, &info) == 0 ? UInt(info.st_ino) : nil
        }
        func age() -> Int {
            var info = stat()
            return stat(path, &info) == 0 ? time(nil) - info.st_mtim.tv_sec : -1
        }
        #expect(run(bench, home, ["status"]).0.exitStatus == 0)
        let first = try #require(inode())
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let text = String(decoding: try #require(StateFile.read(path)), as: UTF8.self)
        #expect(text.split(separator: "\n").count == 4 && text.contains(" normal - pool-1\n"), "\(text)")
        #expect(setAge(of: path, seconds: 300))
        #expect(run(bench, home, ["status"]).0.exitStatus == 0)
        #expect(inode() == first && age() < 5)
        // A change of the pool is written (a new file renamed over the old one).
        bench.emulator.seedDroplets(count: 1, namePrefix: "more", tag: "tmcloud")
        #expect(run(bench, home, ["listnodes"]).0.nodes.count == 4)
        #expect(inode() != first)
        // A change made by destroynode keeps the time of the listing.
        #expect(setAge(of: path, seconds: 120))
        let id = try #require(run(bench, home, ["status", "--name=more-1"]).0.nodes.first?["uniq_id"]?.stringValue)
        #expect(setAge(of: path, seconds: 120))
        #expect(run(bench, home, ["destroynode", "--id=\(id)"]).1 == 1)
        #expect(!String(decoding: try #require(StateFile.read(path)), as: UTF8.self).contains("more-1"))
        #expect((118...125).contains(age()))
    }

    @Test func statusOfTwoHundredDropletsIsOneRequest() throws {
        let bench = try DigitalOceanBench(virtualTime: false)
        bench.emulator.seedDroplets(count: 200, namePrefix: "pool", tag: "tmcloud")
        let home = bench.zeusHome()
        let (status, cost) = run(bench, home, ["status"])
        #expect(status.nodes.count == 200)
        #expect(cost == 1)
        #expect(bench.requests.first?.target == "/v2/droplets?tag_name=tmcloud&per_page=200")

        bench.emulator.seedDroplets(count: 55, namePrefix: "more", tag: "tmcloud")
        let (bigger, biggerCost) = run(bench, home, ["listnodes"])
        #expect(bigger.nodes.count == 255)
        #expect(biggerCost == 2)
    }

    @Test func aCreateWhoseReplyIsLostMakesOneDroplet() throws {
        let bench = try DigitalOceanBench(virtualTime: false, bootDelay: 0.4)
        var rule = FaultRule(route: RoutePattern(method: "POST", pathPrefix: "/v2/droplets"))
        rule.dropAfterReplyShare = 1
        bench.emulator.faultPlan = FaultPlan(rules: [rule])
        let home = bench.zeusHome()
        let (created, _) = run(bench, home, ["createnode", "--name=web-1"] + Self.create)
        #expect(created.exitStatus == 0, "\(created.stderr)")
        #expect(node(created)["name"] == "web-1")
        #expect(bench.requests.filter { $0.method == "POST" }.count == 1)
        #expect(bench.dropletNames() == ["web-1"])
    }

    @Test func aCreateThatTimesOutIsLookedUpNotRepeated() throws {
        let bench = try DigitalOceanBench(virtualTime: false, bootDelay: 0.4)
        var rule = FaultRule(route: RoutePattern(method: "POST", pathPrefix: "/v2/droplets"))
        rule.hangShare = 1
        rule.hangSeconds = 4
        bench.emulator.faultPlan = FaultPlan(rules: [rule])
        let home = bench.zeusHome()
        let watcher = clearFaultsAfterFirstHit(bench)
        let (created, _) = run(bench, home, ["createnode", "--name=web-1", "--verbose"] + Self.create)
        watcher.cancel()
        #expect(created.exitStatus == 0, "\(created.stderr)")
        // The timed-out POST, a name lookup that found nothing, then one more POST.
        #expect(bench.requests.map { "\($0.method) \($0.path)" }.suffix(3) == [
            "POST /v2/droplets", "GET /v2/droplets", "POST /v2/droplets",
        ])
        #expect(created.stderr.contains("looking web-1 up before trying again"))
        #expect(bench.dropletNames() == ["web-1"])
    }

    @Test func throttlingAndServerErrorsAreRetried() throws {
        let bench = try DigitalOceanBench(virtualTime: false)
        let home = bench.zeusHome()
        bench.emulator.setRateLimit(1, window: 1)
        _ = run(bench, home, ["status"])
        let (throttled, _) = run(bench, home, ["status", "--verbose"])
        #expect(throttled.exitStatus == 0, "\(throttled.stderr)")
        #expect(bench.requests.map(\.status) == [429, 200])
        #expect(throttled.stderr.contains("HTTP 429: retrying"))
        bench.emulator.setRateLimit(250)

        var rule = FaultRule(route: RoutePattern(method: "GET", pathPrefix: "/v2/droplets"))
        rule.errorShare = 1
        rule.errorStatuses = [502]
        bench.emulator.faultPlan = FaultPlan(rules: [rule])
        let watcher = clearFaultsAfterFirstHit(bench)
        let (recovered, _) = run(bench, home, ["status"])
        watcher.cancel()
        #expect(recovered.exitStatus == 0, "\(recovered.stderr)")
        #expect(bench.requests.first?.status == 502)
        #expect(bench.requests.last?.status == 200)
    }

    @Test func aRefusedTokenFailsWithTheAPIsMessageAndNeverShowsTheToken() throws {
        let bench = try DigitalOceanBench(virtualTime: false)
        let secret = "dop_v1_4f1c0ffee0ddba11secret"
        let home = bench.zeusHome(["logFile do.log"], token: secret)
        for action in [["status"], ["createnode", "--name=web-1"] + Self.create, ["destroynode", "--id=42"]] {
            let (failed, _) = run(bench, home, action + ["--verbose"])
            #expect(failed.exitStatus == 1)
            #expect(failed.stdout.isEmpty)
            #expect(failed.stderrLines.last?.hasPrefix("tmcloud: \(action[0]): ") == true)
            #expect(failed.stderr.contains("HTTP 401: Unable to authenticate you."))
            #expect(!failed.stderr.contains(secret))
        }
        let (check, _) = run(bench, home, ["check"])
        #expect(check.exitStatus == 1)
        #expect(!check.stdout.contains(secret))
        let log = String(decoding: try TextFile.read(home.path + "/zxtm/log/do.log"), as: UTF8.self)
        #expect(!log.contains(secret))
        #expect(log.contains("HTTP 401"))
    }

    @Test func destroyFalseRoundTrip() throws {
        let bench = try DigitalOceanBench(virtualTime: false, bootDelay: 0.3, actionDelay: 0)
        let home = bench.zeusHome(["destroy false"])
        let (created, _) = run(bench, home, ["createnode", "--name=web-1"] + Self.create)
        let id = try #require(node(created)["uniq_id"]?.stringValue)
        settle(0.5)

        let (off, offCost) = run(bench, home, ["destroynode", "--id=\(id)"])
        #expect(off.exitStatus == 0, "\(off.stderr)")
        #expect(node(off)["status"] == "destroyed")
        #expect(offCost == 1)
        #expect(bench.requests.first?.body == #"{"type":"power_off"}"#)
        let (stopped, _) = run(bench, home, ["status"])
        #expect(node(stopped)["status"] == "destroyed")
        #expect(bench.dropletNames() == ["web-1"])

        let (reused, reuseCost) = run(bench, home, ["createnode", "--name=web-2"] + Self.create)
        #expect(reused.exitStatus == 0, "\(reused.stderr)")
        #expect(node(reused)["uniq_id"]?.stringValue == id)
        #expect(node(reused)["name"] == "web-2")
        #expect(node(reused)["status"] == "pending")
        #expect(reuseCost == 3)
        #expect(bench.requests.compactMap(\.body) == [#"{"type":"rename","name":"web-2"}"#, #"{"type":"power_on"}"#])

        let (back, _) = run(bench, home, ["status"])
        #expect(node(back)["name"] == "web-2")
        #expect(node(back)["status"] == "active")
        #expect(bench.dropletNames() == ["web-2"])
    }

    @Test func checkNamesEachPart() throws {
        let bench = try DigitalOceanBench(virtualTime: false)
        let home = bench.zeusHome()
        let (good, goodCost) = run(bench, home, ["check", "--imageid=140000201", "--sizeid=s-1vcpu-1gb"])
        #expect(good.exitStatus == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("all 5 checks passed"))
        // The first line names the libcurl and OpenSSL inside the driver.
        let first = good.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("tmcloud ") && first.contains(" check (libcurl/") && first.contains(" OpenSSL/"), "\(first)")
        #expect(goodCost == 4)
        let (bad, _) = run(bench, home, ["check", "--imageid=no-such-image", "--sizeid=c-32"])
        #expect(bad.exitStatus == 1)
        #expect(bad.stdout.contains("FAIL  image no-such-image does not exist"))
        #expect(bad.stdout.contains("FAIL  size c-32 is not available in region lon1"))
    }
}
