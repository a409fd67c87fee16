// Transient failures against the emulated OpenStack: a lost create reply never
// makes a second server, 503s are retried, and the server options reach Nova.
import CloudEmulators
import TMCloudJSON
import TMCloudTestSupport
import TMCloudTransport
import Testing

@testable import TMCloudKit

@Suite("OpenStack faults and server options")
struct OpenStackFaultTests {
    @Test("a create whose reply is lost is looked up by name, not sent again")
    func lostCreateReply() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure()
        #expect(cloud.run("status").exitStatus == 0)
        var rule = FaultRule(route: RoutePattern(method: "POST", pathPrefix: "/compute/"))
        rule.dropAfterReplyShare = 1
        cloud.emulator.faultPlan = FaultPlan(rules: [rule])
        let created = cloud.run("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=1"], verbose: true)
        #expect(created.exitStatus == 0, "\(created.stderr)")
        #expect(created.field("name") == "web1")
        #expect(cloud.requests("POST", "/servers").map(\.fault) == ["drop-after-reply"])
        #expect(cloud.emulator.inventory().of(kind: "server").count == 1)
        #expect(created.field("uniq_id") == cloud.emulator.inventory().of(kind: "server").first?.id)
        cloud.emulator.faultPlan = .none
        #expect(cloud.run("destroynode", ["--id=\(created.field("uniq_id") ?? "")"]).exitStatus == 0)
        #expect(cloud.leftovers().isEmpty)
    }

    @Test("503 replies to the listing and to Keystone are retried inside the deadline")
    func serviceUnavailable() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure()
        var rule = FaultRule(route: RoutePattern(method: nil, pathPrefix: "/"))
        rule.errorShare = 0.5
        rule.errorStatuses = [503]
        cloud.emulator.faultPlan = FaultPlan(seed: 3, rules: [rule])
        for _ in 0..<3 {
            let run = cloud.run("status")
            #expect(run.exitStatus == 0, "\(run.stderr)")
        }
        #expect(cloud.emulator.requestLog.all.contains { $0.status == 503 })
    }

    @Test("key, security groups, availability zone and user data reach Nova")
    func serverOptions() throws {
        let cloud = try OpenStackTestCloud()
        let userData = "#cloud-config\nruncmd:\n  - echo hello\n"
        cloud.home.addExtraFile("cloud-init.yaml", userData)
        cloud.configure([
            "keyName ops-key", "securityGroups default, web", "availabilityZone nova", "userDataFile cloud-init.yaml",
        ])
        let created = cloud.run("createnode", ["--name=web1", "--imageid=debian-12", "--sizeid=m1.tiny"])
        #expect(created.exitStatus == 0, "\(created.stderr)")
        let body = try #require(cloud.requests("POST", "/servers").last?.body)
        let server = try #require(try JSONParser.parse(body)["server"])
        #expect(server["key_name"]?.stringValue == "ops-key")
        #expect(server["security_groups"] == [["name": "default"], ["name": "web"]])
        #expect(server["availability_zone"]?.stringValue == "nova")
        #expect(server["user_data"]?.stringValue == Base64.encode(userData))
        #expect(server["flavorRef"]?.stringValue == "1")
        #expect(cloud.run("destroynode", ["--id=\(created.field("uniq_id") ?? "")"]).exitStatus == 0)
        #expect(cloud.leftovers().isEmpty)
    }
}
