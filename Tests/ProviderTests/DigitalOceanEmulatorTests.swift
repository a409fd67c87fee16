// The DigitalOcean provider in-process against the emulated API over loopback HTTP,
// with the emulator's virtual clock: every action and state, pagination, retries,
// the create that may have happened, destroy false, check.
import CloudEmulators
import Synchronization
import Testing
import TMCloudJSON
import TMCloudTransport

@testable import TMCloudKit

@Suite("DigitalOcean provider against the emulated API")
struct DigitalOceanEmulatorTests {
    static let debian = CreateRequest(name: "web-1", imageID: "debian-12-x64", sizeID: "s-1vcpu-1gb")

    /// The body of the last POST to `path`, as JSON.
    func lastBody(_ bench: DigitalOceanBench, path: String) throws -> JSONValue {
        let entry = try #require(bench.requests.last { $0.method == "POST" && $0.path == path })
        return try JSONParser.parse(try #require(entry.body))
    }

    @Test func createBuildListReadAndDelete() throws {
        let bench = try DigitalOceanBench()
        let (provider, _) = try bench.provider(["tag web", "monitoring true"])
        let created = try provider.createNode(Self.debian)
        #expect(created.record.status == NodeStatus.pending)
        #expect(created.record.complete >= 10 && created.record.complete <= 90)
        #expect(created.record.imageID == "debian-12-x64")
        #expect(created.record.sizeID == "s-1vcpu-1gb")
        #expect(created.record.created == "2026-11-23T10:00:00Z")
        let body = try lastBody(bench, path: "/v2/droplets")
        #expect(body["name"] == "web-1")
        #expect(body["region"] == "lon1")
        #expect(body["tags"] == ["web"])
        #expect(body["monitoring"] == true)
        #expect(body["ipv6"] == false)

        bench.clock.advance(by: 25)
        bench.resetLog()
        let nodes = try provider.listNodes()
        #expect(bench.requests.map(\.target) == ["/v2/droplets?tag_name=web&per_page=200"])
        let node = try #require(nodes.first)
        #expect(nodes.count == 1)
        #expect(node.record.status == NodeStatus.active)
        #expect(node.record.complete == 100)
        #expect(node.record.publicIP.hasPrefix("198.18."))
        #expect(node.record.privateIP.hasPrefix("10.110."))

        bench.resetLog()
        let byID = try provider.node(id: node.id)
        let byName = try provider.nodes(named: "web-1")
        let noName = try provider.nodes(named: "web-2")
        #expect(byID == node)
        #expect(byName == [node])
        #expect(noName.isEmpty)
        #expect(bench.requests.count == 3)

        let first = try provider.destroyNode(id: node.id)
        let afterwards = try provider.node(id: node.id)
        let second = try provider.destroyNode(id: node.id)
        let left = try provider.listNodes()
        #expect(first == DestroyOutcome.started)
        #expect(afterwards == nil)
        #expect(second == DestroyOutcome.alreadyGone)
        #expect(left.isEmpty)
        #expect(bench.dropletNames().isEmpty)
    }

    @Test func aSnapshotGoesAsANumberAndComesBackAsOne() throws {
        let bench = try DigitalOceanBench()
        let (provider, _) = try bench.provider()
        let node = try provider.createNode(CreateRequest(name: "snap-1", imageID: "140000201", sizeID: "s-1vcpu-1gb"))
        #expect(try lastBody(bench, path: "/v2/droplets")["image"] == .int(140_000_201))
        #expect(node.record.imageID == "140000201")
    }

    @Test func onlyTaggedDropletsArePoolNodes() throws {
        let bench = try DigitalOceanBench()
        bench.emulator.seedDroplets(count: 3, namePrefix: "other", tag: "someone-else")
        bench.emulator.seedDroplets(count: 2, namePrefix: "mine", tag: "tmcloud")
        let (provider, _) = try bench.provider()
        let names = try provider.listNodes().map { $0.name }.sorted()
        #expect(names == ["mine-1", "mine-2"])
        // A name lookup checks the tag too.
        let other = try provider.nodes(named: "other-1")
        let mine = try provider.nodes(named: "mine-2")
        #expect(other.isEmpty)
        #expect(mine.count == 1)
    }

    @Test func twoHundredDropletsCostOneRequestAndTwoHundredFiftyTwo() throws {
        let bench = try DigitalOceanBench()
        bench.emulator.seedDroplets(count: 200, namePrefix: "a", tag: "tmcloud")
        bench.emulator.seedDroplets(count: 7, namePrefix: "x", tag: "unrelated")
        let (provider, _) = try bench.provider()
        bench.resetLog()
        let full = try provider.listNodes()
        #expect(full.count == 200)
        #expect(bench.requests.count == 1)

        bench.emulator.seedDroplets(count: 52, namePrefix: "b", tag: "tmcloud")
        bench.resetLog()
        let nodes = try provider.listNodes()
        #expect(nodes.count == 252)
        #expect(Set(nodes.map { $0.id }).count == 252)
        #expect(nodes.allSatisfy { $0.record.status == NodeStatus.active })
        #expect(bench.requests.count == 2)
        #expect(bench.requests.allSatisfy { $0.target.contains("per_page=200") && $0.target.contains("tag_name=tmcloud") })
    }

    /// The page number a droplet listing URL asks for (no `page` is the first).
    static func pageNumber(_ call: String) -> String {
        let query = call.split(separator: "?", maxSplits: 1).last.map(String.init) ?? ""
        let page = query.split(separator: "&").first { $0.hasPrefix("page=") }.map { String($0.dropFirst(5)) } ?? "1"
        return call.split(separator: " ")[0] + " " + page
    }

    /// Each next page is asked for ahead of reading the page at hand: the second once
    /// the first page's links name it, each later one as soon as the page before it
    /// has come. Every page is still requested once.
    @Test func pagesAreAskedForAheadAndEachOnce() throws {
        let bench = try DigitalOceanBench()
        bench.emulator.seedDroplets(count: 1000, namePrefix: "n", tag: "tmcloud")
        let transport = try HookedTransport()
        let (provider, _) = try bench.provider(transport: transport)
        bench.resetLog()
        let nodes = try provider.listNodes()
        #expect(nodes.count == 1000)
        #expect(Set(nodes.map(\.id)).count == 1000)
        #expect(transport.calls.map(Self.pageNumber) == [
            "send 1", "ahead 2", "send 2", "ahead 3", "send 3", "ahead 4", "send 4", "ahead 5", "send 5",
        ])
        #expect(bench.requests.count == 5)
        #expect(Set(bench.requests.map(\.target)).count == 5)
    }

    /// Droplets created while the pages are read add pages the first page's total did
    /// not count: those are followed by their links, and no page is asked for twice.
    @Test func pagesAddedWhileTheListingIsReadAreFollowedByTheirLinks() throws {
        let bench = try DigitalOceanBench()
        bench.emulator.seedDroplets(count: 400, namePrefix: "n", tag: "tmcloud")
        let transport = try HookedTransport { _, exchange in
            if exchange == 1 { bench.emulator.seedDroplets(count: 300, namePrefix: "later", tag: "tmcloud") }
        }
        let (provider, _) = try bench.provider(transport: transport)
        bench.resetLog()
        let nodes = try provider.listNodes()
        #expect(nodes.count == 700)
        #expect(transport.calls.map(Self.pageNumber) == ["send 1", "ahead 2", "send 2", "send 3", "send 4"])
        #expect(bench.requests.count == 4)
    }

    @Test func throttledRequestsWaitForRetryAfter() throws {
        let bench = try DigitalOceanBench()
        bench.emulator.setRateLimit(1, window: 8)
        let (provider, _) = try bench.provider()
        _ = try provider.listNodes()
        let before = bench.clock.now
        _ = try provider.listNodes()
        #expect(bench.requests.map(\.status) == [200, 429, 200])
        // The retry waited out the window the reply asked for.
        #expect(bench.clock.now - before >= 7)
    }

    @Test func serverErrorsAreRetriedWithinTheDeadline() throws {
        let bench = try DigitalOceanBench()
        var plan = FaultPlan()
        var rule = FaultRule(route: RoutePattern(method: "GET", pathPrefix: "/v2/droplets"))
        rule.errorShare = 1
        rule.errorStatuses = [503]
        plan.rules = [rule]
        bench.emulator.faultPlan = plan
        let emulator = bench.emulator
        let transport = try HookedTransport { _, exchange in
            if exchange == 2 { emulator.faultPlan = .none }
        }
        let (provider, _) = try bench.provider(transport: transport)
        _ = try provider.listNodes()
        #expect(bench.requests.map(\.status) == [503, 503, 200])

        // Errors that never stop end in an error before the deadline, not a hang.
        bench.emulator.faultPlan = plan
        let (stubborn, _) = try bench.provider(deadline: 10)
        #expect(throws: DriverError.self) { try stubborn.listNodes() }
    }

    @Test func aCreateWhoseReplyIsLostSaysItMayHaveHappened() throws {
        let bench = try DigitalOceanBench()
        var rule = FaultRule(route: RoutePattern(method: "POST", pathPrefix: "/v2/droplets"))
        rule.dropAfterReplyShare = 1
        bench.emulator.faultPlan = FaultPlan(rules: [rule])
        let (provider, _) = try bench.provider()
        let error = driverError { () throws(DriverError) in try provider.createNode(Self.debian) }
        #expect(error?.mayHaveCreated == true)
        // Exactly one POST: the provider never resends a create by itself.
        #expect(bench.requests.filter { $0.method == "POST" }.count == 1)
        bench.emulator.faultPlan = .none
        let found = try provider.nodes(named: "web-1")
        #expect(found.count == 1)
        #expect(bench.dropletNames() == ["web-1"])
    }

    @Test func destroyFalsePowersOffAndReusesUnderANewName() throws {
        let bench = try DigitalOceanBench()
        let (provider, _) = try bench.provider(["destroy false"])
        let id = try provider.createNode(Self.debian).id
        bench.clock.advance(by: 25)

        bench.resetLog()
        let outcome = try provider.powerOff(id: id)
        #expect(outcome == DestroyOutcome.started)
        #expect(try lastBody(bench, path: "/v2/droplets/\(id)/actions") == ["type": "power_off"])
        let stopping = try provider.node(id: id)
        #expect(stopping?.record.status == NodeStatus.pending)
        bench.clock.advance(by: 6)
        let stopped = try #require(try provider.listNodes().first)
        #expect(stopped.record.status == NodeStatus.destroyed)
        #expect(stopped.condition == CloudNode.Condition.stopped)
        // Powering off what is off already is done, not an error.
        let again = try provider.powerOff(id: id)
        #expect(again == DestroyOutcome.alreadyGone)

        bench.resetLog()
        let reused = try provider.reuse(stopped, as: "web-2")
        #expect(reused.record.status == NodeStatus.pending)
        #expect(reused.name == "web-2")
        #expect(reused.id == id)
        let actions = bench.requests.filter { $0.method == "POST" }.compactMap(\.body)
        #expect(actions.first == #"{"type":"rename","name":"web-2"}"#)
        #expect(actions.last == #"{"type":"power_on"}"#)
        bench.clock.advance(by: 6)
        let back = try #require(try provider.listNodes().first)
        #expect(back.name == "web-2")
        #expect(back.record.status == NodeStatus.active)
        #expect(bench.dropletNames() == ["web-2"])
    }

    @Test func aFailedBuildIsGone() throws {
        let bench = try DigitalOceanBench()
        bench.emulator.failNextBuilds(1)
        let (provider, _) = try bench.provider()
        let node = try provider.createNode(Self.debian)
        bench.clock.advance(by: 25)
        let gone = try provider.node(id: node.id)
        let listed = try provider.listNodes()
        #expect(gone == nil)
        #expect(listed.isEmpty)
    }

    @Test func aRefusedTokenIsReportedWithoutTheToken() throws {
        let bench = try DigitalOceanBench()
        let secret = "dop_v1_not_a_real_token_4242"
        let (provider, _) = try bench.provider(token: secret)
        let error = try #require(driverError { () throws(DriverError) in try provider.listNodes() })
        #expect(error.httpStatus == 401)
        #expect(error.message.contains("HTTP 401: Unable to authenticate you."))
        #expect(!error.message.contains(secret))
        let lines = provider.check()
        #expect(lines.count == 1)
        #expect(lines.first?.passed == false)
    }

    @Test func createErrorsCarryTheAPIsMessage() throws {
        let bench = try DigitalOceanBench()
        let (provider, _) = try bench.provider()
        let bad = CreateRequest(name: "web-1", imageID: "no-such-image", sizeID: "s-1vcpu-1gb")
        let error = try #require(driverError { () throws(DriverError) in try provider.createNode(bad) })
        #expect(error.httpStatus == 422)
        #expect(!error.mayHaveCreated)
        #expect(error.message.contains("invalid image"))
        #expect(throws: DriverError.self) {
            try provider.createNode(CreateRequest(name: "web-1", imageID: "debian-12-x64", sizeID: ""))
        }
    }

    @Test func checkReportsEachPart() throws {
        let bench = try DigitalOceanBench()
        let (good, _) = try bench.provider(imageID: "140000201", sizeID: "s-1vcpu-2gb")
        let lines = good.check()
        #expect(lines.count == 4)
        #expect(lines.allSatisfy { $0.passed }, "\(lines)")

        let (elsewhere, _) = try bench.provider(["region fra1"], imageID: "140000201", sizeID: "s-2vcpu-4gb")
        let failed = elsewhere.check().filter { !$0.passed }.map { $0.text }
        #expect(failed.count == 2)
        #expect(failed.contains { $0.contains("image 140000201 is not in region fra1") })
        #expect(failed.contains { $0.contains("size s-2vcpu-4gb is not available in region fra1") })

        let (closed, _) = try bench.provider(["region sfo2"], imageID: "nothing-here")
        let texts = closed.check().filter { !$0.passed }.map { $0.text }
        #expect(texts.contains("region sfo2 exists but takes no new droplets"))
        #expect(texts.contains("image nothing-here does not exist"))
    }

    @Test func aLowRateLimitSkipsOptionalLookups() throws {
        let bench = try DigitalOceanBench()
        bench.emulator.setRateLimit(12, window: 3600)
        let notes = NoteSink()
        let (provider, _) = try bench.provider(notes: notes)
        _ = try provider.listNodes()
        #expect(!provider.api.shouldSkipOptional("a lookup"))
        for _ in 0..<3 { _ = try provider.listNodes() }
        #expect(provider.api.rateLimitRemaining == 8)
        #expect(provider.api.shouldSkipOptional("a lookup"))
        #expect(notes.all.contains("only 8 API requests left in the rate limit window: not a lookup"))
    }
}
