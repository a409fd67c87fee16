import CloudEmulators
import Testing
import TMCloudJSON
import TMCloudTestSupport

/// A started OpenStack emulator on a virtual clock, with a project-scoped token.
final class OpenStackFixture {
    let clock = VirtualClock()
    let emulator: OpenStackEmulator
    let base: String
    private(set) var token = ""
    /// The compute path prefix from the catalog (with the project id).
    private(set) var compute = ""

    init(options: OpenStackEmulator.Options = .init()) throws {
        emulator = OpenStackEmulator(time: .virtual(clock), options: options)
        base = try emulator.start()
        try authenticate()
    }

    deinit { emulator.stop() }

    static let passwordAuth = #"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"tmcloud","domain":{"name":"Default"},"password":"os-test-password"}}},"scope":{"project":{"name":"tmcloud","domain":{"id":"default"}}}}}"#

    func authenticate(body: String = OpenStackFixture.passwordAuth) throws {
        let reply = try RawHTTP.request(base, "POST", "/identity/v3/auth/tokens", headers: [("Content-Type", "application/json")], body: body)
        token = reply.header("x-subject-token") ?? ""
        let catalog = reply.json["token"]?["catalog"]?.arrayValue ?? []
        let url = catalog.first { $0["type"] == "compute" }?["endpoints"]?[0]?["url"]?.stringValue ?? ""
        compute = String(url.dropFirst(base.count))
    }

    func call(_ method: String, _ target: String, body: String? = nil, token: String? = nil) throws -> RawHTTPResponse {
        try RawHTTP.request(
            base, method, target,
            headers: [("X-Auth-Token", token ?? self.token), ("Content-Type", "application/json")], body: body)
    }

    func createServer(_ name: String, network: String = "3c6a7e0c-1a4b-4f55-9b1e-0d1c6f5a7001") throws -> String {
        let body = #"{"server":{"name":"\#(name)","imageRef":"6e1f1c2d-0a9b-4c8d-9e7f-000000000101","flavorRef":"2","networks":[{"uuid":"\#(network)"}],"metadata":{"tmcloud":"web"}}}"#
        return try call("POST", "\(compute)/servers", body: body).json["server"]?["id"]?.stringValue ?? ""
    }

    func server(_ id: String) throws -> JSONValue? { try call("GET", "\(compute)/servers/\(id)").json["server"] }
}

@Suite struct OpenStackTests {
    @Test func issuesTokensWithACatalogPointingBack() throws {
        let fixture = try OpenStackFixture()
        let reply = try RawHTTP.request(fixture.base, "POST", "/v3/auth/tokens", body: OpenStackFixture.passwordAuth)
        #expect(reply.status == 201)
        #expect(reply.header("x-subject-token")?.isEmpty == false)
        let token = try #require(reply.json["token"])
        #expect(token["expires_at"]?.stringValue?.hasSuffix("Z") == true)
        #expect(token["project"]?["name"] == "tmcloud")
        let endpoints = token["catalog"]?.arrayValue?.first { $0["type"] == "network" }?["endpoints"]?.arrayValue ?? []
        #expect(endpoints.contains { $0["interface"] == "internal" && $0["region_id"] == "RegionTwo" })
        #expect(endpoints.allSatisfy { $0["url"]?.stringValue?.hasPrefix(fixture.base) == true })
        let versions = try RawHTTP.request(fixture.base, "GET", "/identity")
        #expect(versions.status == 300)
        #expect(versions.json["versions"]?["values"]?[0]?["id"] == "v3.14")
    }

    @Test func refusesBadCredentialsAndAcceptsApplicationCredentials() throws {
        let fixture = try OpenStackFixture()
        let wrong = OpenStackFixture.passwordAuth.replacingOccurrences(of: "os-test-password", with: "nope")
        let denied = try RawHTTP.request(fixture.base, "POST", "/identity/v3/auth/tokens", body: wrong)
        #expect(denied.status == 401)
        #expect(denied.json["error"]?["code"] == 401)
        let application = #"{"auth":{"identity":{"methods":["application_credential"],"application_credential":{"id":"a4c1e8d2f3b54a6c9d7e0f1a2b3c4d5e","secret":"os-app-secret"}}}}"#
        let granted = try RawHTTP.request(fixture.base, "POST", "/identity/v3/auth/tokens", body: application)
        #expect(granted.status == 201)
        #expect(granted.json["token"]?["methods"] == ["application_credential"])
        #expect(try fixture.call("GET", "\(fixture.compute)/servers").status == 200)
        #expect(try fixture.call("GET", "\(fixture.compute)/servers", token: "forged").status == 401)
    }

    @Test func tokensExpireAndCanBeRevoked() throws {
        var options = OpenStackEmulator.Options()
        options.tokenLifetime = 600
        let fixture = try OpenStackFixture(options: options)
        #expect(try fixture.call("GET", "/network/v2.0/networks").status == 200)
        fixture.clock.advance(by: 601)
        #expect(try fixture.call("GET", "/network/v2.0/networks").status == 401)
        try fixture.authenticate()
        #expect(try fixture.call("GET", "/network/v2.0/networks").status == 200)
        fixture.emulator.revokeAllTokens()
        #expect(try fixture.call("GET", "\(fixture.compute)/servers/detail").status == 401)
    }

