import Testing
import TMCloudTestSupport
import TMCloudTransport

@testable import TMCloudKit

/// The OEC 0.9 documents as the provider reads them: both listing forms, changing
/// prefixes, the Status, and the state table.
@Suite struct OpSourceParsingTests {
    static let server = "http://oec.api.opsource.net/schemas/server"
    static let general = "http://oec.api.opsource.net/schemas/general"

    func parse(_ text: String) throws -> XMLElement {
        try XMLDocumentParser.parse(text)
    }

    @Test func serverWithStateUsesItsOwnElementNames() throws {
        let root = try parse(
            """
            <s:ServersWithState xmlns:s="\(Self.server)" totalCount="1" pageSize="250" pageNumber="1">
              <s:serverWithState id="abc-1" location="NA1">
                <s:name>web-1</s:name><s:networkId>vlan-9</s:networkId><s:sourceImageId>img-7</s:sourceImageId>
                <s:privateIp>10.0.0.5</s:privateIp><s:publicIp>203.0.113.5</s:publicIp>
                <s:created>2026-11-23T10:00:00.000Z</s:created>
                <s:isStarted>true</s:isStarted><s:isDeployed>true</s:isDeployed><s:state>NORMAL</s:state>
              </s:serverWithState>
            </s:ServersWithState>
            """)
        let page = try #require(OpSourceServerPage(root))
        #expect(page.totalCount == 1)
        #expect(!page.hasMore(afterReading: 1))
        let s = try #require(page.servers.first)
        #expect(s.id == "abc-1" && s.name == "web-1" && s.networkID == "vlan-9" && s.sourceImageID == "img-7")
        #expect(s.privateIP == "10.0.0.5" && s.publicIP == "203.0.113.5")
        #expect(s.created == "2026-11-23T10:00:00Z")
        let node = OpSourceStates.node(for: s, sizeID: "medium")
        #expect(node.record.status == .active && node.record.complete == 100 && node.record.sizeID == "medium")
        #expect(node.record.imageID == "img-7")
    }

    @Test func deployedAndPendingListsUseTheOlderNames() throws {
        let deployed = try parse(
            """
            <DeployedServers xmlns="\(Self.server)"><DeployedServer>
              <id>d-1</id><name>web-2</name><networkId>vlan-9</networkId><sourceImageId>img-7</sourceImageId>
              <privateIpAddress>10.0.0.6</privateIpAddress><isStarted>false</isStarted>
              <deployedTime>2026-11-23T09:00:00Z</deployedTime>
            </DeployedServer></DeployedServers>
            """)
        let stopped = try #require(OpSourceServerPage(deployed)?.servers.first)
        #expect(stopped.privateIP == "10.0.0.6" && stopped.isDeployed && !stopped.isStarted)
        #expect(stopped.created == "2026-11-23T09:00:00Z")
        #expect(OpSourceStates.node(for: stopped, sizeID: "").condition == .stopped)

        let pending = try parse(
            """
            <ns9:PendingDeployServers xmlns:ns9="\(Self.server)"><ns9:PendingDeployServer>
              <ns9:id>p-1</ns9:id><ns9:name>web-3</ns9:name><ns9:networkId>vlan-9</ns9:networkId>
              <ns9:status><ns9:action>DEPLOY_SERVER</ns9:action><ns9:requestTime>2026-11-23T10:01:00Z</ns9:requestTime>
                <ns9:numberOfSteps>4</ns9:numberOfSteps>
                <ns9:step><ns9:name>WAIT</ns9:name><ns9:number>2</ns9:number><ns9:percentComplete>40</ns9:percentComplete></ns9:step>
              </ns9:status>
            </ns9:PendingDeployServer></ns9:PendingDeployServers>
            """)
        let deploying = try #require(OpSourceServerPage(pending)?.servers.first)
        #expect(!deploying.isDeployed && deploying.action == "DEPLOY_SERVER" && deploying.percentComplete == 40)
        let node = OpSourceStates.node(for: deploying, sizeID: "")
        #expect(node.record.status == .pending && node.record.complete == 40)
        #expect(node.record.created == "2026-11-23T10:01:00Z")
    }

    @Test func elementsInAnotherNamespaceAreNotRead() throws {
        let root = try parse(
            """
            <DeployedServers xmlns="\(Self.server)" xmlns:x="urn:other"><DeployedServer>
              <id>d-1</id><x:name>wrong</x:name><name>right</name>
            </DeployedServer></DeployedServers>
            """)
        #expect(OpSourceServerPage(root)?.servers.first?.name == "right")
    }

    @Test func statusIsReadWhateverItsPrefix() throws {
        for prefix in ["ns12", "ns4", "g"] {
            let root = try parse(
                """
                <\(prefix):Status xmlns:\(prefix)="\(Self.general)"><\(prefix):operation>Delete Server</\(prefix):operation>
                <\(prefix):result>ERROR</\(prefix):result><\(prefix):resultDetail>Operation in progress on Server with Id 11</\(prefix):resultDetail>
                <\(prefix):resultCode>REASON_392</\(prefix):resultCode></\(prefix):Status>
                """)
            let status = try #require(OpSourceStatus(root))
            #expect(status.isOperationInProgress && !status.succeeded)
            #expect(status.summary == "REASON_392: Operation in progress on Server with Id 11 (Delete Server)")
            let error = OpSourceError.error(for: status, httpStatus: 400, doing: "delete server 11")
            #expect(error.message.contains("HTTP 400") && error.message.contains("REASON_392"))
        }
    }

