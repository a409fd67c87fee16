import CloudEmulators
import Foundation
import Testing
import TMCloudTestSupport

/// A started OEC 0.9 emulator on a virtual clock.
final class OpSourceFixture {
    let clock = VirtualClock()
    let emulator: OpSourceEmulator
    let base: String
    let org = "8a8f6abc-2745-4d8a-9cbc-8dabe5a7d0e4"
    static let imagePath = "/oec/base/image/52ed8b72-ebea-11df-bdc1-001517c46384"
    static let vlanPath = "/oec/0.9/8a8f6abc-2745-4d8a-9cbc-8dabe5a7d0e4/53b4c05b-341e-4ac3-b688-bdd74e53ca9b"

    init(options: OpSourceEmulator.Options = .init()) throws {
        emulator = OpSourceEmulator(time: .virtual(clock), options: options)
        base = try emulator.start()
    }

    deinit { emulator.stop() }

    static func basic(_ user: String, _ password: String) -> (String, String) {
        ("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
    }

    func call(_ method: String, _ target: String, body: String? = nil, password: String = "oec-test-password") throws -> RawHTTPResponse {
        try RawHTTP.request(
            base, method, target, headers: [Self.basic("tmcloud", password), ("Content-Type", "text/xml")], body: body)
    }

    func deploy(_ name: String, started: Bool = true) throws -> RawHTTPResponse {
        let body = """
            <Server xmlns="http://oec.api.opsource.net/schemas/server"><name>\(name)</name><description>pool</description>\
            <vlanResourcePath>\(Self.vlanPath)</vlanResourcePath><imageResourcePath>\(Self.imagePath)</imageResourcePath>\
            <administratorPassword>Secret-123</administratorPassword><isStarted>\(started)</isStarted></Server>
            """
        return try call("POST", "/oec/0.9/\(org)/server", body: body)
    }

    /// The id of the server called `name`, from serverWithState.
    func id(of name: String) throws -> String {
        let xml = try call("GET", "/oec/0.9/\(org)/serverWithState?name=\(name)").text
        guard let start = xml.range(of: #"<serverWithState id=""#) else { return "" }
        return String(xml[start.upperBound...].prefix { $0 != "\"" })
    }
}

/// The prefix bound to a namespace URI in a document.
private func prefix(of namespace: String, in xml: String) -> String? {
    guard let range = xml.range(of: #"="\#(namespace)""#) else { return nil }
    let before = xml[..<range.lowerBound]
    guard let colon = before.lastIndex(of: ":") else { return nil }
    return String(before[before.index(after: colon)...])
}

@Suite struct OpSourceTests {
    @Test func requiresBasicAuthAndNamesTheOrganization() throws {
        let fixture = try OpSourceFixture()
        #expect(try fixture.call("GET", "/oec/0.9/myaccount", password: "wrong").status == 401)
        let account = try fixture.call("GET", "/oec/0.9/myaccount")
        #expect(account.status == 200)
        let p = try #require(prefix(of: "http://oec.api.opsource.net/schemas/directory", in: account.text))
        #expect(account.text.contains("<\(p):orgId>\(fixture.org)</\(p):orgId>"))
    }

    @Test func deployIsPendingThenDeployedAndStarted() throws {
        let fixture = try OpSourceFixture()
        let reply = try fixture.deploy("web-1")
        #expect(reply.status == 200)
        #expect(reply.text.contains(">Deploy Server<") && reply.text.contains(">SUCCESS<") && reply.text.contains(">REASON_0<"))
        #expect(!reply.text.contains("web-1"))
        let pending = try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/pendingDeploy").text
        #expect(pending.contains("<name>web-1</name>") && pending.contains("<action>DEPLOY_SERVER</action>"))
        #expect(!(try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/deployed").text.contains("web-1")))
        let withState = try fixture.call("GET", "/oec/0.9/\(fixture.org)/serverWithState").text
        #expect(withState.contains("<isDeployed>false</isDeployed>") && withState.contains("<state>PENDING_ADD</state>"))
        fixture.clock.advance(by: 31)
        let deployed = try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/deployed").text
        #expect(deployed.contains("<name>web-1</name>") && deployed.contains("<isStarted>true</isStarted>"))
        #expect(deployed.contains("<privateIpAddress>10.162."))
        let after = try fixture.call("GET", "/oec/0.9/\(fixture.org)/serverWithState").text
        #expect(after.contains("<privateIp>10.162.") && after.contains("<state>NORMAL</state>"))
        #expect(!(try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/pendingDeploy").text.contains("web-1")))
    }

    @Test func busyServersAnswerReason392() throws {
        let fixture = try OpSourceFixture()
        _ = try fixture.deploy("busy-1")
        let id = try fixture.id(of: "busy-1")
        let busy = try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/\(id)?start")
        #expect(busy.status == 400)
        #expect(busy.text.contains(">ERROR<") && busy.text.contains(">REASON_392<"))
        #expect(busy.text.contains("Operation in progress on Server with Id \(id)"))
    }

    @Test func powerOffThenDeleteWithStoppedRequirement() throws {
        let fixture = try OpSourceFixture()
        _ = try fixture.deploy("pw-1")
        fixture.clock.advance(by: 31)
        let id = try fixture.id(of: "pw-1")
        let refused = try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/\(id)?delete")
        #expect(refused.status == 400 && refused.text.contains(">ERROR<"))
        let off = try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/\(id)?poweroff")
        #expect(off.status == 200 && off.text.contains(">Power Off Server<"))
        let during = try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/deployed").text
        #expect(during.contains("<action>POWER_OFF_SERVER</action>"))
        fixture.clock.advance(by: 9)
        #expect(try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/deployed").text.contains("<isStarted>false</isStarted>"))
        let delete = try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/\(id)?delete")
        #expect(delete.status == 200 && delete.text.contains("Server &quot;Delete&quot; issued"))
        #expect(fixture.emulator.inventory().destroyRequestedButPresent.count == 1)
        fixture.clock.advance(by: 9)
        #expect(fixture.emulator.inventory().items.isEmpty)
    }

    @Test func deleteOfARunningServerCanBeAllowed() throws {
        var options = OpSourceEmulator.Options()
        options.deleteRequiresStopped = false
        let fixture = try OpSourceFixture(options: options)
        let id = try #require(fixture.emulator.seedServers(count: 1).first)
        #expect(try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/\(id)?delete").status == 200)
    }

    @Test func namespacePrefixesDifferBetweenReplies() throws {
        let fixture = try OpSourceFixture()
        let id = try #require(fixture.emulator.seedServers(count: 1, started: false).first)
        let general = "http://oec.api.opsource.net/schemas/general"
        let deployReply = try fixture.deploy("ns-1").text
        let actionReply = try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/\(id)?start").text
        let errorReply = try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/\(id)?start").text
        let prefixes = [deployReply, actionReply, errorReply].compactMap { prefix(of: general, in: $0) }
        #expect(prefixes.count == 3)
        #expect(Set(prefixes).count == 3)
        #expect(prefixes[1] == "ns12")
    }

    @Test func pagesServersWithStateAndFiltersById() throws {
        let fixture = try OpSourceFixture()
        let ids = fixture.emulator.seedServers(count: 7)
        let second = try fixture.call("GET", "/oec/0.9/\(fixture.org)/serverWithState?pageSize=3&pageNumber=2").text
        #expect(second.contains(#"totalCount="7""#) && second.contains(#"pageNumber="2""#) && second.contains(#"pageSize="3""#))
        #expect(second.components(separatedBy: "<serverWithState ").count - 1 == 3)
        let third = try fixture.call("GET", "/oec/0.9/\(fixture.org)/serverWithState?pageSize=3&pageNumber=3").text
        #expect(third.components(separatedBy: "<serverWithState ").count - 1 == 1)
        let one = try fixture.call("GET", "/oec/0.9/\(fixture.org)/serverWithState?id=\(ids[4])").text
        #expect(one.contains(#"totalCount="1""#) && one.contains(ids[4]))
    }

    @Test func serverWithStateCanBeMissing() throws {
        let fixture = try OpSourceFixture()
        fixture.emulator.setServerWithStateEnabled(false)
        #expect(try fixture.call("GET", "/oec/0.9/\(fixture.org)/serverWithState").status == 404)
        #expect(try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/deployed").status == 200)
    }

    @Test func failedServersCarryAFailureReasonAndCanBeDeleted() throws {
        let fixture = try OpSourceFixture()
        fixture.emulator.failNextBuilds(1)
        _ = try fixture.deploy("bad-1")
        fixture.clock.advance(by: 31)
        let id = try fixture.id(of: "bad-1")
        let pending = try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/pendingDeploy").text
        #expect(pending.contains("<failureReason>"))
        #expect(try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/\(id)?start").text.contains("REASON_392"))
        #expect(try fixture.call("GET", "/oec/0.9/\(fixture.org)/server/\(id)?delete").status == 200)
        let seeded = try #require(fixture.emulator.seedServers(count: 1).first)
        fixture.emulator.failServer(id: seeded, reason: "stuck")
        let state = try fixture.call("GET", "/oec/0.9/\(fixture.org)/serverWithState?id=\(seeded)").text
        #expect(state.contains("<failureReason>stuck</failureReason>") && state.contains("<state>FAILED_CHANGE</state>"))
    }

    @Test func listsImagesAndNetworksForCheck() throws {
        let fixture = try OpSourceFixture()
        let images = try fixture.call("GET", "/oec/0.9/base/image").text
        #expect(images.contains("<resourcePath>\(OpSourceFixture.imagePath)</resourcePath>"))
        let networks = try fixture.call("GET", "/oec/0.9/\(fixture.org)/networkWithLocation").text
        #expect(networks.contains(":id>53b4c05b-341e-4ac3-b688-bdd74e53ca9b<"))
        #expect(prefix(of: "http://oec.api.opsource.net/schemas/network", in: networks) != nil)
    }
}
