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

    func create(_ name: String, tag: String = "web") throws -> Int {
        let reply = try call(
            "POST", "/v2/droplets",
            body: #"{"name":"\#(name)","region":"lon1","size":"s-1vcpu-1gb","image":"debian-12-x64","tags":["\#(tag)"]}"#)
        return Int(reply.json["droplet"]?["id"]?.intValue ?? -1)
    }
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
        let created = try fixture.call(
            "POST", "/v2/droplets",
            body: #"{"name":"web-1","region":"lon1","size":"s-1vcpu-1gb","image":"debian-12-x64","tags":["web"]}"#)
        #expect(created.status == 202)
        let droplet = try #require(created.json["droplet"])
        #expect(droplet["status"] == "new")
        #expect(droplet["networks"]?["v4"]?.arrayValue?.isEmpty == true)
        let actionHref = try #require(created.json["links"]?["actions"]?[0]?["href"]?.stringValue)
        let actionPath = String(actionHref.dropFirst(fixture.base.count))
        #expect(try fixture.call("GET", actionPath).json["action"]?["status"] == "in-progress")

        fixture.clock.advance(by: 21)
        let id = try #require(droplet["id"]?.intValue)
        let later = try fixture.call("GET", "/v2/droplets/\(id)").json["droplet"]
        #expect(later?["status"] == "active")
        let types = later?["networks"]?["v4"]?.arrayValue?.compactMap { $0["type"]?.stringValue }
        #expect(types == ["private", "public"])
        #expect(try fixture.call("GET", actionPath).json["action"]?["status"] == "completed")
    }
}
