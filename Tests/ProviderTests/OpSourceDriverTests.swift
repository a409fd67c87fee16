import CloudEmulators
import TMCloudJSON
import TMCloudTestSupport
import TMCloudTransport
import Testing

@testable import TMCloudKit

/// The built `tmcloud` against the emulated OEC 0.9 cloud, run the way the Traffic
/// Manager runs it.
@Suite struct OpSourceDriverTests {
    static let image = "--imageid=\(OpSourceCloud.image)"

    @Test func deployPendingActiveThenDestroy() throws {
        let cloud = try OpSourceCloud()
        cloud.install(cloud.config())
        let created = cloud.run(["createnode", "--name=web-1", Self.image, "--sizeid=small", "--verbose"])
        #expect(created.exitStatus == 0, "\(created.stderr)")
        #expect(created.stdout.hasPrefix(#"{"CreateNodeResponse":{"version":1,"code":202,"nodes":[{"#))
        // The generated administrator password went to the API and nowhere else.
        let body = try #require(cloud.log.all.first { $0.method == "POST" }?.body)
        let password = try #require(body.split(separator: ">").first { $0.hasSuffix("</administratorPassword") })
            .dropLast("</administratorPassword".count)
        #expect(password.count == 20)
        #expect(!created.stdout.contains(password) && !created.stderr.contains(password))
        #expect(!cloud.home.files(in: "zxtm/internal").isEmpty)
        for file in cloud.home.files(in: "zxtm/internal") {
            #expect(!String(decoding: try #require(StateFile.read(cloud.home.internalDirectory + "/" + file)), as: UTF8.self).contains(password))
        }
        let id = try #require(created.opSourceField("uniq_id"))
        #expect(id == cloud.serverID(named: "web-1") && created.opSourceField("status") == "pending")

        let pending = cloud.run(["status"])
        #expect(pending.opSourceField("status") == "pending" && pending.opSourceField("sizeid") == "small")
        cloud.clock.advance(by: 31)
        let active = cloud.run(["status"])
        #expect(active.opSourceField("status") == "active" && active.opSourceField("complete") == "100")
        #expect(active.opSourceField("private_ip")?.hasPrefix("10.162.1.") == true)
        #expect(active.opSourceField("imageid") == OpSourceCloud.image)

        // The same name again returns the same server, without a second deploy.
        let again = cloud.run(["createnode", "--name=web-1", Self.image, "--sizeid=small"])
        #expect(again.opSourceField("uniq_id") == id)
        #expect(cloud.log.count(method: "POST") == 1)

        // The API deletes only stopped servers: powered off, waited for (the cloud's
        // clock runs meanwhile) and deleted by the same run, reported destroyed.
        let ticker = cloud.tick(1)
        let destroyed = cloud.run(["destroynode", "--id=\(id)"])
        ticker.stop()
        #expect(destroyed.exitStatus == 0, "\(destroyed.stderr)")
        #expect(destroyed.opSourceField("status") == "destroyed" && destroyed.opSourceField("complete") == "80")
        #expect(cloud.requests.last == "GET /oec/0.9/\(OpSourceCloud.org)/server/\(id)?delete")
        #expect(cloud.log.all.last?.status == 200)
        let going = cloud.run(["status"])
        #expect(going.exitStatus == 0 && !cloud.requests.last!.hasSuffix("?delete"))
        cloud.clock.advance(by: 10)
        let gone = cloud.run(["statusnode", "--id=\(id)"])
        #expect(gone.opSourceField("status") == "destroyed" && gone.opSourceField("complete") == "100")
        #expect(cloud.emulator.inventory().items.isEmpty)
    }

