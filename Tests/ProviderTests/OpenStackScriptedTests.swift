// Replies the emulated OpenStack does not give, scripted in-process: a next-page link
// that repeats, a delete refused with 409, Keystone answering 200, a catalog without
// the configured interface.
import TMCloudJSON
import TMCloudTestSupport
import TMCloudTransport
import Testing

@testable import TMCloudKit

@Suite("OpenStack provider with scripted replies")
struct OpenStackScriptedTests {
    static let compute = "http://nova.test/v2.1/p1"

    static func json(_ status: Int, _ text: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(text.utf8))
    }

    static func tokenReply(interface: String = "public") -> HTTPResponse {
        json(
            200,
            """
            {"token":{"issued_at":"2026-11-23T10:00:00Z","expires_at":"2026-11-23T11:00:00Z","catalog":[
              {"type":"compute","endpoints":[{"interface":"\(interface)","region_id":"R1","url":"\(compute)"}]}]}}
            """, headers: ["x-subject-token": "scripted-token"])
    }

    static func server(_ id: String, task: String? = nil) -> String {
        let taskJSON = task.map { "\"\($0)\"" } ?? "null"
        return """
            {"id":"\(id)","name":"n-\(id)","status":"ACTIVE","OS-EXT-STS:task_state":\(taskJSON),
             "metadata":{"tmcloud_tag":"tmcloud"},"addresses":{}}
            """
    }

    /// A provider whose requests go to `transport`, with a fresh ZEUSHOME.
    static func provider(
        _ transport: ScriptedTransport, home: ZeusHomeFixture, extra: [String] = []
    ) throws -> OpenStackProvider {
        let lines = ["provider openstack", "authURL http://keystone.test/v3", "username u", "project p"] + extra
        let config = try DriverConfig.parse(lines: lines, path: "scripted.cfg")
        let credentials = Credentials(cred1: "scripted.cfg", cred2: "pw", cred3: "", objectName: "scripted")
        let client = APIClient(transport: transport, requestTimeout: 2, deadline: ProcessClock.seconds() + 5)
        let context = ProviderContext(
            config: config, credentials: credentials, home: ZeusHome(path: home.path), client: client,
            redactor: Redactor(), note: { _ in })
        return OpenStackProvider(context: context)
    }

    @Test("a next-page link seen before ends the listing")
    func repeatedNextLink() throws {
        let transport = ScriptedTransport { request in
            if request.url.hasSuffix("/auth/tokens") { return Self.tokenReply() }
            // Every page points at the same next page: a broken proxy or cloud.
            let next = #"[{"rel":"next","href":"http://elsewhere/servers/detail?marker=a"}]"#
            return Self.json(200, #"{"servers":[\#(Self.server("a"))],"servers_links":\#(next)}"#)
        }
        let home = ZeusHomeFixture()
        let nodes = try Self.provider(transport, home: home).listNodes()
        #expect(nodes.map(\.id) == ["a"])
        // Keystone, the first page, the one next page; the next link is followed
        // against the catalog's endpoint, not the host in the link.
        #expect(transport.requests.count == 3)
        #expect(transport.requests.last?.url == Self.compute + "/servers/detail?marker=a")
    }

    @Test("a delete refused with 409: fine when the server is being deleted, else Nova's message")
    func deleteConflict() throws {
        var deleting = false
        let transport = ScriptedTransport { request in
            if request.url.hasSuffix("/auth/tokens") { return Self.tokenReply() }
            switch request.method {
            case .get: return Self.json(200, #"{"server":\#(Self.server("s1", task: deleting ? "deleting" : nil))}"#)
            default:
                return Self.json(409, #"{"conflictingRequest":{"code":409,"message":"Instance s1 is locked"}}"#)
            }
        }
        let home = ZeusHomeFixture()
        let provider = try Self.provider(transport, home: home)
        #expect {
            try provider.destroyNode(id: "s1")
        } throws: { error in
            (error as? DriverError)?.message == "deleting server s1 (ACTIVE): HTTP 409: Instance s1 is locked"
        }
        // Deleted by someone else between the read and the delete.
        transport.script = { request in
            if request.method == .delete {
                deleting = true
                return Self.json(409, #"{"conflictingRequest":{"code":409,"message":"busy"}}"#)
            }
            return Self.json(200, #"{"server":\#(Self.server("s1", task: deleting ? "deleting" : nil))}"#)
        }
        #expect(try provider.destroyNode(id: "s1") == .started)
    }

    @Test("an image name: the active one of several; two active ones are an error naming both")
    func imageNames() throws {
        var images = #"""
            [{"id":"i-old","name":"web","status":"deactivated"},{"id":"i-new","name":"web","status":"active"}]
            """#
        let transport = ScriptedTransport { request in
            if request.url.hasSuffix("/auth/tokens") { return Self.tokenReply() }
            return Self.json(200, #"{"images":\#(images)}"#)
        }
        let home = ZeusHomeFixture()
        let provider = try Self.provider(transport, home: home)
        #expect(try provider.names.imageID("web") == "i-new")
        // Nova's image list, as the catalog has no Glance.
        #expect(transport.requests.last?.url == Self.compute + "/images?name=web")
        images = #"[{"id":"i-1","name":"app","status":"active"},{"id":"i-2","name":"app","status":"active"}]"#
        #expect {
            try provider.names.imageID("app")
        } throws: { error in
            (error as? DriverError)?.message == "2 images are called 'app' (i-1, i-2): give the id"
        }
    }

    @Test("an interface the catalog lacks is a configuration error naming the interface")
    func missingInterface() throws {
        let transport = ScriptedTransport { _ in Self.tokenReply(interface: "internal") }
        let home = ZeusHomeFixture()
        #expect {
            try Self.provider(transport, home: home).listNodes()
        } throws: { error in
            let error = error as? DriverError
            return error?.kind == .config && error?.message.contains("compute endpoint with interface public") == true
        }
    }
}
