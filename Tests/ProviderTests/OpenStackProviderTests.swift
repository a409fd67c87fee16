// The OpenStack provider in this process, against the emulated cloud: paging, 409
// replies, check.
import CloudEmulators
import TMCloudJSON
import TMCloudTestSupport
import Testing

@testable import TMCloudKit

@Suite("OpenStack provider in-process")
struct OpenStackProviderTests {
    @Test("status follows next-page links and keeps only the tagged servers")
    func paging() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure()
        cloud.emulator.seedServers(count: 7, namePrefix: "web", metadata: ["tmcloud_tag": "pool-a"])
        cloud.emulator.seedServers(count: 4, namePrefix: "db", metadata: ["tmcloud_tag": "pool-b"])
        cloud.emulator.seedServers(count: 1, namePrefix: "plain")
        let (provider, _) = try cloud.provider()
        provider.pageSize = 3
        var nodes: [CloudNode] = []
        let requests = try cloud.countingThrows { nodes = try provider.listNodes() }
        #expect(nodes.count == 7)
        #expect(Set(nodes.map(\.name)) == Set((1...7).map { "web-\($0)" }))
        #expect(nodes.allSatisfy { $0.record.status == .active })
        // Keystone, then 12 servers in pages of 3: four full pages and an empty one.
        #expect(requests == 1 + 5)
        #expect(cloud.requests("GET", "/servers/detail").dropFirst().allSatisfy { $0.target.contains("marker=") })
    }

    @Test("by default a listing asks for pages of 200: a run's memory stays bounded whatever Nova's max_limit")
    func defaultPageSize() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure()
        cloud.emulator.seedServers(count: 450, namePrefix: "web", metadata: ["tmcloud_tag": "pool-a"])
        let (provider, _) = try cloud.provider()
        var nodes: [CloudNode] = []
        let requests = try cloud.countingThrows { nodes = try provider.listNodes() }
        #expect(nodes.count == 450)
        #expect(Set(nodes.map(\.name)).count == 450)
        // Keystone, then 200, 200 and 50 servers: the short page is the last.
        #expect(requests == 1 + 3)
        let listings = cloud.requests("GET", "/servers/detail")
        #expect(listings.first?.target.hasSuffix("/servers/detail?limit=200") == true)
        #expect(listings.dropFirst().allSatisfy { $0.target.contains("limit=200") && $0.target.contains("marker=") })
    }

    @Test("409: a start refused because the server runs counts as done; a stop refused mid-start is an error")
    func conflicts() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["destroy false"])
        let (provider, _) = try cloud.provider()
        let created = try provider.createNode(CreateRequest(name: "web1", imageID: "debian-12", sizeID: "1"))
        cloud.advance(20)
        let running = try #require(try provider.node(id: created.id))
        #expect(running.record.status == .active)

        // os-start on a running server: Nova says 409, which is what was wanted.
        let reused = try provider.reuse(running, as: "web1")
        #expect(reused.record.status == .pending)
        #expect(cloud.requests("POST", "/action").last?.status == 409)

        #expect(try provider.powerOff(id: created.id) == .started)
        cloud.advance(10)
        let stopped = try #require(try provider.node(id: created.id))
        #expect(stopped.condition == .stopped)
        _ = try provider.reuse(stopped, as: "web2")
        // Stopping while it starts: Nova refuses with 409 and its message is passed on.
        #expect {
            try provider.powerOff(id: created.id)
        } throws: { error in
            let error = error as? DriverError
            return error?.httpStatus == 409 && error?.message.contains("powering-on") == true
        }
        cloud.advance(10)
        #expect(try provider.node(id: created.id)?.record.name == "web2")
        #expect(try provider.destroyNode(id: created.id) == .started)
        #expect(try provider.destroyNode(id: created.id) == .started)
        cloud.advance(10)
        #expect(try provider.destroyNode(id: created.id) == .alreadyGone)
        #expect(try provider.node(id: created.id) == nil)
        #expect(cloud.leftovers().isEmpty)
    }

    @Test("check reports credentials, endpoints, networks, key and security groups")
    func check() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure([
            "network private", "floatingNetwork public", "keyName ops-key", "securityGroups default,web",
        ])
        let good = cloud.run("check")
        #expect(good.exitStatus == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("Keystone accepted"))
        #expect(good.stdout.contains("network private: found"))
        #expect(good.stdout.contains("key pair ops-key: found"))

        cloud.configure(["network nowhere", "floatingNetwork private", "keyName lost-key", "securityGroups absent"])
        let bad = cloud.run("check")
        #expect(bad.exitStatus == 1)
        #expect(bad.stdout.contains("FAIL  network nowhere"))
        #expect(bad.stdout.contains("FAIL  floatingNetwork private"))
        #expect(bad.stdout.contains("FAIL  key pair lost-key"))
        #expect(bad.stdout.contains("FAIL  security group absent"))
    }

    @Test("check verifies the pool's --imageid and --sizeid, by name or id")
    func checkPoolImageAndFlavor() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["network private"])
        let good = cloud.run("check", ["--imageid=vtm-backend", "--sizeid=m1.small"])
        #expect(good.exitStatus == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("ok    image vtm-backend: found"), "\(good.stdout)")
        #expect(good.stdout.contains("ok    flavor m1.small: found"), "\(good.stdout)")
        let bad = cloud.run("check", ["--imageid=no-such-image", "--sizeid=m9.huge"])
        #expect(bad.exitStatus == 1)
        #expect(bad.stdout.contains("FAIL  image no-such-image"), "\(bad.stdout)")
        #expect(bad.stdout.contains("FAIL  flavor m9.huge"), "\(bad.stdout)")
    }
}

extension OpenStackTestCloud {
    func countingThrows(_ body: () throws -> Void) throws -> Int {
        let before = requestCount
        try body()
        return requestCount - before
    }
}
