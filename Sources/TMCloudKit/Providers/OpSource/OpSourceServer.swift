import TMCloudTransport

/// The XML namespaces of OEC 0.9. Replies give them changing prefixes (`ns3` in one,
/// `ns2` in the next), so elements are always matched by URI and local name.
enum OpSourceNamespace {
    static let base = "http://oec.api.opsource.net/schemas"
    static let server = base + "/server"
    static let general = base + "/general"
    static let directory = base + "/directory"
    static let network = base + "/network"
}

/// One server as either listing form describes it, reduced to what the driver needs.
struct OpSourceServer: Sendable, Equatable {
    var id: String
    var name: String
    var networkID: String
    var sourceImageID: String
    var privateIP: String
    var publicIP: String
    /// RFC 3339 UTC, or "".
    var created: String
    var isDeployed: Bool
    var isStarted: Bool
    /// `<status><action>`: the operation in progress (`DEPLOY_SERVER`, `START_SERVER`…).
    var action: String?
    /// `<status><failureReason>`: the last operation failed and left the server locked.
    var failureReason: String?
    /// Progress of the operation in progress, 0...100, when the reply says.
    var percentComplete: Int?
    /// serverWithState's `state` (`NORMAL`, `PENDING_CHANGE`, `FAILED_ADD`…), when given.
    var state: String?

    /// What the driver reads of a server element, as paths below it (see
    /// `XMLListingQuery`): the id attribute, children, and children of its `<status>`
    /// and of that status's `<step>`.
    enum Field: Int, CaseIterable {
        case idAttribute, id, name, networkId, sourceImageId, privateIp, privateIpAddress, publicIp, publicIpAddress
        case state, isStarted, isDeployed, created, deployedTime
        case action, failureReason, requestTime, numberOfSteps, percentComplete, stepNumber

        // Spelled out: a case's name read through reflection costs a million
        // instructions on first use.
        var path: String {
            switch self {
            case .idAttribute: "@id"
            case .id: "id"
            case .name: "name"
            case .networkId: "networkId"
            case .sourceImageId: "sourceImageId"
            case .privateIp: "privateIp"
            case .privateIpAddress: "privateIpAddress"
            case .publicIp: "publicIp"
            case .publicIpAddress: "publicIpAddress"
            case .state: "state"
            case .isStarted: "isStarted"
            case .isDeployed: "isDeployed"
            case .created: "created"
            case .deployedTime: "deployedTime"
            case .action: "status/action"
            case .failureReason: "status/failureReason"
            case .requestTime: "status/requestTime"
            case .numberOfSteps: "status/numberOfSteps"
            case .percentComplete: "status/step/percentComplete"
            case .stepNumber: "status/step/number"
            }
        }
    }

    /// Reads `serverWithState`, `DeployedServer` or `PendingDeployServer` from the tree.
    init?(_ element: XMLElement) {
        self.init(kind: element.localName) { element.value(atPath: $0.path, ns: OpSourceNamespace.server) }
    }

    /// Reads a server of the kind named (its element's local name) from its fields.
    ///
    /// The element names differ between the forms: `privateIp`/`publicIp`/`created`
    /// in serverWithState, `privateIpAddress`/`publicIpAddress`/`deployedTime` in the
    /// older lists, and the id is an attribute in one and a child in the others.
    init?(kind: String, _ value: (Field) -> String?) {
        func text(_ field: Field) -> String? {
            guard let value = value(field), !value.isEmpty else { return nil }
            return value
        }
        guard let id = text(.idAttribute) ?? text(.id) else { return nil }
        self.id = id
        name = text(.name) ?? ""
        networkID = text(.networkId) ?? ""
        sourceImageID = text(.sourceImageId) ?? ""
        privateIP = text(.privateIp) ?? text(.privateIpAddress) ?? ""
        publicIP = text(.publicIp) ?? text(.publicIpAddress) ?? ""
        state = text(.state)
        action = text(.action)
        failureReason = text(.failureReason)
        percentComplete = Self.progress(value)

        switch kind {
        case "PendingDeployServer":
            isDeployed = false
            isStarted = false
        case "DeployedServer":
            isDeployed = true
            isStarted = Self.boolean(text(.isStarted))
        default:
            // serverWithState; should isDeployed be missing, a deploy in progress
            // says the server is not deployed yet.
            isDeployed = text(.isDeployed).map { Self.boolean($0) } ?? !(action?.uppercased().hasPrefix("DEPLOY") ?? false)
            isStarted = Self.boolean(text(.isStarted))
        }
        // An empty requestTime counts, as before: the status is the last resort.
        created = Timestamp.normalize(text(.created) ?? text(.deployedTime) ?? value(.requestTime))
    }

