// Nova servers through the built driver: create by name or id, status, paging,
// failed builds, floating IPs, destroy, and `destroy false`.
import CloudEmulators
import TMCloudJSON
import TMCloudTestSupport
import Testing

@testable import TMCloudKit

@Suite("OpenStack servers")
struct OpenStackServerTests {
    static let imageID = "6e1f1c2d-0a9b-4c8d-9e7f-000000000101"
    static let privateNetworkID = "3c6a7e0c-1a4b-4f55-9b1e-0d1c6f5a7001"

    @Test("names are resolved once and cached; status echoes what createnode was given; destroy deletes")
    func namesCreateStatusDestroy() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["network private", "keyName ops-key", "securityGroups default,web"])
        let created = cloud.run("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=m1.small"])
        #expect(created.exitStatus == 0, "\(created.stderr)")
        #expect(created.field("status") == "pending")
        #expect(created.field("name") == "web1")
        let id = try #require(created.field("uniq_id"))
        let body = try #require(cloud.requests("POST", "/servers").last?.body)
        let server = try #require(try JSONParser.parse(body)["server"])
        #expect(server["imageRef"]?.stringValue == Self.imageID)
        #expect(server["flavorRef"]?.stringValue == "2")
        #expect(server["networks"]?[0]?["uuid"]?.stringValue == Self.privateNetworkID)
        #expect(server["key_name"]?.stringValue == "ops-key")
        #expect(server["metadata"]?["tmcloud_tag"]?.stringValue == "pool-a")

        // A second create: the names come from the cache, and the first create's
        // listing (kept as the pool snapshot) shows no web2: the create alone.
        let (second, secondRequests) = cloud.counted(
            "createnode", ["--name=web2", "--imageid=debian-12", "--sizeid=m1.small"])
        #expect(secondRequests == 1)
        #expect(second.exitStatus == 0, "\(second.stderr)")

        // The same name again returns the node instead of making another.
        let again = cloud.run("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=m1.small"])
        #expect(again.field("uniq_id") == id)
        #expect(cloud.requests("POST", "/servers").count == 2)

        cloud.advance(20)
        let status = cloud.run("status")
        #expect(status.exitStatus == 0)
        #expect(status.nodes.count == 2)
        let web1 = try #require(status.nodes.first { $0["name"]?.stringValue == "web1" })
        #expect(web1["status"]?.stringValue == "active")
        #expect(web1["private_ip"]?.stringValue?.hasPrefix("10.0.") == true)
        #expect(web1["public_ip"]?.stringValue == "")
        #expect(web1["imageid"]?.stringValue == "debian-12")
        #expect(web1["sizeid"]?.stringValue == "m1.small")
        #expect(web1["created"]?.stringValue?.hasSuffix("Z") == true)

        for node in status.nodes {
            let destroyed = cloud.run("destroynode", ["--id=\(node["uniq_id"]?.stringValue ?? "")"])
            #expect(destroyed.exitStatus == 0, "\(destroyed.stderr)")
            #expect(destroyed.field("status") == "destroyed")
        }
        let gone = cloud.run("destroynode", ["--id=\(id)"])
        #expect(gone.exitStatus == 0)
        cloud.advance(10)
        #expect(cloud.run("status").nodes.isEmpty)
        #expect(cloud.leftovers().isEmpty)
    }

    @Test("ids need no lookups; servers without the tag are neither listed nor deleted")
    func idsAndOwnership() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["network \(Self.privateNetworkID)"])
        let foreign = cloud.emulator.seedServers(count: 2, namePrefix: "other")
        let created = cloud.run("createnode", ["--name=web1", "--imageid=\(Self.imageID)", "--sizeid=1"])
        #expect(created.exitStatus == 0, "\(created.stderr)")
        #expect(cloud.requests(nil, "/image/").isEmpty)
        #expect(cloud.requests(nil, "/network/").isEmpty)
        let status = cloud.run("status")
        #expect(status.nodes.map { $0["name"]?.stringValue } == ["web1"])
        let refused = cloud.run("destroynode", ["--id=\(foreign[0])"])
        #expect(refused.exitStatus == 1)
        #expect(refused.stderr.contains("not a node of this configuration"))
        #expect(cloud.requests("DELETE", "/servers/").isEmpty)
        #expect(cloud.run("destroynode", ["--id=\(created.field("uniq_id") ?? "")"]).exitStatus == 0)
        #expect(cloud.leftovers().isEmpty)
    }

    @Test("a failed build is reported destroyed with Nova's fault, and deleted by the next createnode")
    func failedBuild() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure()
        cloud.emulator.failNextBuilds(1)
        let created = cloud.run("createnode", ["--name=web1", "--imageid=vtm-backend", "--sizeid=2"])
        #expect(created.exitStatus == 0, "\(created.stderr)")
        let failedID = try #require(created.field("uniq_id"))
        cloud.advance(20)
        let status = cloud.run("status", verbose: true)
        #expect(status.field("status") == "destroyed")
        #expect(status.field("complete") == "100")
        #expect(status.stderr.contains("No valid host was found"))

        let replacement = cloud.run("createnode", ["--name=web2", "--imageid=vtm-backend", "--sizeid=2"])
        #expect(replacement.exitStatus == 0, "\(replacement.stderr)")
        #expect(cloud.requests("DELETE", "/servers/\(failedID)").count == 1)
        cloud.advance(20)
        let after = cloud.run("status")
        #expect(after.nodes.map { $0["name"]?.stringValue } == ["web2"])
        #expect(cloud.run("destroynode", ["--id=\(replacement.field("uniq_id") ?? "")"]).exitStatus == 0)
        #expect(cloud.leftovers().isEmpty)
    }

    @Test("a failed server seen by status is deleted by the next destroynode")
    func failedServerDeletedByDestroy() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure()
        let good = cloud.run("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=1"])
        cloud.emulator.failNextBuilds(1)
        let bad = cloud.run("createnode", ["--name=web2", "--imageid=debian-12", "--sizeid=1"])
        let badID = try #require(bad.field("uniq_id"))
        cloud.advance(20)
        let status = cloud.run("status")
        #expect(status.nodes.first { $0["uniq_id"]?.stringValue == badID }?["status"]?.stringValue == "destroyed")
        #expect(cloud.run("destroynode", ["--id=\(good.field("uniq_id") ?? "")"]).exitStatus == 0)
        #expect(cloud.requests("DELETE", "/servers/\(badID)").count == 1)
        #expect(cloud.leftovers().isEmpty)
    }

    @Test("a floating IP is allocated once the port exists and released on destroy")
    func floatingIPs() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["network private", "floatingNetwork public"])
        let created = cloud.run("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=1"])
        #expect(created.exitStatus == 0, "\(created.stderr)")
        let id = try #require(created.field("uniq_id"))
        // Still building without a port: nothing to do yet, one request.
        let (building, buildingRequests) = cloud.counted("status")
        #expect(building.field("status") == "pending")
        #expect(buildingRequests == 1)

        cloud.advance(20)
        let allocating = cloud.run("status")
        #expect(allocating.field("status") == "active")
        let publicIP = try #require(allocating.field("public_ip"))
        #expect(publicIP.hasPrefix("172.24."))
        #expect(cloud.requests("POST", "/floatingips").count == 1)

        // Done: status is back to one request, and nothing is allocated twice.
        let (warm, warmRequests) = cloud.counted("status")
        #expect(warmRequests == 1)
        #expect(warm.field("public_ip") == publicIP)
        #expect(cloud.emulator.inventory().of(kind: "floatingip").count == 1)

        #expect(cloud.run("destroynode", ["--id=\(id)"]).exitStatus == 0)
        #expect(cloud.requests("DELETE", "/floatingips/").count == 1)
        #expect(cloud.emulator.inventory().of(kind: "floatingip").isEmpty)
        #expect(cloud.leftovers().isEmpty)
    }

    @Test("a floating IP given during a build that then fails is released with the server")
    func floatingIPOfFailedBuild() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["network private", "floatingNetwork public"])
        cloud.emulator.failNextBuilds(1)
        let created = cloud.run("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=1"])
        let failedID = try #require(created.field("uniq_id"))
        // The port is there before the build ends: status gives it its floating IP.
        cloud.advance(5)
        #expect(cloud.run("status").exitStatus == 0)
        #expect(cloud.emulator.inventory().of(kind: "floatingip").count == 1)
        // The build fails: Nova drops the port and lists no address for the server.
        cloud.advance(20)
        #expect(cloud.run("status").field("status") == "destroyed")
        let replacement = cloud.run("createnode", ["--name=web2", "--imageid=debian-12", "--sizeid=1"])
        #expect(replacement.exitStatus == 0, "\(replacement.stderr)")
        #expect(cloud.requests("DELETE", "/servers/\(failedID)").count == 1)
        #expect(cloud.requests("DELETE", "/floatingips/").count == 1)
        #expect(cloud.run("destroynode", ["--id=\(replacement.field("uniq_id") ?? "")"]).exitStatus == 0)
        #expect(cloud.leftovers().isEmpty, "\(cloud.emulator.inventory().items)")
    }

    @Test("destroy false: stop, then createnode starts and renames the stopped server")
    func destroyFalseRoundTrip() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["destroy false"])
        let created = cloud.run("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=1"])
        let id = try #require(created.field("uniq_id"))
        cloud.advance(20)
        let stopped = cloud.run("destroynode", ["--id=\(id)"])
        #expect(stopped.exitStatus == 0, "\(stopped.stderr)")
        #expect(stopped.field("status") == "destroyed")
        #expect(cloud.requests("DELETE", "/servers/").isEmpty)
        #expect(cloud.run("status").field("status") == "destroyed")
        cloud.advance(10)
        #expect(cloud.run("status").field("status") == "destroyed")
        // Stopping a stopped server again is done at once, with no os-stop.
        #expect(cloud.run("destroynode", ["--id=\(id)"]).exitStatus == 0)
        #expect(cloud.requests("POST", "/action").count == 1)

        let reused = cloud.run("createnode", ["--name=web2", "--imageid=debian-12", "--sizeid=1"])
        #expect(reused.exitStatus == 0, "\(reused.stderr)")
        #expect(reused.field("uniq_id") == id)
        #expect(reused.field("name") == "web2")
        #expect(reused.field("status") == "pending")
        #expect(cloud.requests("POST", "/servers").filter { !$0.path.hasSuffix("/action") }.count == 1)
        #expect(cloud.run("status").field("status") == "pending")
        cloud.advance(10)
        let running = cloud.run("status")
        #expect(running.field("status") == "active")
        #expect(running.field("name") == "web2")

        cloud.configure(["destroy true"])
        #expect(cloud.run("destroynode", ["--id=\(id)"]).exitStatus == 0)
        #expect(cloud.leftovers().isEmpty)
    }
}