    @Test func buildsThenActiveWithFixedAddresses() throws {
        let fixture = try OpenStackFixture()
        let body = #"{"server":{"name":"web-1","imageRef":"6e1f1c2d-0a9b-4c8d-9e7f-000000000101","flavorRef":"2","networks":[{"uuid":"3c6a7e0c-1a4b-4f55-9b1e-0d1c6f5a7001"}]}}"#
        let created = try fixture.call("POST", "\(fixture.compute)/servers", body: body)
        #expect(created.status == 202)
        let reply = try #require(created.json["server"]?.objectValue)
        #expect(Set(reply.keys) == ["id", "links", "adminPass", "OS-DCF:diskConfig", "security_groups"])
        let id = try #require(reply["id"]?.stringValue)
        #expect(created.header("location")?.hasSuffix(id) == true)
        let building = try fixture.server(id)
        #expect(building?["status"] == "BUILD")
        #expect(building?["OS-EXT-STS:task_state"] == "scheduling")
        #expect(try fixture.call("GET", "/network/v2.0/ports?device_id=\(id)").json["ports"]?.arrayValue?.count == 0)
        fixture.clock.advance(by: 3)
        #expect(try fixture.call("GET", "/network/v2.0/ports?device_id=\(id)").json["ports"]?.arrayValue?.count == 1)
        fixture.clock.advance(by: 13)
        let active = try fixture.server(id)
        #expect(active?["status"] == "ACTIVE")
        #expect(active?["OS-EXT-STS:task_state"] == .null)
        #expect(active?["OS-EXT-STS:power_state"] == 1)
        #expect(active?["addresses"]?["private"]?[0]?["OS-EXT-IPS:type"] == "fixed")
        #expect(active?["image"]?["id"] == "6e1f1c2d-0a9b-4c8d-9e7f-000000000101")
        #expect(active?["flavor"]?["id"] == "2")
    }