    /// A configuration file exactly as the original driver's documentation describes
    /// it: five keys, no `provider` line, no tmcloud key. With `destroy false` the
    /// node is shut down, and the next createnode powers it on again.
    @Test func theOriginalDriversConfigurationWorksUnchanged() throws {
        let cloud = try OpSourceCloud()
        cloud.install([
            "user \(OpSourceCloud.user)", "apiHost \(cloud.base)", "orgID \(OpSourceCloud.org)", "destroy false",
            "vlanID \(OpSourceCloud.vlan)",
        ])
        let created = cloud.run(["createnode", "--name=web-1", Self.image, "--sizeid=small"])
        #expect(created.exitStatus == 0, "\(created.stderr)")
        let id = try #require(created.opSourceField("uniq_id"))
        cloud.clock.advance(by: 31)
        #expect(cloud.run(["status"]).opSourceField("status") == "active")

        let ticker = cloud.tick(2)
        defer { ticker.stop() }
        let stopped = cloud.run(["destroynode", "--id=\(id)"])
        #expect(stopped.exitStatus == 0, "\(stopped.stderr)")
        #expect(cloud.requests.contains { $0.hasSuffix("\(id)?shutdown") })
        #expect(!cloud.requests.contains { $0.hasSuffix("?delete") })
        #expect(cloud.run(["status"]).opSourceField("status") == "destroyed")

        // Reused, not redeployed: OEC 0.9 cannot rename, so it keeps its name.
        let reused = cloud.run(["createnode", "--name=web-2", Self.image, "--sizeid=small"])
        #expect(reused.exitStatus == 0, "\(reused.stderr)")
        #expect(reused.opSourceField("uniq_id") == id && reused.opSourceField("name") == "web-1")
        #expect(reused.opSourceField("status") == "pending")
        #expect(cloud.log.count(method: "POST") == 1)
        ticker.stop()
        cloud.clock.advance(by: 10)
        let back = cloud.run(["status"])
        #expect(back.nodes.count == 1 && back.opSourceField("status") == "active")
        // No myaccount lookup: orgID is configured.
        #expect(cloud.log.count(pathPrefix: "/oec/0.9/myaccount") == 0)
    }

    @Test func aRejectedPasswordFailsWithoutShowingIt() throws {
        let cloud = try OpSourceCloud()
        let password = "Wrong-Pass-4711"
        cloud.install(cloud.config(), password: password)
        let encoded = Base64.encode("\(OpSourceCloud.user):\(password)")
        for arguments in [["status"], ["status", "--verbose"], ["check", "--verbose"]] {
            let run = cloud.run(arguments)
            #expect(run.exitStatus == 1)
            // check prints its report (with the failure) on stdout.
            #expect((arguments[0] == "check" ? run.stdout : run.stderr).contains("HTTP 401"), "\(run.stderr)")
            for output in [run.stdout, run.stderr] {
                #expect(!output.contains(password) && !output.contains(encoded))
            }
        }
        #expect(cloud.run(["status"]).stdout.isEmpty)
    }

    @Test func aFailedServerIsDestroyedThenDeletedByTheNextCreate() throws {
        let cloud = try OpSourceCloud()
        cloud.install(cloud.config())
        let failed = try #require(cloud.emulator.seedServers(count: 1, namePrefix: "web").first)
        cloud.emulator.failServer(id: failed)
        let status = cloud.run(["status"])
        #expect(status.opSourceField("status") == "destroyed" && status.opSourceField("uniq_id") == failed)

        let created = cloud.run(["createnode", "--name=web-2", Self.image, "--sizeid=small"])
        #expect(created.exitStatus == 0, "\(created.stderr)")
        #expect(cloud.requests.contains("GET /oec/0.9/\(OpSourceCloud.org)/server/\(failed)?delete"))
        cloud.clock.advance(by: 40)
        #expect(cloud.run(["status"]).nodes.compactMap { $0["name"]?.stringValue } == ["web-2"])
    }

