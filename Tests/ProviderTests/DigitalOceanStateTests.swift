// The DigitalOcean provider's reading of replies and shaping of requests, through a
// scripted transport: every row of the state table, the create body against the
// documented request shape, and error replies.
import Testing
import TMCloudJSON
import TMCloudTransport

@testable import TMCloudKit

@Suite("DigitalOcean state table and request shapes")
struct DigitalOceanStateTests {
    typealias Rig = DigitalOceanTestRig

    /// The server's clock: 30 s after the droplets' default creation time.
    static let serverDate = "Mon, 23 Nov 2026 10:00:30 GMT"

    /// Lists `droplets` through the provider, as one page.
    func listed(_ droplets: [JSONValue], config: [String] = ["region lon1"], date: String = serverDate) throws
        -> [CloudNode]
    {
        let transport = ScriptedTransport { _ in
            Rig.reply(200, ["droplets": .array(droplets), "links": ["pages": [:]], "meta": ["total": .int(Int64(droplets.count))]],
                headers: ["date": date])
        }
        let (provider, _) = try Rig.provider(config, transport: transport)
        return try provider.listNodes()
    }

    @Test func everyStateMapsByTheTable() throws {
        let nodes = try listed([
            Rig.droplet(id: 1, name: "new", status: "new"),
            Rig.droplet(id: 2, name: "up", status: "active", publicIP: "203.0.113.7", privateIP: "10.0.0.7"),
            Rig.droplet(id: 3, name: "private-only", status: "active", privateIP: "10.0.0.8"),
            Rig.droplet(id: 4, name: "no-address", status: "active"),
            Rig.droplet(id: 5, name: "busy", status: "active", locked: true, publicIP: "203.0.113.9"),
            Rig.droplet(id: 6, name: "off", status: "off", publicIP: "203.0.113.10"),
            Rig.droplet(id: 7, name: "powering-on", status: "off", locked: true),
            Rig.droplet(id: 8, name: "archived", status: "archive"),
            Rig.droplet(id: 9, name: "stuck", status: "new", createdAt: "2026-11-23T09:00:00Z"),
            Rig.droplet(id: 10, name: "future", status: "resizing"),
        ])
        let byName = Dictionary(uniqueKeysWithValues: nodes.map { ($0.name, $0) })
        func expect(_ name: String, _ status: NodeStatus, _ complete: Int, _ condition: CloudNode.Condition = .normal) {
            #expect(byName[name]?.record.status == status, "\(name)")
            #expect(byName[name]?.record.complete == complete, "\(name)")
            #expect(byName[name]?.condition == condition, "\(name)")
        }
        // 30 s into a 60 s typical build: 10 + 40.
        expect("new", .pending, 50)
        expect("up", .active, 100)
        expect("private-only", .active, 100)
        expect("no-address", .pending, 90)
        expect("busy", .pending, 70)
        // destroy true: an off droplet is simply destroyed, not kept for reuse.
        expect("off", .destroyed, 100)
        expect("powering-on", .pending, 40)
        expect("archived", .destroyed, 100)
        expect("stuck", .destroyed, 100, .failed("still being built 60 minutes after it was created"))
        expect("future", .pending, 50)

        let up = try #require(byName["up"]).record
        #expect(up.uniqID == "2")
        #expect(up.publicIP == "203.0.113.7")
        #expect(up.privateIP == "10.0.0.7")
        #expect(up.created == "2026-11-23T10:00:00Z")
        #expect(up.imageID == "ubuntu-24-04-x64")
        #expect(up.sizeID == "s-1vcpu-1gb")
        #expect(byName["private-only"]?.record.publicIP == "")
    }

