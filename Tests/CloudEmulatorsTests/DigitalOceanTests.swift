import CloudEmulators
import Testing
import TMCloudJSON
import TMCloudTestSupport

/// A started DigitalOcean emulator on a virtual clock, stopped when the test ends.
final class DigitalOceanFixture {
    let clock = VirtualClock()
    let emulator: DigitalOceanEmulator
    let base: String
    let auth = [("Authorization", "Bearer do-test-token"), ("Content-Type", "application/json")]

    init(options: DigitalOceanEmulator.Options = .init(), faults: FaultPlan = .none) throws {
        emulator = DigitalOceanEmulator(time: .virtual(clock), options: options, faults: faults)
        base = try emulator.start()
    }

    deinit { emulator.stop() }

    func call(_ method: String, _ target: String, body: String? = nil) throws -> RawHTTPResponse {
        try RawHTTP.request(base, method, target, headers: auth, body: body)
    }

    func create(_ name: String, tag: String = "web") throws -> RawHTTPResponse {
        try call(
            "POST", "/v2/droplets",
            body: #"{"name":"\#(name)","region":"lon1","size":"s-1vcpu-1gb","image":"debian-12-x64","tags":["\#(tag)"]}"#)
    }

    func createdID(_ name: String) throws -> Int {
        Int(try create(name).json["droplet"]?["id"]?.intValue ?? -1)
    }

    /// A path relative to the emulator from an absolute link it returned.
    func path(_ href: String?) -> String { String((href ?? "").dropFirst(base.count)) }
}

@Suite struct DigitalOceanTests {
    @Test func rejectsAWrongToken() throws {
        let fixture = try DigitalOceanFixture()
        let reply = try RawHTTP.request(fixture.base, "GET", "/v2/droplets", headers: [("Authorization", "Bearer nope")])
        #expect(reply.status == 401)
        #expect(reply.json["id"] == "unauthorized")
        #expect(reply.json["message"] == "Unable to authenticate you.")
    }

    @Test func createIsNewThenActiveWithAddresses() throws {
        let fixture = try DigitalOceanFixture()
        let created = try fixture.create("web-1")
        #expect(created.status == 202)
        let droplet = try #require(created.json["droplet"])
        #expect(droplet["status"] == "new")
        #expect(droplet["networks"]?["v4"]?.arrayValue?.isEmpty == true)
        #expect(created.json["links"]?["actions"]?[0]?["rel"] == "create")
        let actionPath = fixture.path(created.json["links"]?["actions"]?[0]?["href"]?.stringValue)
        #expect(try fixture.call("GET", actionPath).json["action"]?["status"] == "in-progress")

        fixture.clock.advance(by: 21)
        let id = try #require(droplet["id"]?.intValue)
        let later = try fixture.call("GET", "/v2/droplets/\(id)").json["droplet"]
        #expect(later?["status"] == "active")
        let types = later?["networks"]?["v4"]?.arrayValue?.compactMap { $0["type"]?.stringValue }
        #expect(types == ["private", "public"])
        #expect(try fixture.call("GET", actionPath).json["action"]?["status"] == "completed")
    }

