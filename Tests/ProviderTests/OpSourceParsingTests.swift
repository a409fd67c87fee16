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

    /// A listing read as the provider reads it, checked against the tree's reading.
    func listing(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> OpSourceServerPage? {
        let bytes = Array(text.utf8)
        let (read, root) = try OpSourceServerPage.read(bytes)
        let tree = try XMLDocumentParser.parse(bytes)
        let page = OpSourceServerPage(tree)
        #expect(root == tree.localName, sourceLocation: sourceLocation)
        #expect(read?.servers == page?.servers && read?.unidentified == page?.unidentified, sourceLocation: sourceLocation)
        #expect(read?.totalCount == page?.totalCount && read?.pageSize == page?.pageSize, sourceLocation: sourceLocation)
        #expect(read?.pageNumber == page?.pageNumber && (read == nil) == (page == nil), sourceLocation: sourceLocation)
        return read
    }

    @Test func serverWithStateUsesItsOwnElementNames() throws {
        let listed = try listing(
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
        let page = try #require(listed)
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
        let deployed = try listing(
            """
            <DeployedServers xmlns="\(Self.server)"><DeployedServer>
              <id>d-1</id><name>web-2</name><networkId>vlan-9</networkId><sourceImageId>img-7</sourceImageId>
              <privateIpAddress>10.0.0.6</privateIpAddress><isStarted>false</isStarted>
              <deployedTime>2026-11-23T09:00:00Z</deployedTime>
            </DeployedServer></DeployedServers>
            """)
        let stopped = try #require(deployed?.servers.first)
        #expect(stopped.privateIP == "10.0.0.6" && stopped.isDeployed && !stopped.isStarted)
        #expect(stopped.created == "2026-11-23T09:00:00Z")
        #expect(OpSourceStates.node(for: stopped, sizeID: "").condition == .stopped)

        let pending = try listing(
            """
            <ns9:PendingDeployServers xmlns:ns9="\(Self.server)"><ns9:PendingDeployServer>
              <ns9:id>p-1</ns9:id><ns9:name>web-3</ns9:name><ns9:networkId>vlan-9</ns9:networkId>
              <ns9:status><ns9:action>DEPLOY_SERVER</ns9:action><ns9:requestTime>2026-11-23T10:01:00Z</ns9:requestTime>
                <ns9:numberOfSteps>4</ns9:numberOfSteps>
                <ns9:step><ns9:name>WAIT</ns9:name><ns9:number>2</ns9:number><ns9:percentComplete>40</ns9:percentComplete></ns9:step>
              </ns9:status>
            </ns9:PendingDeployServer></ns9:PendingDeployServers>
            """)
        let deploying = try #require(pending?.servers.first)
        #expect(!deploying.isDeployed && deploying.action == "DEPLOY_SERVER" && deploying.percentComplete == 40)
        let node = OpSourceStates.node(for: deploying, sizeID: "")
        #expect(node.record.status == .pending && node.record.complete == 40)
        #expect(node.record.created == "2026-11-23T10:01:00Z")
    }

    @Test func elementsInAnotherNamespaceAreNotRead() throws {
        let page = try listing(
            """
            <DeployedServers xmlns="\(Self.server)" xmlns:x="urn:other"><DeployedServer>
              <id>d-1</id><x:name>wrong</x:name><name>right</name>
            </DeployedServer></DeployedServers>
            """)
        #expect(page?.servers.first?.name == "right")
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
        let listed = try listing(
            """
            <ServersWithState xmlns="\(Self.server)" totalCount="3" pageSize="2" pageNumber="1" pageCount="2">
            <serverWithState id="a"/><serverWithState id="b"/></ServersWithState>
            """)
        let page = try #require(listed)
        #expect(page.hasMore(afterReading: 2))
        #expect(!page.hasMore(afterReading: 3))
    }

    /// A field holding markup is read through the tree, with the same result.
    @Test func aFieldHoldingMarkupIsReadThroughTheTree() throws {
        let text = """
            <ServersWithState xmlns="\(Self.server)" totalCount="2"><serverWithState id="a"><name>we<!--x-->b-1</name>
            <privateIp>10.0.0.1</privateIp></serverWithState><serverWithState id="b"><name><b/> x <c/>y</name></serverWithState>
            </ServersWithState>
            """
        #expect(try XMLDocumentParser.listing(Array(text.utf8), OpSourceServerPage.query) == nil)
        let page = try #require(try listing(text))
        #expect(page.servers.map(\.name) == ["web-1", "x y"])
        #expect(page.totalCount == 2 && page.servers.first?.privateIP == "10.0.0.1")
    }

    /// A page of every kind of server the three listings hold, 250 of them.
    @Test func aLargeVariedPageReadsAsTheTreeReadsIt() throws {
        for (root, item, p) in [
            ("ServersWithState", "serverWithState", "ns3:"), ("DeployedServers", "DeployedServer", ""),
            ("PendingDeployServers", "PendingDeployServer", "s:"),
        ] {
            let declaration = p.isEmpty ? "xmlns=\"\(Self.server)\"" : "xmlns:\(p.dropLast())=\"\(Self.server)\""
            var text = "<\(p)\(root) \(declaration) xmlns:g=\"\(Self.general)\" totalCount=\"900\" pageSize=\"250\">"
            for n in 0..<250 {
                let id = n % 50 == 8 ? "" : n % 2 == 0 ? " id=\"srv-\(n)\"" : ""
                text += "<\(p)\(item)\(id)>"
                if n % 2 == 1 { text += "<\(p)id> srv-\(n) </\(p)id>" }
                text += "<\(p)name>node &amp; \(n)</\(p)name><g:name>other</g:name><\(p)description>d</\(p)description>"
                text += n % 3 == 0 ? "<\(p)privateIp>10.0.\(n / 256).\(n % 256)</\(p)privateIp>" : "<\(p)privateIpAddress>10.1.0.\(n % 256)</\(p)privateIpAddress>"
                if n % 5 == 0 { text += "<\(p)publicIp>203.0.113.\(n % 256)</\(p)publicIp>" }
                text += "<\(p)networkId>\(OpSourceCloud.vlan)</\(p)networkId><\(p)sourceImageId>\(OpSourceCloud.image)</\(p)sourceImageId>"
                text += "<\(p)isStarted>\(n % 4 == 0 ? "TRUE" : "false")</\(p)isStarted>"
                if n % 7 != 0 { text += "<\(p)isDeployed>\(n % 6 == 0)</\(p)isDeployed>" }
                text += n % 2 == 0 ? "<\(p)created>2026-11-23T10:00:\(10 + n % 50).5Z</\(p)created>" : "<\(p)deployedTime>2026-11-22T09:00:00Z</\(p)deployedTime>"
                if n % 3 == 1 {
                    text += "<\(p)status><\(p)action>\(n % 2 == 0 ? "DEPLOY_SERVER" : "START_SERVER")</\(p)action>"
                    text += "<\(p)requestTime>2026-11-23T11:00:00Z</\(p)requestTime><\(p)numberOfSteps>4</\(p)numberOfSteps>"
                    text += "<\(p)step><\(p)name>s</\(p)name><\(p)number>\(n % 5)</\(p)number>"
                    if n % 4 == 1 { text += "<\(p)percentComplete>\(n % 130)</\(p)percentComplete>" }
                    text += "</\(p)step>\(n % 10 == 1 ? "<\(p)failureReason>broke</\(p)failureReason>" : "")</\(p)status>"
                }
                text += "<\(p)machineStatus name=\"x\"><\(p)value>RUNNING</\(p)value></\(p)machineStatus></\(p)\(item)>\n"
            }
            text += "</\(p)\(root)>"
            let page = try #require(try listing(text))
            #expect(page.servers.count == 245 && page.unidentified == 5)
            #expect(page.servers.contains { $0.percentComplete != nil } && page.servers.contains { $0.failureReason != nil })
        }
    }

    /// What the provider says of a listing that is not XML, or not a listing.
    @Test func listingsThatCannotBeReadAreNamed() throws {
        for (body, message) in [
            ("<ServersWithState xmlns=\"\(Self.server)\"><serverWithState>", "the server listing is not XML (HTTP 200, not well-formed XML (line 1:"),
            ("<Other xmlns=\"\(Self.server)\"/>", "serverWithState replied with Other, not ServersWithState"),
            ("<p:ServersWithState/>", "serverWithState replied with p:ServersWithState, not ServersWithState"),
        ] {
            let transport = OpSourceScriptedTransport { _, _ in HTTPResponse(status: 200, body: Array(body.utf8)) }
            let provider = try transport.provider(home: ZeusHomeFixture())
            let error = try #require(opSourceError { () throws(DriverError) in try provider.listNodes() })
            #expect(error.message.contains(message), "\(error.message)")
        }
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
        let page = try listing(
            """
            <ServersWithState xmlns="\(Self.server)"><serverWithState id="x"><name>n</name>
            \(ip ? "<privateIp>10.0.0.1</privateIp>" : "")<isStarted>\(started)</isStarted>
            <isDeployed>\(deployed)</isDeployed>\(statusXML)</serverWithState></ServersWithState>
            """)
        let server = try #require(page?.servers.first)
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