    /// A droplet's addresses are the first public and the first private network that
    /// has one; its tags are its string tags.
    @Test func aDropletIsReadFromItsJSON() throws {
        let json = try JSONDocument.parse(
            #"""
            {"id":7,"name":"web-\u00e9","status":"active","locked":true,"created_at":"2026-11-23T10:00:00Z",
             "networks":{"v4":[{"ip_address":"","type":"public"},{"type":"private"},{"ip_address":"10.0.0.3"},
                               {"ip_address":"203.0.113.5","type":"pu\u0062lic"},{"ip_address":"10.0.0.4","type":"private"},
                               {"ip_address":"203.0.113.6","type":"public"},"junk"]},
             "image":{"id":42,"slug":""},"size":{"slug":"s-2"},"tags":["tmcloud",3,"other"]}
            """#)
        let droplet = try #require(Droplet(json))
        #expect(droplet.id == "7" && droplet.name == "web-é" && droplet.status == "active" && droplet.locked)
        #expect(droplet.publicIPv4 == "203.0.113.5" && droplet.privateIPv4 == "10.0.0.4")
        #expect(droplet.imageID == "42" && droplet.sizeSlug == "s-2" && droplet.tags == ["tmcloud", "other"])
        let bare = try #require(Droplet(try JSONDocument.parse(#"{"id":"x","name":"n","status":"new","networks":[]}"#)))
        #expect(bare.publicIPv4 == "" && bare.privateIPv4 == "" && bare.tags == [] && !bare.locked)
        #expect(Droplet(try JSONDocument.parse(#"{"id":7,"name":"n"}"#)) == nil)
        #expect(Droplet(try JSONDocument.parse(#"{"id":"","name":"n","status":"new"}"#)) == nil)
    }

    @Test func offIsStoppedUnderDestroyFalse() throws {
        let nodes = try listed(
            [Rig.droplet(id: 6, name: "off", status: "off")], config: ["region lon1", "destroy false"])
        #expect(nodes.first?.condition == .stopped)
        #expect(nodes.first?.record.status == .destroyed)
    }

    @Test func aSnapshotIsNamedByItsNumber() throws {
        let nodes = try listed([Rig.droplet(id: 1, name: "a", status: "active", imageSlug: nil, imageID: 9_100_200)])
        #expect(nodes.first?.record.imageID == "9100200")
    }

    @Test func noServerClockNeverCondemnsABuild() throws {
        let transport = ScriptedTransport { _ in
            Rig.reply(200, ["droplets": [Rig.droplet(id: 1, name: "old", status: "new", createdAt: "2020-01-01T00:00:00Z")]])
        }
        let (provider, _) = try Rig.provider(["region lon1"], transport: transport)
        let node = try #require(try provider.listNodes().first)
        #expect(node.record.status == .pending)
        #expect(!node.isFailed)
    }

    @Test func createBodyHasTheDocumentedShape() throws {
        // The documented request of POST /v2/droplets: each key's JSON type.
        let documented: [String: String] = [
            "name": "string", "region": "string", "size": "string", "image": "string|number",
            "ssh_keys": "array", "backups": "boolean", "ipv6": "boolean", "monitoring": "boolean",
            "tags": "array", "user_data": "string", "vpc_uuid": "string",
        ]
        let transport = ScriptedTransport { _ in Rig.reply(500) }
        let (provider, _) = try Rig.provider(
            ["region ams3", "tag web-pool", "sshKeys 4410, aa:bb:cc", "vpcUUID 1f7e-aa", "ipv6 true"],
            transport: transport)
        let body = try provider.createBody(CreateRequest(name: "web-7", imageID: "77123", sizeID: "s-2vcpu-4gb"))
        for (key, value) in try #require(body.objectValue).pairs {
            let kinds = try #require(documented[key], "\(key) is not a documented create key")
            #expect(kinds.split(separator: "|").contains(Substring(jsonKind(value))), "\(key)")
        }
        #expect(body["image"] == .int(77123))
        #expect(body["ssh_keys"] == [.int(4410), "aa:bb:cc"])
        #expect(body["tags"] == ["web-pool"])
        #expect(body["region"] == "ams3")
        #expect(body["ipv6"] == true)
        #expect(body["monitoring"] == false)
        #expect(body["vpc_uuid"] == "1f7e-aa")
        #expect(body["user_data"] == nil)
        let slug = try provider.createBody(CreateRequest(name: "web-8", imageID: "ubuntu-24-04-x64", sizeID: "s-1vcpu-1gb"))
        #expect(slug["image"] == "ubuntu-24-04-x64")
    }

    @Test func errorRepliesCarryTheCloudsMessage() {
        let reply = Rig.reply(422, ["id": "unprocessable_entity", "message": "Region is not available"])
        let error = DigitalOceanError.from(reply, while: "creating the droplet web-1")
        #expect(error.message == "creating the droplet web-1: HTTP 422: Region is not available (unprocessable_entity)")
        #expect(error.exitStatus == 1)
        let html = HTTPResponse(status: 502, body: Array("<html>\nBad gateway</html>".utf8))
        #expect(DigitalOceanError.from(html, while: "x").message == "x: HTTP 502: <html> Bad gateway</html>")
    }

    @Test func nonNumericIdsAreGone() throws {
        let transport = ScriptedTransport { _ in Rig.reply(500) }
        let (provider, _) = try Rig.provider(["region lon1"], transport: transport)
        #expect(try provider.node(id: "srv-1") == nil)
        #expect(try provider.destroyNode(id: "12ab") == .alreadyGone)
        #expect(try provider.powerOff(id: "-4") == .alreadyGone)
        #expect(transport.requests.isEmpty)
    }

    @Test func theSampleConfigurationIsValid() throws {
        // This file is Tests/ProviderTests/…: the package root is three levels up.
        let root = "/" + "\(#filePath)".split(separator: "/").dropLast(3).joined(separator: "/")
        let config = try DriverConfig.load(path: root + "/driver-configs/digitalocean.cfg")
        #expect(config.provider == .digitalocean)
        #expect(config.string("region") == "lon1")
        #expect(config.destroy)
        let transport = ScriptedTransport { _ in Rig.reply(500) }
        #expect(throws: Never.self) { try Rig.provider(["region lon1", "tag tmcloud-web"], transport: transport) }
    }

    @Test func badConfigurationIsRefused() {
        let transport = ScriptedTransport { _ in Rig.reply(500) }
        #expect(throws: DriverError.self) { try Rig.provider(["region lon1", "tag bad tag!"], transport: transport) }
        #expect(throws: DriverError.self) { try Rig.provider(["region lon 1"], transport: transport) }
        #expect(throws: DriverError.self) {
            try Rig.provider(["region lon1"], transport: transport, token: "abc\r\nX-Evil: 1")
        }
    }
}