    /// The same listing under a different prefix on every call, as the live service
    /// did: the provider sees the same nodes each time.
    @Test func prefixesThatChangeBetweenRepliesDoNotMatter() throws {
        let forms: [(open: String, p: String)] = [
            ("<ServersWithState xmlns=\"\(Self.server)\">", ""), ("<ns2:ServersWithState xmlns:ns2=\"\(Self.server)\">", "ns2:"),
            ("<ns9:ServersWithState xmlns:ns9=\"\(Self.server)\" xmlns:ns2=\"urn:other\">", "ns9:"),
        ]
        let transport = OpSourceScriptedTransport { _, call in
            let (open, p) = forms[(call - 1) % forms.count]
            let xml = open + "<\(p)serverWithState id=\"s-1\"><\(p)name>web-1</\(p)name>"
                + "<\(p)networkId>\(OpSourceCloud.vlan)</\(p)networkId><\(p)privateIp>10.0.0.9</\(p)privateIp>"
                + "<\(p)isStarted>true</\(p)isStarted><\(p)isDeployed>true</\(p)isDeployed></\(p)serverWithState>"
                + "</\(p)ServersWithState>"
            return HTTPResponse(status: 200, body: Array(xml.utf8))
        }
        let home = ZeusHomeFixture()
        let provider = try transport.provider(home: home)
        var seen: [[NodeRecord]] = []
        for _ in forms { seen.append(try provider.listNodes().map(\.record)) }
        #expect(seen.allSatisfy { $0 == seen[0] } && seen[0].first?.status == .active)
        #expect(seen[0].first?.privateIP == "10.0.0.9")
    }

    /// A host that answers 404 to everything (a wrong apiHost) is an error, and the
    /// fallback to the two lists is not remembered for it.
    @Test func aHostThatKnowsNoCallTeachesNothing() throws {
        let transport = OpSourceScriptedTransport { _, _ in HTTPResponse(status: 404, body: Array("Not Found".utf8)) }
        let home = ZeusHomeFixture()
        let provider = try transport.provider(home: home)
        let error = try #require(opSourceError { () throws(DriverError) in try provider.listNodes() })
        #expect(error.message.contains("HTTP 404"))
        #expect(provider.api.state.listing == nil)
        #expect(home.files(in: "zxtm/internal").isEmpty)
    }

    @Test func pagingFollowsTheTotalCount() throws {
        let root = try parse(
            """
            <ServersWithState xmlns="\(Self.server)" totalCount="3" pageSize="2" pageNumber="1" pageCount="2">
            <serverWithState id="a"/><serverWithState id="b"/></ServersWithState>
            """)
        let page = try #require(OpSourceServerPage(root))
        #expect(page.hasMore(afterReading: 2))
        #expect(!page.hasMore(afterReading: 3))
    }

    /// Every row of the table, through a server made to fit it.
    @Test(arguments: [
        // deployed, started, action, failure, ip, status, condition
        (true, true, nil, nil, true, NodeStatus.active, CloudNode.Condition.normal),
        (true, true, nil, nil, false, .pending, .normal),
        (false, false, "DEPLOY_SERVER", nil, false, .pending, .normal),
        (false, false, "DEPLOY_SERVER", "Deploy failed", false, .destroyed, .failed("Deploy failed")),
        (true, false, "START_SERVER", nil, true, .pending, .normal),
        (true, true, "SHUTDOWN_SERVER", nil, true, .destroyed, .normal),
        (true, true, "POWER_OFF_SERVER", nil, true, .destroyed, .normal),
        (true, true, "DELETE_SERVER", nil, true, .destroyed, .normal),
        (true, false, nil, nil, true, .destroyed, .stopped),
        (true, true, "RECONFIGURE_SERVER", nil, true, .pending, .normal),
        (true, true, "START_SERVER", "Start failed", true, .destroyed, .failed("Start failed")),
    ] as [(Bool, Bool, String?, String?, Bool, NodeStatus, CloudNode.Condition)])
    func stateTable(
        deployed: Bool, started: Bool, action: String?, failure: String?, ip: Bool, status: NodeStatus,
        condition: CloudNode.Condition
    ) throws {
        var statusXML = ""
        if action != nil || failure != nil {
            statusXML = "<status>" + (action.map { "<action>\($0)</action>" } ?? "")
                + (failure.map { "<failureReason>\($0)</failureReason>" } ?? "") + "</status>"
        }
        let root = try parse(
            """
            <ServersWithState xmlns="\(Self.server)"><serverWithState id="x"><name>n</name>
            \(ip ? "<privateIp>10.0.0.1</privateIp>" : "")<isStarted>\(started)</isStarted>
            <isDeployed>\(deployed)</isDeployed>\(statusXML)</serverWithState></ServersWithState>
            """)
        let server = try #require(OpSourceServerPage(root)?.servers.first)
        let node = OpSourceStates.node(for: server, sizeID: "")
        #expect(node.record.status == status)
        #expect(node.condition == condition)
    }

    @Test func generatedPasswordsHoldEveryClassAndDiffer() throws {
        let a = try OpSourcePassword.generate(), b = try OpSourcePassword.generate()
        #expect(a != b && a.count == OpSourcePassword.length)
        for set in OpSourcePassword.classes { #expect(a.contains(where: set.contains)) }
    }

    @Test func stateFileRoundTripsAndIgnoresAnotherAccount() throws {
        var state = OpSourceState(account: "https://h u")
        state.orgID = "org-1"
        state.listing = .legacy
        state.sizes = ["id-1": "medium"]
        let path = "/tmp/tmcloud-opsource-state-\(getpid())"
        try StateFile.write(Array(state.text.utf8), to: path)
        defer { StateFile.remove(path) }
        #expect(OpSourceState.load(path, account: "https://h u") == state)
        #expect(OpSourceState.load(path, account: "https://h other").orgID == nil)
    }
}

#if canImport(Glibc)
import Glibc
#endif