    /// A deploy that fails is reported destroyed by status, and the next destroynode
    /// (of another node) deletes it without a listing of its own.
    @Test func aFailedDeployIsDeletedByTheNextDestroy() throws {
        let cloud = try OpSourceCloud()
        cloud.install(cloud.config())
        cloud.emulator.setDeleteRequiresStopped(false)
        let healthy = try #require(cloud.emulator.seedServers(count: 1, namePrefix: "web").first)
        cloud.emulator.failNextBuilds(1)
        let created = cloud.run(["createnode", "--name=web-2", Self.image])
        let failed = try #require(created.opSourceField("uniq_id"))
        cloud.clock.advance(by: 31)
        let status = cloud.run(["status"])
        let failedNode = status.nodes.first { $0["uniq_id"]?.stringValue == failed }
        #expect(failedNode?["status"]?.stringValue == "destroyed")
        let snapshotPath = cloud.home.internalDirectory + "/tmcloud.pool.nodes"
        let snapshot = String(decoding: try #require(StateFile.read(snapshotPath)), as: UTF8.self)
        #expect(snapshot.contains("node \(failed) failed "), "\(snapshot)")

        cloud.log.clear()
        #expect(cloud.run(["destroynode", "--id=\(healthy)"]).exitStatus == 0)
        // Both are in the snapshot: a delete each, no look first.
        #expect(cloud.requests == [
            "GET /oec/0.9/\(OpSourceCloud.org)/server/\(healthy)?delete",
            "GET /oec/0.9/\(OpSourceCloud.org)/server/\(failed)?delete",
        ])
        cloud.clock.advance(by: 10)
        #expect(cloud.emulator.inventory().items.isEmpty)
    }

    /// A create this machine tried before, whose server the fresh snapshot does not
    /// show (a status listed before the create and wrote after it): the journal sends
    /// the second createnode of the name to the cloud, which has the first one's server.
    @Test func aSecondCreateOfOneNameFindsTheFirstOnesServer() throws {
        let cloud = try OpSourceCloud()
        cloud.install(cloud.config(["orgID \(OpSourceCloud.org)"]))
        #expect(cloud.run(["status"]).exitStatus == 0)
        let snapshot = cloud.home.internalDirectory + "/tmcloud.pool.nodes"
        let listedBefore = try #require(StateFile.read(snapshot))
        let first = cloud.run(["createnode", "--name=web-1", Self.image])
        let id = try #require(first.opSourceField("uniq_id"))
        try StateFile.write(listedBefore, to: snapshot)

        cloud.log.clear()
        let again = cloud.run(["createnode", "--name=web-1", Self.image])
        #expect(again.exitStatus == 0, "\(again.stderr)")
        #expect(again.opSourceField("uniq_id") == id)
        #expect(cloud.requests == ["GET /oec/0.9/\(OpSourceCloud.org)/serverWithState?pageSize=250&pageNumber=1"])
        #expect(cloud.emulator.inventory().items.map(\.name) == ["web-1"])

        // Without the journal that snapshot would be trusted, and a second server made.
        StateFile.remove(cloud.home.internalDirectory + "/tmcloud.pool.creating")
        try StateFile.write(listedBefore, to: snapshot)
        let blind = cloud.run(["createnode", "--name=web-1", Self.image])
        #expect(blind.exitStatus == 0 && cloud.log.count(method: "POST") == 1)
        #expect(cloud.emulator.inventory().items.map(\.name) == ["web-1", "web-1"])
    }

    @Test func destroyingADeployingServerWaitsOutTheDeploy() throws {
        let cloud = try OpSourceCloud()
        cloud.install(cloud.config())
        let created = cloud.run(["createnode", "--name=web-1", Self.image])
        let id = try #require(created.opSourceField("uniq_id"))
        #expect(created.opSourceField("sizeid") == "")
        cloud.log.clear()
        let ticker = cloud.tick(3, after: "?delete")
        defer { ticker.stop() }
        let destroyed = cloud.run(["destroynode", "--id=\(id)"])
        #expect(destroyed.exitStatus == 0, "\(destroyed.stderr)")
        ticker.stop()
        // REASON_392 while it deploys, then REASON_395 once it runs: powered off, and
        // deleted once off by the same run.
        let deletes = cloud.log.all.filter { $0.target.hasSuffix("?delete") }.map(\.status)
        #expect(deletes.first == 400 && deletes.last == 200)
        #expect(cloud.requests.contains("GET /oec/0.9/\(OpSourceCloud.org)/server/\(id)?poweroff"))
        #expect(cloud.requests.last == "GET /oec/0.9/\(OpSourceCloud.org)/server/\(id)?delete")
        cloud.clock.advance(by: 10)
        #expect(cloud.emulator.inventory().items.isEmpty)
    }

    /// The deploy is carried out but its reply is lost: the driver looks the name up
    /// and reports the server instead of deploying a second one.
    @Test func aLostDeployReplyIsNotResent() throws {
        let cloud = try OpSourceCloud()
        cloud.install(cloud.config())
        var lost = FaultRule(route: RoutePattern(method: "POST", pathPrefix: "/oec/0.9/\(OpSourceCloud.org)/server"))
        lost.dropAfterReplyShare = 1
        cloud.emulator.faultPlan = FaultPlan(rules: [lost])
        let created = cloud.run(["createnode", "--name=web-1", Self.image])
        #expect(created.exitStatus == 0, "\(created.stderr)")
        #expect(created.opSourceField("uniq_id") == cloud.serverID(named: "web-1"))
        #expect(cloud.log.count(method: "POST") == 1)
    }

    @Test func checkPassesAndCountsItsRequests() throws {
        let cloud = try OpSourceCloud()
        cloud.install(cloud.config())
        let run = cloud.run(["check"])
        #expect(run.exitStatus == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("vlanID \(OpSourceCloud.vlan) found"))
        #expect(cloud.log.all.count == 5)
    }

    /// Given the pool's --imageid, check confirms that image, or fails naming it.
    @Test func checkVerifiesThePoolsImage() throws {
        let cloud = try OpSourceCloud()
        cloud.install(cloud.config())
        let good = cloud.run(["check", Self.image])
        #expect(good.exitStatus == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("ok    image \(OpSourceCloud.image) found"), "\(good.stdout)")
        let bad = cloud.run(["check", "--imageid=no-such-image"])
        #expect(bad.exitStatus == 1)
        #expect(bad.stdout.contains("FAIL  image no-such-image is not a base or organisation image"), "\(bad.stdout)")
    }
}

