// What the emulated DigitalOcean does not serve, through a scripted transport: the
// create-errored lookup (needs the server's Date header and the droplet's action
// list), the VPC and ssh key lines of check, user data, and broken pagination.
import Testing
import TMCloudJSON
import TMCloudTestSupport
import TMCloudTransport

@testable import TMCloudKit

@Suite("DigitalOcean provider, scripted replies")
struct DigitalOceanScriptedTests {
    typealias Rig = DigitalOceanTestRig

    @Test func aLongBuildIsAskedAboutAndAnErroredCreateIsFailed() throws {
        var errored = true
        let transport = ScriptedTransport { request in
            if request.url.hasSuffix("/actions?per_page=20") {
                let status: JSONValue = errored ? "errored" : "in-progress"
                return Rig.reply(200, ["actions": [["id": 9, "type": "create", "status": status]]])
            }
            // Ten minutes after created_at, by the server's clock.
            return Rig.reply(
                200, ["droplet": Rig.droplet(id: 31, name: "web-1", status: "new")],
                headers: ["date": "Mon, 23 Nov 2026 10:10:00 GMT", "ratelimit-remaining": "4000"])
        }
        let (provider, _) = try Rig.provider(["region lon1"], transport: transport)
        let failed = try #require(try provider.node(id: "31"))
        #expect(failed.condition == .failed("the create action errored"))
        #expect(failed.record.status == .destroyed)
        #expect(transport.requests.count == 2)

        errored = false
        let building = try #require(try provider.node(id: "31"))
        #expect(building.record.status == .pending)
        #expect(building.record.complete == 90)
    }

    @Test func aLowRateLimitSkipsTheLookup() throws {
        let transport = ScriptedTransport { _ in
            Rig.reply(
                200, ["droplet": Rig.droplet(id: 31, name: "web-1", status: "new")],
                headers: ["date": "Mon, 23 Nov 2026 10:10:00 GMT", "ratelimit-remaining": "3"])
        }
        let (provider, _) = try Rig.provider(["region lon1"], transport: transport)
        let node = try #require(try provider.node(id: "31"))
        #expect(node.record.status == .pending)
        #expect(transport.requests.count == 1)
    }

