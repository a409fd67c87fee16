// What each action costs in requests, as docs/openstack.md states it, counted in
// the emulator's request log; and the sample configuration reads cleanly.
import CloudEmulators
import TMCloudTestSupport
import Testing

@testable import TMCloudKit

@Suite("OpenStack request costs")
struct OpenStackCostTests {
    @Test("status, createnode and destroynode cost what the documentation says")
    func costs() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["network private"])
        #expect(cloud.counted("status").1 == 2)
        #expect(cloud.counted("status").1 == 1)
        // A create after a status needs no listing: the pool snapshot answers. The
        // first create of the token looks the image, flavor and network up; later
        // ones find them cached.
        let (first, firstCost) = cloud.counted("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=1"])
        #expect(first.exitStatus == 0, "\(first.stderr)")
        #expect(firstCost == 4)
        let (second, secondCost) = cloud.counted("createnode", ["--name=web2", "--imageid=debian-12", "--sizeid=1"])
        #expect(secondCost == 1)
        #expect(cloud.counted("statusnode", ["--id=\(second.field("uniq_id") ?? "")"]).1 == 1)
        cloud.advance(20)
        #expect(cloud.counted("status").1 == 1)
        // Both are in the snapshot: one DELETE each, no read first.
        #expect(cloud.counted("destroynode", ["--id=\(first.field("uniq_id") ?? "")"]).1 == 1)
        #expect(cloud.counted("destroynode", ["--id=\(second.field("uniq_id") ?? "")"]).1 == 1)
        #expect(cloud.leftovers().isEmpty)
    }

    @Test("without a status first, createnode lists and destroynode reads first")
    func costsWithoutASnapshot() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["network private"])
        // Keystone, list, the image, flavor and network ids, create.
        let (first, firstCost) = cloud.counted("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=1"])
        #expect(firstCost == 6)
        cloud.advance(20)
        let snapshot = cloud.home.internalDirectory + "/tmcloud.\(cloud.credentialsName).nodes"
        StateFile.remove(snapshot)
        // Read (the tag is checked), delete.
        #expect(cloud.counted("destroynode", ["--id=\(first.field("uniq_id") ?? "")"]).1 == 2)
        #expect(cloud.leftovers().isEmpty)
    }

    @Test("floating IPs: extra requests only while one is pending; destroy releases it")
    func floatingCosts() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["floatingNetwork public"])
        let (created, createCost) = cloud.counted("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=1"])
        // Keystone, list, the image, flavor and floating network ids, create.
        #expect(createCost == 6)
        cloud.advance(20)
        // List, ports, floating IPs of the port, allocation.
        #expect(cloud.counted("status").1 == 4)
        #expect(cloud.counted("status").1 == 1)
        // The snapshot has the server and its floating address: the floating IP is
        // looked up by that address and released, then the server deleted, unread.
        let id = try #require(created.field("uniq_id"))
        let before = cloud.requestCount
        #expect(cloud.run("destroynode", ["--id=\(id)"]).exitStatus == 0)
        let made = cloud.emulator.requestLog.all.dropFirst(before).map { "\($0.method) \($0.path)" }
        let compute = made.filter { $0.contains("/compute/") }
        #expect(compute.count == 1 && compute.first?.hasPrefix("DELETE ") == true, "\(made)")
        #expect(compute.first?.hasSuffix("/servers/\(id)") == true)
        #expect(made.filter { $0.contains("/floatingips") }.count == 2, "\(made)")
        #expect(made.count == 3, "\(made)")
        #expect(cloud.leftovers().isEmpty)
    }

    /// The snapshot's address is only a lead: a floating IP with that address that the
    /// driver did not give to this server (the address moved) is left alone, and the
    /// server is read to find its own.
    @Test("a floating address that moved since the listing: the server is read first")
    func movedFloatingAddress() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["floatingNetwork public"])
        let create = ["--imageid=debian-12", "--sizeid=1"]
        let a = try #require(cloud.run("createnode", ["--name=web1"] + create).field("uniq_id"))
        let b = try #require(cloud.run("createnode", ["--name=web2"] + create).field("uniq_id"))
        cloud.advance(20)
        let status = cloud.run("status")
        func address(_ id: String) -> String? {
            status.nodes.first { $0["uniq_id"]?.stringValue == id }?["public_ip"]?.stringValue
        }
        let (addressA, addressB) = (try #require(address(a)), try #require(address(b)))
        // web1 listed with web2's address, as if it had changed hands since.
        let path = cloud.home.internalDirectory + "/tmcloud.\(cloud.credentialsName).nodes"
        let text = String(decoding: try #require(StateFile.read(path)), as: UTF8.self)
        try StateFile.write(Array(text.replacingAll(" \(addressA) web1", with: " \(addressB) web1").utf8), to: path)

        #expect(cloud.run("destroynode", ["--id=\(a)"]).exitStatus == 0)
        #expect(cloud.requests("GET", "/servers/\(a)").count == 1)
        let floating = cloud.emulator.inventory().of(kind: "floatingip").map(\.name)
        #expect(floating == [addressB], "\(floating)")
        #expect(cloud.run("destroynode", ["--id=\(b)"]).exitStatus == 0)
        #expect(cloud.leftovers().isEmpty)
    }

    @Test("an id the snapshot does not list is read first: another pool's server is refused")
    func idsOutsideTheSnapshot() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["network private"])
        let ours = cloud.emulator.seedServers(count: 1, namePrefix: "web", metadata: ["tmcloud_tag": "pool-a"])
        let foreign = cloud.emulator.seedServers(count: 1, namePrefix: "db", metadata: ["tmcloud_tag": "pool-b"])
        let untagged = cloud.emulator.seedServers(count: 1, namePrefix: "other")
        #expect(cloud.run("status").nodes.count == 1)
        for id in foreign + untagged {
            let (refused, cost) = cloud.counted("destroynode", ["--id=\(id)"])
            #expect(refused.exitStatus == 1)
            #expect(refused.stderr.contains("not a node of this configuration"), "\(refused.stderr)")
            #expect(cost == 1)
        }
        #expect(cloud.requests("DELETE", "/servers/").isEmpty)
        // A server of the pool made after the snapshot: read, then deleted.
        let later = cloud.emulator.seedServers(count: 1, namePrefix: "web-late", metadata: ["tmcloud_tag": "pool-a"])
        #expect(cloud.counted("destroynode", ["--id=\(later[0])"]).1 == 2)
        #expect(cloud.counted("destroynode", ["--id=\(ours[0])"]).1 == 1)
        cloud.advance(60)
        let left = cloud.emulator.inventory().of(kind: "server").map(\.name).sorted()
        #expect(left.count == 2 && left.allSatisfy { !$0.hasPrefix("web") }, "\(left)")
    }

    @Test("a snapshot of another configuration, or one that does not read, is not used")
    func foreignOrDamagedSnapshot() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["network private"])
        let ours = cloud.emulator.seedServers(count: 2, namePrefix: "web", metadata: ["tmcloud_tag": "pool-a"])
        #expect(cloud.run("status").exitStatus == 0)
        // Any change to the configuration file makes the snapshot another one's.
        cloud.configure(["network private", "keyName ops-key"])
        #expect(cloud.counted("destroynode", ["--id=\(ours[0])"]).1 == 2)
        let snapshot = cloud.home.internalDirectory + "/tmcloud.\(cloud.credentialsName).nodes"
        cloud.home.write(snapshot, "tmcloud-nodes 1 \u{1}garbage\nnode\n")
        #expect(cloud.counted("destroynode", ["--id=\(ours[1])"]).1 == 2)
        #expect(cloud.run("status").exitStatus == 0)
        #expect(String(decoding: try #require(StateFile.read(snapshot)), as: UTF8.self).hasPrefix("tmcloud-nodes 1 "))
        // Rewritten by that status, it is used again: the three name lookups and the
        // create, no listing.
        #expect(cloud.counted("createnode", ["--name=web9", "--imageid=debian-12", "--sizeid=1"]).1 == 4)
    }

    @Test("a snapshot older than ten minutes is not used")
    func staleSnapshot() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["network private"])
        let ours = cloud.emulator.seedServers(count: 1, namePrefix: "web", metadata: ["tmcloud_tag": "pool-a"])
        #expect(cloud.run("status").exitStatus == 0)
        _ = cloud.run("createnode", ["--name=warm", "--imageid=debian-12", "--sizeid=1"])
        let snapshot = cloud.home.internalDirectory + "/tmcloud.\(cloud.credentialsName).nodes"
        #expect(setAge(of: snapshot, seconds: 11 * 60))
        // A listing before the create, a read before the delete: as without a snapshot.
        #expect(cloud.counted("createnode", ["--name=web9", "--imageid=debian-12", "--sizeid=1"]).1 == 2)
        // That listing renewed the snapshot: made old again.
        #expect(setAge(of: snapshot, seconds: 11 * 60))
        #expect(cloud.counted("destroynode", ["--id=\(ours[0])"]).1 == 2)
        // Just under the limit it is used.
        #expect(cloud.run("status").exitStatus == 0)
        #expect(setAge(of: snapshot, seconds: 9 * 60))
        #expect(cloud.counted("createnode", ["--name=web10", "--imageid=debian-12", "--sizeid=1"]).1 == 1)
    }

    @Test("destroy false: stop costs two requests, reuse three")
    func powerCosts() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["destroy false"])
        let created = cloud.run("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=1"])
        cloud.advance(20)
        #expect(cloud.counted("destroynode", ["--id=\(created.field("uniq_id") ?? "")"]).1 == 2)
        cloud.advance(10)
        #expect(cloud.counted("createnode", ["--name=web2", "--imageid=debian-12", "--sizeid=1"]).1 == 3)
        cloud.configure(["destroy true"])
        #expect(cloud.run("destroynode", ["--id=\(created.field("uniq_id") ?? "")"]).exitStatus == 0)
        #expect(cloud.leftovers().isEmpty)
    }

    @Test("the sample configuration is a valid openstack configuration")
    func sampleConfiguration() throws {
        let path = String(#filePath.split(separator: "/").dropLast(3).joined(separator: "/"))
        let config = try DriverConfig.load(path: "/" + path + "/driver-configs/openstack.cfg")
        #expect(config.provider == .openstack)
        #expect(config.string("tag") == "web-pool")
        #expect(config.list("securityGroups") == ["default", "web"])
    }
}
