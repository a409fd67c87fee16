import CloudEmulators
import Testing
import TMCloudTestSupport
import TMCloudTransport

@testable import TMCloudKit

/// The provider in-process against the emulated OEC 0.9 cloud.
@Suite struct OpSourceProviderTests {
    /// A pool over four pages: each page from the third on is asked for as soon as the
    /// one before it has come (the first page's totalCount says it exists), and every
    /// page is still requested once.
    @Test func aListingOfFourPagesAsksForEachPageOnce() throws {
        let cloud = try OpSourceCloud()
        _ = cloud.emulator.seedServers(count: 800)
        let provider = try cloud.provider()
        cloud.log.clear()
        let nodes = try provider.listNodes()
        #expect(nodes.count == 800)
        #expect(Set(nodes.map(\.id)).count == 800)
        // The organisation id comes first (myaccount), as the configuration names none.
        #expect(cloud.requests.first == "GET /oec/0.9/myaccount")
        #expect(Array(cloud.requests.dropFirst()) == (1...4).map {
            "GET /oec/0.9/\(OpSourceCloud.org)/serverWithState?pageSize=250&pageNumber=\($0)"
        })
    }

    @Test func deployIsPendingThenActiveAndFoundByItsName() throws {
        let cloud = try OpSourceCloud()
        let provider = try cloud.provider()
        let created = try provider.createNode(CreateRequest(name: "web-1", imageID: OpSourceCloud.image, sizeID: "small"))
        #expect(created.record.status == .pending && created.record.name == "web-1")
        #expect(created.id == cloud.serverID(named: "web-1"))
        #expect(created.record.sizeID == "small" && created.record.imageID == OpSourceCloud.image)
        #expect(created.record.created == "2026-11-23T10:00:00Z")

        // The deploy body: the VLAN and image as resource paths, a generated password.
        let body = try #require(cloud.log.all.first { $0.method == "POST" }?.body)
        #expect(body.contains("<vlanResourcePath>/oec/\(OpSourceCloud.org)/network/\(OpSourceCloud.vlan)</vlanResourcePath>"))
        #expect(body.contains("<imageResourcePath>/oec/base/image/\(OpSourceCloud.image)</imageResourcePath>"))
        #expect(body.contains("<isStarted>true</isStarted>") && body.contains("<administratorPassword>"))

        cloud.clock.advance(by: 31)
        let listed = try #require(try provider.listNodes().first { $0.id == created.id })
        #expect(listed.record.status == .active && listed.record.complete == 100)
        #expect(listed.record.privateIP.hasPrefix("10.162.1.") && listed.record.sizeID == "small")
    }

    @Test func theNewServerIsTheOneOnThePoolsVLAN() throws {
        let cloud = try OpSourceCloud()
        let elsewhere = try cloud.provider(vlan: OpSourceCloud.otherVLAN, stateName: "other")
        let foreign = try elsewhere.createNode(CreateRequest(name: "web-1", imageID: OpSourceCloud.image, sizeID: ""))
        let provider = try cloud.provider()
        _ = try provider.createNode(CreateRequest(name: "web-10", imageID: OpSourceCloud.image, sizeID: ""))
        let created = try provider.createNode(CreateRequest(name: "web-1", imageID: OpSourceCloud.image, sizeID: ""))
        #expect(created.id != foreign.id && created.name == "web-1")
        #expect(try provider.listNodes().map(\.name).sorted() == ["web-1", "web-10"])
        // A server of another VLAN is never touched.
        let refused = opSourceError { () throws(DriverError) in try provider.destroyNode(id: foreign.id) }
        #expect(refused?.kind == .usage)
        #expect(cloud.log.count(pathPrefix: "/oec/0.9/\(OpSourceCloud.org)/server/\(foreign.id)") == 0)
    }

    @Test func deleteWaitsOutOperationsInProgressThenPowersOffAndDeletes() throws {
        let cloud = try OpSourceCloud()
        let ids = cloud.emulator.seedServers(count: 2, namePrefix: "web")
        let id = ids[0]
        let provider = try cloud.provider()
        // A restart in progress: the delete gets REASON_392 until it ends, then the
        // API refuses to delete a running server, so the driver powers it off, waits
        // without looking, and deletes it.
        try provider.api.operate("restart", serverID: id, doing: "restart")
        cloud.log.clear()
        let ticker = cloud.tick(2, after: "?delete")
        defer { ticker.stop() }
        #expect(try provider.destroyNode(id: id) == .started)
        let deletes = cloud.log.all.filter { $0.target.hasSuffix("?delete") }.map(\.status)
        // REASON_392 while the restart runs, REASON_395 (running), then accepted once off.
        #expect(Array(deletes.prefix(2)) == [400, 400] && deletes.last == 200)
        #expect(cloud.requests.contains("GET /oec/0.9/\(OpSourceCloud.org)/server/\(id)?poweroff"))
        #expect(cloud.requests.last == "GET /oec/0.9/\(OpSourceCloud.org)/server/\(id)?delete")
        #expect(provider.api.state.deleting.isEmpty && provider.api.state.stopSeconds != nil)
        // Learned: the next running server is powered off without a refused delete,
        // and deleted by the same run; no look at the server in between.
        cloud.log.clear()
        #expect(try cloud.provider().destroyNode(id: ids[1]) == .started)
        ticker.stop()
        let operations = cloud.requests.filter { $0.contains("?") && !$0.contains("serverWithState") }
        #expect(operations.first?.hasSuffix("?poweroff") == true && operations.last?.hasSuffix("?delete") == true)
        #expect(cloud.log.all.last?.status == 200)
        // Both read destroyed while they go, and a listing sends nothing but itself.
        let later = try cloud.provider()
        cloud.log.clear()
        #expect(try later.listNodes().allSatisfy { $0.record.status == .destroyed })
        #expect(!cloud.requests.contains { $0.hasSuffix("?delete") || $0.hasSuffix("?poweroff") })
        cloud.clock.advance(by: 10)
        #expect(try later.listNodes().isEmpty)
        #expect(try provider.destroyNode(id: id) == .alreadyGone)
    }

    /// Two runs that read the state file before either wrote it keep each other's
    /// changes: each change is made to the file as it is found.
    @Test func concurrentStateChangesAreKept() throws {
        let cloud = try OpSourceCloud()
        let first = try cloud.provider(), second = try cloud.provider()
        first.api.noteDeletion("server-a")
        second.api.noteDeletion("server-b")
        second.api.setImagePath("/oec/base/image/x", for: "x")
        first.api.deletionDone("server-a")
        let state = try cloud.provider().api.state
        #expect(state.deleting == ["server-b"] && state.images == ["x": "/oec/base/image/x"])
    }

    /// A deletion destroynode ran out of time for (the server was still stopping at
    /// its deadline) is never lost: status leaves it alone, and the next destroynode
    /// powers it off again if someone started it, and deletes it once stopped.
    @Test func aDeletionIsNeverLost() throws {
        let cloud = try OpSourceCloud()
        let ids = cloud.emulator.seedServers(count: 2, namePrefix: "web")
        let provider = try cloud.provider()
        provider.api.rememberDeleteNeedsStop()
        provider.api.noteDeletion(ids[0])  // as a run that ran out of time leaves it
        cloud.log.clear()
        _ = try cloud.provider().listNodes()
        #expect(!cloud.requests.contains { $0.contains("\(ids[0])?") })
        let ticker = cloud.tick(2, after: "?delete")
        defer { ticker.stop() }
        // The next destroynode (of the other server) finds it running: powered off again.
        #expect(try cloud.provider().destroyNode(id: ids[1]) == .started)
        #expect(cloud.requests.contains("GET /oec/0.9/\(OpSourceCloud.org)/server/\(ids[0])?poweroff"))
        cloud.clock.advance(by: 10)
        // And the one after deletes it, stopped.
        #expect(try cloud.provider().destroyNode(id: ids[1]) == .alreadyGone)
        ticker.stop()
        #expect(cloud.requests.contains("GET /oec/0.9/\(OpSourceCloud.org)/server/\(ids[0])?delete"))
        cloud.clock.advance(by: 10)
        #expect(cloud.emulator.inventory().items.isEmpty)
        // The note goes once a listing no longer shows the server.
        #expect(try cloud.provider().destroyNode(id: ids[0]) == .alreadyGone)
        #expect(try cloud.provider().api.state.deleting.isEmpty)
    }

    @Test func aShutdownUnderWayBeforeADeleteIsWaitedOut() throws {
        let cloud = try OpSourceCloud()
        let id = try #require(cloud.emulator.seedServers(count: 1, namePrefix: "web").first)
        let provider = try cloud.provider()
        provider.api.rememberDeleteNeedsStop()
        try provider.api.operate("shutdown", serverID: id, doing: "shutdown")
        let ticker = cloud.tick(2, after: "?poweroff")
        defer { ticker.stop() }
        #expect(try provider.destroyNode(id: id) == .started)
        // The power-off waits out the shutdown, then finds the server stopped.
        #expect(cloud.log.all.filter { $0.target.hasSuffix("?poweroff") }.map(\.status) == [400, 400])
        #expect(cloud.log.all.last { $0.target.hasSuffix("?delete") }?.status == 200)
    }

    @Test func whereTheAPIDeletesRunningServersOneDeleteDoes() throws {
        var options = OpSourceEmulator.Options()
        options.deleteRequiresStopped = false
        let cloud = try OpSourceCloud(options: options)
        let id = try #require(cloud.emulator.seedServers(count: 1, namePrefix: "web").first)
        #expect(try cloud.provider(["orgID \(OpSourceCloud.org)"]).destroyNode(id: id) == .started)
        #expect(cloud.requests.count == 2 && cloud.requests.last?.hasSuffix("\(id)?delete") == true)
    }

    @Test func otherErrorsCarryResultCodeAndDetail() throws {
        let cloud = try OpSourceCloud()
        let id = try #require(cloud.emulator.seedServers(count: 1, namePrefix: "web").first)
        let provider = try cloud.provider()
        let node = try #require(try provider.node(id: id))
        let error = try #require(opSourceError { () throws(DriverError) in try provider.reuse(node, as: "web-9") })
        #expect(error.kind == .cloud && error.httpStatus == 400)
        #expect(error.message.contains("REASON_395") && error.message.contains("is already started"))
    }

    @Test func listingFollowsEveryPage() throws {
        let cloud = try OpSourceCloud()
        cloud.emulator.seedServers(count: 260, namePrefix: "web")
        let nodes = try cloud.provider().listNodes()
        #expect(nodes.count == 260 && Set(nodes.map(\.id)).count == 260)
        #expect(cloud.log.count(pathPrefix: "/oec/0.9/\(OpSourceCloud.org)/serverWithState") == 2)
    }

    @Test func withoutServerWithStateTheTwoListsAreUsedAndRemembered() throws {
        let cloud = try OpSourceCloud()
        cloud.emulator.setServerWithStateEnabled(false)
        cloud.emulator.seedServers(count: 2, namePrefix: "web")
        let provider = try cloud.provider()
        _ = try provider.createNode(CreateRequest(name: "web-new", imageID: OpSourceCloud.image, sizeID: ""))
        let nodes = try provider.listNodes()
        #expect(nodes.map(\.record.status) == [.pending, .active, .active])
        #expect(nodes.first?.record.privateIP.isEmpty == false)

        cloud.log.clear()
        let again = try cloud.provider()
        #expect(try again.listNodes().count == 3)
        #expect(cloud.requests.count == 2 && !cloud.requests.contains { $0.contains("serverWithState") })
    }

    @Test func theOrganisationIsLookedUpOnceWhateverItsPrefix() throws {
        var options = OpSourceEmulator.Options()
        options.directoryPrefix = "ns7"
        let cloud = try OpSourceCloud(options: options)
        _ = try cloud.provider().listNodes()
        _ = try cloud.provider().listNodes()
        #expect(cloud.log.count(pathPrefix: "/oec/0.9/myaccount") == 1)
        // A configured orgID needs no lookup at all.
        cloud.log.clear()
        _ = try cloud.provider(["orgID \(OpSourceCloud.org)"], stateName: "fresh").listNodes()
        #expect(cloud.requests.count == 1)
    }

    @Test func gracefulShutdownBecomesAHardPowerOffWhenSlow() throws {
        let cloud = try OpSourceCloud()
        let id = try #require(cloud.emulator.seedServers(count: 1, namePrefix: "web").first)
        let provider = try cloud.provider(["destroy false"])
        provider.gracefulStopBudget = 0.3
        // The virtual clock stands still: the shutdown never ends within the budget,
        // and the power-off the driver then tries is refused while it runs.
        #expect(try provider.powerOff(id: id) == .started)
        #expect(cloud.requests.contains { $0.hasSuffix("?shutdown") })
        #expect(cloud.log.all.filter { $0.target.hasSuffix("?poweroff") }.map(\.status) == [400])
        #expect(try provider.node(id: id)?.record.status == .destroyed)
        cloud.clock.advance(by: 10)
        #expect(try provider.node(id: id)?.condition == .stopped)
    }

    @Test func checkReportsCredentialsVLANListingAndImages() throws {
        let cloud = try OpSourceCloud()
        let results = try cloud.provider().check()
        #expect(results.allSatisfy { $0.passed }, "\(results)")
        #expect(results.contains { $0.text.contains("vlanID \(OpSourceCloud.vlan) found") })
        #expect(results.contains { $0.text.contains(OpSourceCloud.image) })
        let wrongVLAN = try cloud.provider(vlan: "no-such-vlan").check()
        #expect(wrongVLAN.contains { !$0.passed && $0.text.contains("no-such-vlan") })
        let wrongPassword = try cloud.provider(password: "nope").check()
        #expect(wrongPassword.count == 1 && !wrongPassword[0].passed && wrongPassword[0].text.contains("HTTP 401"))
    }
}
