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
        // First create of the token: list, image, flavor and network lookups, create;
        // then the ids come from the cache.
        let (first, firstCost) = cloud.counted("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=1"])
        #expect(first.exitStatus == 0, "\(first.stderr)")
        #expect(firstCost == 5)
        let (second, secondCost) = cloud.counted("createnode", ["--name=web2", "--imageid=debian-12", "--sizeid=1"])
        #expect(secondCost == 2)
        #expect(cloud.counted("statusnode", ["--id=\(second.field("uniq_id") ?? "")"]).1 == 1)
        cloud.advance(20)
        #expect(cloud.counted("status").1 == 1)
        #expect(cloud.counted("destroynode", ["--id=\(first.field("uniq_id") ?? "")"]).1 == 2)
        #expect(cloud.counted("destroynode", ["--id=\(second.field("uniq_id") ?? "")"]).1 == 2)
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
        // Read, look the floating IP up, release it, delete.
        #expect(cloud.counted("destroynode", ["--id=\(created.field("uniq_id") ?? "")"]).1 == 4)
        #expect(cloud.leftovers().isEmpty)
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