    @Test func validatesCreateRequests() throws {
        let fixture = try OpenStackFixture()
        let badImage = try fixture.call("POST", "\(fixture.compute)/servers", body: #"{"server":{"name":"x","imageRef":"nope","flavorRef":"2","networks":"auto"}}"#)
        #expect(badImage.status == 400)
        #expect(badImage.json["badRequest"]?["code"] == 400)
        let badFlavor = try fixture.call("POST", "\(fixture.compute)/servers", body: #"{"server":{"name":"x","imageRef":"6e1f1c2d-0a9b-4c8d-9e7f-000000000101","flavorRef":"99","networks":"auto"}}"#)
        #expect(badFlavor.status == 400)
        let badNetwork = try fixture.call("POST", "\(fixture.compute)/servers", body: #"{"server":{"name":"x","imageRef":"6e1f1c2d-0a9b-4c8d-9e7f-000000000101","flavorRef":"2","networks":[{"uuid":"missing"}]}}"#)
        #expect(badNetwork.status == 400)
    }

    @Test func failedBuildsShowErrorWithAFault() throws {
        let fixture = try OpenStackFixture()
        fixture.emulator.failNextBuilds(1)
        let id = try fixture.createServer("bad-1")
        fixture.clock.advance(by: 20)
        let server = try fixture.server(id)
        #expect(server?["status"] == "ERROR")
        #expect(server?["fault"]?["code"] == 500)
        #expect(server?["fault"]?["message"]?.stringValue?.isEmpty == false)
    }

    @Test func listsWithARegexNameFilterAndMarkerPaging() throws {
        let fixture = try OpenStackFixture()
        fixture.emulator.seedServers(count: 7, namePrefix: "tm-web", metadata: ["tmcloud": "web"])
        fixture.emulator.seedServers(count: 3, namePrefix: "other")
        let regex = try fixture.call("GET", "\(fixture.compute)/servers/detail?name=%5Etm-w").json["servers"]?.arrayValue
        #expect(regex?.count == 7)
        let unanchored = try fixture.call("GET", "\(fixture.compute)/servers/detail?name=web-").json["servers"]?.arrayValue
        #expect(unanchored?.count == 7)
        var target: String? = "\(fixture.compute)/servers/detail?name=%5Etm-&limit=3"
        var ids: [String] = []
        var pages = 0
        while let next = target {
            let reply = try fixture.call("GET", next)
            ids += reply.json["servers"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
            let link = reply.json["servers_links"]?.arrayValue?.first { $0["rel"] == "next" }?["href"]?.stringValue
            target = link.map { String($0.dropFirst(fixture.base.count)) }
            pages += 1
        }
        #expect(pages == 3)
        #expect(ids.count == 7 && Set(ids).count == 7)
        #expect(try fixture.call("GET", "\(fixture.compute)/servers/detail?marker=bogus").status == 400)
    }

    @Test func deletingShowsTaskStateThenNotFound() throws {
        let fixture = try OpenStackFixture()
        let id = try fixture.createServer("del-1")
        fixture.clock.advance(by: 20)
        #expect(try fixture.call("DELETE", "\(fixture.compute)/servers/\(id)").status == 204)
        #expect(try fixture.server(id)?["OS-EXT-STS:task_state"] == "deleting")
        #expect(fixture.emulator.inventory().destroyRequestedButPresent.map(\.id) == [id])
        fixture.clock.advance(by: 4)
        let gone = try fixture.call("GET", "\(fixture.compute)/servers/\(id)")
        #expect(gone.status == 404)
        #expect(gone.json["itemNotFound"]?["code"] == 404)
        #expect(fixture.emulator.inventory().items.isEmpty)
    }

    @Test func stopAndStartWithConflicts() throws {
        let fixture = try OpenStackFixture()
        let id = try fixture.createServer("pw-1")
        fixture.clock.advance(by: 20)
        let start = #"{"os-start":null}"#
        let stop = #"{"os-stop":null}"#
        let conflict = try fixture.call("POST", "\(fixture.compute)/servers/\(id)/action", body: start)
        #expect(conflict.status == 409)
        #expect(conflict.json["conflictingRequest"]?["code"] == 409)
        #expect(try fixture.call("POST", "\(fixture.compute)/servers/\(id)/action", body: stop).status == 202)
        #expect(try fixture.server(id)?["OS-EXT-STS:task_state"] == "powering-off")
        #expect(try fixture.call("POST", "\(fixture.compute)/servers/\(id)/action", body: stop).status == 409)
        fixture.clock.advance(by: 5)
        #expect(try fixture.server(id)?["status"] == "SHUTOFF")
        #expect(try fixture.call("PUT", "\(fixture.compute)/servers/\(id)", body: #"{"server":{"name":"pw-2"}}"#).status == 200)
        #expect(try fixture.call("POST", "\(fixture.compute)/servers/\(id)/action", body: start).status == 202)
        fixture.clock.advance(by: 5)
        let server = try fixture.server(id)
        #expect(server?["status"] == "ACTIVE")
        #expect(server?["name"] == "pw-2")
    }

    @Test func floatingAddressesAssociateAndShowAsFloating() throws {
        let fixture = try OpenStackFixture()
        let id = try fixture.createServer("fip-1")
        fixture.clock.advance(by: 20)
        let port = try #require(fixture.call("GET", "/network/v2.0/ports?device_id=\(id)").json["ports"]?[0]?["id"]?.stringValue)
        let external = try fixture.call("GET", "/network/v2.0/networks?router:external=true").json["networks"]?[0]
        #expect(external?["name"] == "public")
        let networkID = try #require(external?["id"]?.stringValue)
        let created = try fixture.call("POST", "/network/v2.0/floatingips", body: #"{"floatingip":{"floating_network_id":"\#(networkID)"}}"#)
        #expect(created.status == 201)
        let fipID = try #require(created.json["floatingip"]?["id"]?.stringValue)
        let address = try #require(created.json["floatingip"]?["floating_ip_address"]?.stringValue)
        let update = try fixture.call("PUT", "/network/v2.0/floatingips/\(fipID)", body: #"{"floatingip":{"port_id":"\#(port)"}}"#)
        #expect(update.json["floatingip"]?["status"] == "ACTIVE")
        let entries = try fixture.server(id)?["addresses"]?["private"]?.arrayValue ?? []
        #expect(entries.contains { $0["addr"]?.stringValue == address && $0["OS-EXT-IPS:type"] == "floating" })
        let byPort = try fixture.call("GET", "/network/v2.0/floatingips?port_id=\(port)").json["floatingips"]?.arrayValue
        #expect(byPort?.count == 1)
        // Deleting the server leaves the address allocated: a leftover until released.
        _ = try fixture.call("DELETE", "\(fixture.compute)/servers/\(id)")
        fixture.clock.advance(by: 4)
        #expect(fixture.emulator.inventory().of(kind: "floatingip").map(\.id) == [fipID])
        #expect(try fixture.call("DELETE", "/network/v2.0/floatingips/\(fipID)").status == 204)
        #expect(fixture.emulator.inventory().items.isEmpty)
    }

    @Test func answersTheCatalogCallsOfCheck() throws {
        let fixture = try OpenStackFixture()
        #expect(try fixture.call("GET", "\(fixture.compute)/flavors/detail").json["flavors"]?.arrayValue?.count == 3)
        #expect(try fixture.call("GET", "\(fixture.compute)/flavors/2").json["flavor"]?["name"] == "m1.small")
        #expect(try fixture.call("GET", "\(fixture.compute)/flavors/99").status == 404)
        #expect(try fixture.call("GET", "/image/v2/images?name=debian-12").json["images"]?.arrayValue?.count == 1)
        #expect(try fixture.call("GET", "/image/v2/images/6e1f1c2d-0a9b-4c8d-9e7f-000000000102").json["name"] == "vtm-backend")
        #expect(try fixture.call("GET", "\(fixture.compute)/os-keypairs").json["keypairs"]?[0]?["keypair"]?["name"] == "ops-key")
        #expect(try fixture.call("GET", "/network/v2.0/security-groups?name=web").json["security_groups"]?.arrayValue?.count == 1)
    }
}