    @Test func checkLooksUpTheVPCAndEachSSHKey() throws {
        let transport = ScriptedTransport { request in
            let url = request.url
            if url.hasSuffix("/v2/account") { return Rig.reply(200, ["account": ["status": "active"]]) }
            if url.contains("/v2/regions") { return Rig.reply(200, ["regions": [["slug": "lon1", "available": true]]]) }
            if url.contains("/v2/vpcs/") { return Rig.reply(200, ["vpc": ["id": "v-1", "region": "fra1"]]) }
            if url.hasSuffix("/v2/account/keys/101") { return Rig.reply(200, ["ssh_key": ["id": 101, "name": "ops"]]) }
            return Rig.reply(404, ["id": "not_found", "message": "The resource you were accessing could not be found."])
        }
        let (provider, _) = try Rig.provider(
            ["region lon1", "vpcUUID v-1", "sshKeys 101, aa:bb"], transport: transport)
        let lines = provider.check()
        #expect(lines.map(\.text) == [
            "API token accepted at https://api.digitalocean.com/v2 (account active)",
            "region lon1 is available",
            "image not checked: give --imageid=SLUG_OR_ID (the pool's image id)",
            "size not checked: give --sizeid=SLUG (the pool's machine type)",
            "vpcUUID v-1 is in region fra1, not lon1",
            "ssh key 101 (ops) found",
            "ssh key aa:bb is not in the account",
        ])
        #expect(lines.map(\.passed) == [true, true, true, true, false, true, false])
        #expect(transport.requests.allSatisfy { $0.headers.contains { $0 == ("Authorization", "Bearer \(Rig.token)") } })
        #expect(transport.requests.contains { $0.url.hasSuffix("/v2/account/keys/aa%3Abb") })
    }

    @Test func userDataGoesIntoTheCreateBody() throws {
        let home = ZeusHomeFixture()
        home.addExtraFile("boot.yaml", "#cloud-config\nruncmd:\n  - systemctl start app\n")
        let transport = ScriptedTransport { request in
            request.url.hasSuffix("/account") ? Rig.reply(200, ["account": ["status": "active"]]) : Rig.reply(404)
        }
        let (provider, _) = try Rig.provider(["region lon1", "userDataFile boot.yaml"], transport: transport, home: home.path)
        let body = try provider.createBody(CreateRequest(name: "a", imageID: "debian-12-x64", sizeID: "s-1vcpu-1gb"))
        #expect(body["user_data"] == "#cloud-config\nruncmd:\n  - systemctl start app\n")
        #expect(provider.check().contains(CheckResult(true, "userDataFile read (46 bytes)")))

        let (missing, _) = try Rig.provider(["region lon1", "userDataFile nope.yaml"], transport: transport, home: home.path)
        let error = driverError { () throws(DriverError) in try missing.createBody(CreateRequest(name: "a", imageID: "b", sizeID: "c")) }
        #expect(error?.kind == .config)
    }

    /// Later pages' links are the second page's with the number changed; `per_page`
    /// is not mistaken for `page`, and a link without a page number has no pattern.
    @Test func pageLinksAreWrittenFromTheSecondPagesLink() {
        let second = "https://api.digitalocean.com/v2/droplets?page=2&per_page=200&tag_name=tmcloud"
        let links = PageLinks(second, page: 2)
        #expect(links?.link(toPage: 2) == second)
        #expect(links?.link(toPage: 13) == "https://api.digitalocean.com/v2/droplets?page=13&per_page=200&tag_name=tmcloud")
        #expect(PageLinks("http://h/v2/droplets?per_page=200&tag_name=x&page=2", page: 2)?.link(toPage: 3)
            == "http://h/v2/droplets?per_page=200&tag_name=x&page=3")
        #expect(PageLinks("http://h/v2/droplets?per_page=200&tag_name=page=2x", page: 2) == nil)
        #expect(PageLinks("http://h/v2/droplets?per_page=200", page: 2) == nil)
        #expect(PageLinks("http://h/v2/droplets?page=22&per_page=200", page: 2) == nil)
    }

    @Test func pagesThatNeverEndAreAnError() throws {
        let transport = ScriptedTransport { _ in
            Rig.reply(200, [
                "droplets": [Rig.droplet(id: 1, name: "a", status: "active")],
                "links": ["pages": ["next": "https://api.digitalocean.com/v2/droplets?page=2&per_page=200&tag_name=tmcloud"]],
            ])
        }
        let (provider, _) = try Rig.provider(["region lon1"], transport: transport)
        let error = driverError { () throws(DriverError) in try provider.listNodes() }
        #expect(error?.kind == .malformedReply)
        #expect(transport.requests.count == 2)
        // The API's own host in links is replaced by the configured one.
        #expect(transport.requests[1].url == "https://api.digitalocean.com/v2/droplets?page=2&per_page=200&tag_name=tmcloud")
        let (viaProxy, _) = try Rig.provider(["region lon1", "apiHost http://127.0.0.1:8080/do"], transport: transport)
        #expect(viaProxy.api.localURL("https://api.digitalocean.com/v2/droplets?page=3") == "http://127.0.0.1:8080/do/v2/droplets?page=3")
    }

    @Test func aCreateAcceptedWithAnUnreadableReplyMayHaveHappened() throws {
        let transport = ScriptedTransport { _ in HTTPResponse(status: 202, body: Array("<html>".utf8)) }
        let (provider, _) = try Rig.provider(["region lon1"], transport: transport)
        let error = driverError { () throws(DriverError) in
            try provider.createNode(CreateRequest(name: "a", imageID: "debian-12-x64", sizeID: "s-1vcpu-1gb"))
        }
        #expect(error?.mayHaveCreated == true)
    }

    @Test func aBusyDropletIsAskedAgain() throws {
        var busy = 2
        let transport = ScriptedTransport { _ in
            if busy > 0 {
                busy -= 1
                return Rig.reply(422, ["id": "unprocessable_entity", "message": "Droplet already has a pending event."])
            }
            return Rig.reply(201, ["action": ["id": 5, "status": "in-progress", "type": "power_off"]])
        }
        let clock = ManualRetryClock()
        let (provider, _) = try Rig.provider(["region lon1", "destroy false"], transport: transport, clock: clock)
        #expect(try provider.powerOff(id: "77") == .started)
        #expect(transport.requests.count == 3)
        #expect(clock.slept == 4)
    }
}

/// A retry clock that only counts the waits.
final class ManualRetryClock: RetryClock, @unchecked Sendable {
    private(set) var slept: Double = 0
    func now() -> Double { ProcessClock.seconds() + slept }
    func sleep(_ seconds: Double) { slept += seconds }
    func random() -> Double { 0.5 }
}