    @Test func validatesCreateRequests() throws {
        let fixture = try DigitalOceanFixture()
        let badRegion = try fixture.call("POST", "/v2/droplets", body: #"{"name":"a","region":"mars1","size":"s-1vcpu-1gb","image":"debian-12-x64"}"#)
        #expect(badRegion.status == 422)
        #expect(badRegion.json["id"] == "unprocessable_entity")
        let badImage = try fixture.call("POST", "/v2/droplets", body: #"{"name":"a","region":"lon1","size":"s-1vcpu-1gb","image":"nope"}"#)
        #expect(badImage.status == 422)
        let noSize = try fixture.call("POST", "/v2/droplets", body: #"{"name":"a","region":"lon1","image":"debian-12-x64"}"#)
        #expect(noSize.status == 422)
        let snapshot = try fixture.call("POST", "/v2/droplets", body: #"{"name":"a","region":"lon1","size":"s-1vcpu-1gb","image":140000201}"#)
        #expect(snapshot.status == 202)
    }

    @Test func pagesThroughTaggedDropletsWithLinks() throws {
        let fixture = try DigitalOceanFixture()
        fixture.emulator.seedDroplets(count: 250, namePrefix: "pool", tag: "web")
        fixture.emulator.seedDroplets(count: 5, namePrefix: "foreign")
        var target: String? = "/v2/droplets?tag_name=web&per_page=100"
        var names: [String] = []
        var pages = 0
        while let next = target {
            let reply = try fixture.call("GET", next)
            #expect(reply.status == 200)
            #expect(reply.json["meta"]?["total"] == 250)
            names += reply.json["droplets"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            let links = reply.json["links"]?["pages"]
            if pages == 0 {
                #expect(links?["first"] == nil && links?["prev"] == nil)
                #expect(links?["last"]?.stringValue?.contains("page=3") == true)
            }
            target = links?["next"]?.stringValue.map { fixture.path($0) }
            pages += 1
        }
        #expect(pages == 3)
        #expect(names.count == 250 && Set(names).count == 250)
        let defaultPage = try fixture.call("GET", "/v2/droplets?tag_name=web")
        #expect(defaultPage.json["droplets"]?.arrayValue?.count == 20)
        let capped = try fixture.call("GET", "/v2/droplets?per_page=500")
        #expect(capped.json["droplets"]?.arrayValue?.count == 200)
        let byName = try fixture.call("GET", "/v2/droplets?name=POOL-7")
        #expect(byName.json["droplets"]?.arrayValue?.count == 1)
        let single = try fixture.call("GET", "/v2/droplets?name=pool-7")
        #expect(single.json["links"]?["pages"] == .object(JSONObject()))
    }

    @Test func deletesAndThenNotFound() throws {
        let fixture = try DigitalOceanFixture()
        let id = try fixture.createdID("gone-1")
        #expect(try fixture.call("DELETE", "/v2/droplets/\(id)").status == 204)
        let missing = try fixture.call("GET", "/v2/droplets/\(id)")
        #expect(missing.status == 404)
        #expect(missing.json["id"] == "not_found")
        #expect(fixture.emulator.inventory().items.isEmpty)
    }

    @Test func powerActionsLockAndComplete() throws {
        let fixture = try DigitalOceanFixture()
        let id = try fixture.createdID("pw-1")
        let tooEarly = try fixture.call("POST", "/v2/droplets/\(id)/actions", body: #"{"type":"power_off"}"#)
        #expect(tooEarly.status == 422)
        fixture.clock.advance(by: 30)
        #expect(try fixture.call("POST", "/v2/droplets/\(id)/actions", body: #"{"type":"power_on"}"#).status == 422)
        let off = try fixture.call("POST", "/v2/droplets/\(id)/actions", body: #"{"type":"power_off"}"#)
        #expect(off.status == 201)
        #expect(off.json["action"]?["status"] == "in-progress")
        #expect(try fixture.call("GET", "/v2/droplets/\(id)").json["droplet"]?["locked"] == true)
        fixture.clock.advance(by: 6)
        let actionID = try #require(off.json["action"]?["id"]?.intValue)
        #expect(try fixture.call("GET", "/v2/actions/\(actionID)").json["action"]?["status"] == "completed")
        let droplet = try fixture.call("GET", "/v2/droplets/\(id)").json["droplet"]
        #expect(droplet?["status"] == "off")
        #expect(droplet?["locked"] == false)
        let rename = try fixture.call("POST", "/v2/droplets/\(id)/actions", body: #"{"type":"rename","name":"pw-2"}"#)
        #expect(rename.status == 201)
        fixture.clock.advance(by: 6)
        #expect(try fixture.call("GET", "/v2/droplets/\(id)").json["droplet"]?["name"] == "pw-2")
    }

    @Test func erroredBuildsEndGone() throws {
        let fixture = try DigitalOceanFixture()
        fixture.emulator.failNextBuilds(1)
        let created = try fixture.create("bad-1")
        let id = try #require(created.json["droplet"]?["id"]?.intValue)
        fixture.clock.advance(by: 30)
        let actionPath = fixture.path(created.json["links"]?["actions"]?[0]?["href"]?.stringValue)
        #expect(try fixture.call("GET", actionPath).json["action"]?["status"] == "errored")
        #expect(try fixture.call("GET", "/v2/droplets/\(id)").status == 404)
    }

    @Test func rateLimitsPerTokenWithHeaders() throws {
        let fixture = try DigitalOceanFixture()
        fixture.emulator.setRateLimit(3, window: 60)
        let first = try fixture.call("GET", "/v2/account")
        #expect(first.header("ratelimit-limit") == "3")
        #expect(first.header("ratelimit-remaining") == "2")
        #expect(first.header("ratelimit-reset") != nil)
        _ = try fixture.call("GET", "/v2/account")
        _ = try fixture.call("GET", "/v2/account")
        let limited = try fixture.call("GET", "/v2/account")
        #expect(limited.status == 429)
        #expect(limited.json["id"] == "too_many_requests")
        #expect(limited.header("retry-after") == "60")
        #expect(limited.header("ratelimit-remaining") == "0")
        fixture.clock.advance(by: 61)
        #expect(try fixture.call("GET", "/v2/account").status == 200)
    }

    @Test func answersTheCatalogCallsOfCheck() throws {
        let fixture = try DigitalOceanFixture()
        #expect(try fixture.call("GET", "/v2/account").json["account"]?["status"] == "active")
        #expect(try fixture.call("GET", "/v2/images/debian-12-x64").json["image"]?["slug"] == "debian-12-x64")
        #expect(try fixture.call("GET", "/v2/images/140000201").json["image"]?["slug"] == .null)
        #expect(try fixture.call("GET", "/v2/images/nope").status == 404)
        let sizes = try fixture.call("GET", "/v2/sizes").json["sizes"]?.arrayValue ?? []
        #expect(sizes.contains { $0["slug"] == "s-1vcpu-1gb" && $0["regions"]?.arrayValue?.contains("lon1") == true })
        let regions = try fixture.call("GET", "/v2/regions").json["regions"]?.arrayValue ?? []
        #expect(regions.contains { $0["slug"] == "lon1" && $0["available"] == true })
    }
}