/// What each action costs, as docs/opsource.md states it, the way the Traffic
/// Manager runs them: a status shortly before every change.
@Suite struct OpSourceRequestCountTests {
    @Test func requestsPerAction() throws {
        let cloud = try OpSourceCloud()
        cloud.install(cloud.config(["orgID \(OpSourceCloud.org)"]))
        cloud.emulator.setActionDelay(0)
        cloud.emulator.setDeleteDelay(0)
        func cost(_ arguments: [String]) -> [String] {
            cloud.log.clear()
            let run = cloud.run(arguments)
            #expect(run.exitStatus == 0, "\(arguments): \(run.stderr)")
            return cloud.requests.map { $0.split(separator: "/").last.map(String.init) ?? $0 }
        }
        let image = "--imageid=\(OpSourceCloud.image)"
        #expect(cost(["status"]) == ["serverWithState?pageSize=250&pageNumber=1"])
        // The first create looks the image's resource path up; it is kept after that.
        #expect(cost(["createnode", "--name=web-1", image]) == [
            "image", "server", "serverWithState?pageSize=250&pageNumber=1",
        ])
        let id = try #require(cloud.serverID(named: "web-1"))
        #expect(cost(["statusnode", "--id=\(id)"]).count == 1)
        cloud.clock.advance(by: 31)
        #expect(cost(["status"]).count == 1)
        // The first delete of a running server is refused and teaches the driver; the
        // server is powered off, and deleted by the same run after a wait without looks.
        #expect(cost(["destroynode", "--id=\(id)"]).map { $0.split(separator: "?").last! } == [
            "delete", "id=\(id)", "poweroff", "delete",
        ])
        cloud.clock.advance(by: 1)
        // status is its listing and nothing else.
        #expect(cost(["status"]) == ["serverWithState?pageSize=250&pageNumber=1"])

        #expect(cost(["createnode", "--name=web-2", image]) == ["server", "serverWithState?pageSize=250&pageNumber=1"])
        cloud.clock.advance(by: 31)
        let second = try #require(cloud.serverID(named: "web-2"))
        #expect(cost(["status"]).count == 1)
        // Learned: power-off, the wait, one delete.
        #expect(cost(["destroynode", "--id=\(second)"]) == ["\(second)?poweroff", "\(second)?delete"])
        cloud.clock.advance(by: 1)
        #expect(cost(["status"]).count == 1)
        cloud.clock.advance(by: 1)
        // Asked again: the snapshot says it was being deleted, and a look finds it gone.
        #expect(cost(["destroynode", "--id=\(second)"]) == ["serverWithState?id=\(second)"])
        #expect(cloud.emulator.inventory().items.isEmpty)
    }

    /// A stopped server is deleted at once, and where the API deletes running
    /// servers so is a running one: one request each.
    @Test func stoppedServersAndAnAPIThatDeletesRunningOnesTakeOneRequest() throws {
        let cloud = try OpSourceCloud()
        cloud.install(cloud.config(["orgID \(OpSourceCloud.org)"]))
        let stopped = cloud.emulator.seedServers(count: 1, namePrefix: "off", started: false)[0]
        let running = cloud.emulator.seedServers(count: 1, namePrefix: "on")[0]
        #expect(cloud.run(["status"]).nodes.count == 2)
        cloud.log.clear()
        #expect(cloud.run(["destroynode", "--id=\(stopped)"]).exitStatus == 0)
        #expect(cloud.requests == ["GET /oec/0.9/\(OpSourceCloud.org)/server/\(stopped)?delete"])

        cloud.emulator.setDeleteRequiresStopped(false)
        cloud.log.clear()
        #expect(cloud.run(["destroynode", "--id=\(running)"]).exitStatus == 0)
        #expect(cloud.requests == ["GET /oec/0.9/\(OpSourceCloud.org)/server/\(running)?delete"])
        cloud.clock.advance(by: 10)
        #expect(cloud.emulator.inventory().items.isEmpty)
    }
}