    /// The percentage of `<status>`: the step's own figure, else its place among the steps.
    private static func progress(_ value: (Field) -> String?) -> Int? {
        if let percent = value(.percentComplete).flatMap({ Int($0) }) {
            return min(100, max(0, percent))
        }
        if let number = value(.stepNumber).flatMap({ Int($0) }),
            let steps = value(.numberOfSteps).flatMap({ Int($0) }), steps > 0
        {
            return min(100, max(0, (number - 1) * 100 / steps))
        }
        return nil
    }

    /// Whether the text is "true" in any case (only ASCII letters lowercase to these),
    /// without making a lowercased copy: two of these per server.
    static func boolean(_ text: String?) -> Bool {
        guard var text, text.utf8.count == 4 else { return false }
        return text.withUTF8 { b in
            b[0] | 0x20 == UInt8(ascii: "t") && b[1] | 0x20 == UInt8(ascii: "r") && b[2] | 0x20 == UInt8(ascii: "u")
                && b[3] | 0x20 == UInt8(ascii: "e")
        }
    }
}

/// One page of a server listing.
struct OpSourceServerPage: Sendable {
    var servers: [OpSourceServer]
    /// `totalCount` on the root, when the listing pages.
    var totalCount: Int?
    var pageSize: Int?
    var pageNumber: Int?
    /// Servers listed without an id: a listing with any cannot be trusted to be whole.
    var unidentified = 0

    /// The listings' roots, and the name of each one's servers.
    static let kinds = [
        "ServersWithState": "serverWithState", "DeployedServers": "DeployedServer",
        "PendingDeployServers": "PendingDeployServer",
    ]

    /// What a listing reply is read for: every server form's fields.
    static let query = XMLListingQuery(
        namespace: OpSourceNamespace.server, records: ["serverWithState", "DeployedServer", "PendingDeployServer"],
        fields: OpSourceServer.Field.allCases.map(\.path))

    /// Reads a listing reply, `ServersWithState`, `DeployedServers` or
    /// `PendingDeployServers`: straight from the parser (no tree is built for the
    /// listing's 40,000 elements), or from the tree where a field holds markup. The
    /// page is nil when the root is none of these; `root` names it.
    static func read(_ bytes: [UInt8]) throws(XMLParseError) -> (page: OpSourceServerPage?, root: String) {
        guard let listing = try XMLDocumentParser.listing(bytes, query) else {
            let root = try XMLDocumentParser.parse(bytes)
            return (OpSourceServerPage(root), root.localName)
        }
        return (OpSourceServerPage(listing), listing.rootName)
    }

    /// Reads `ServersWithState`, `DeployedServers` or `PendingDeployServers` from the tree.
    init?(_ root: XMLElement) {
        let ns = OpSourceNamespace.server
        guard let item = Self.kinds[root.localName], root.namespaceURI == ns else { return nil }
        let items = root.children(item, ns: ns)
        servers = items.compactMap(OpSourceServer.init)
        unidentified = items.count - servers.count
        totalCount = root.attribute("totalCount").flatMap { Int($0) }
        pageSize = root.attribute("pageSize").flatMap { Int($0) }
        pageNumber = root.attribute("pageNumber").flatMap { Int($0) }
    }

    /// The same from a listing read without a tree.
    init?(_ listing: XMLListing) {
        guard let item = Self.kinds[listing.rootName], listing.rootNamespace == OpSourceNamespace.server,
            let kind = Self.query.records.firstIndex(of: item)
        else { return nil }
        servers = []
        servers.reserveCapacity(listing.count)
        for record in 0..<listing.count where listing.kind(record) == kind {
            if let server = OpSourceServer(kind: item, { listing.field($0.rawValue, of: record) }) {
                servers.append(server)
            } else {
                unidentified += 1
            }
        }
        totalCount = listing.rootAttribute("totalCount").flatMap { Int($0) }
        pageSize = listing.rootAttribute("pageSize").flatMap { Int($0) }
        pageNumber = listing.rootAttribute("pageNumber").flatMap { Int($0) }
    }

    /// Whether another page follows, counting what was read so far.
    ///
    /// `pageCount` is read differently by different clients (pages, or items on this
    /// page), so it is not used: the total count decides, and without one a full page
    /// means there may be more.
    func hasMore(afterReading count: Int) -> Bool {
        guard !servers.isEmpty else { return false }
        if let totalCount { return count < totalCount }
        if let pageSize { return servers.count >= pageSize }
        return false
    }
}
