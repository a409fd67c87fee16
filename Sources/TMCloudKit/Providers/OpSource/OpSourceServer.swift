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

    /// Reads `serverWithState`, `DeployedServer` or `PendingDeployServer`.
    ///
    /// The element names differ between the forms: `privateIp`/`publicIp`/`created`
    /// in serverWithState, `privateIpAddress`/`publicIpAddress`/`deployedTime` in the
    /// older lists, and the id is an attribute in one and a child in the others.
    init?(_ element: XMLElement) {
        let ns = OpSourceNamespace.server
        // One pass over the server's children; a listing page holds 250 servers.
        let names = [
            "id", "name", "networkId", "sourceImageId", "privateIp", "privateIpAddress", "publicIp", "publicIpAddress",
            "state", "isStarted", "isDeployed", "created", "deployedTime",
        ]
        let texts = element.childTexts(names, ns: ns)
        func text(_ name: String) -> String? {
            guard let n = names.firstIndex(of: name), let value = texts[n], !value.isEmpty else { return nil }
            return value
        }
        guard let id = element.attribute("id").flatMap({ $0.isEmpty ? nil : $0 }) ?? text("id") else { return nil }
        self.id = id
        name = text("name") ?? ""
        networkID = text("networkId") ?? ""
        sourceImageID = text("sourceImageId") ?? ""
        privateIP = text("privateIp") ?? text("privateIpAddress") ?? ""
        publicIP = text("publicIp") ?? text("publicIpAddress") ?? ""
        state = text("state")

        let status = element.child("status", ns: ns)
        action = status.flatMap { s in s.childText("action", ns: ns).flatMap { $0.isEmpty ? nil : $0 } }
        failureReason = status.flatMap { s in s.childText("failureReason", ns: ns).flatMap { $0.isEmpty ? nil : $0 } }
        percentComplete = status.flatMap(Self.progress)

        switch element.localName {
        case "PendingDeployServer":
            isDeployed = false
            isStarted = false
        case "DeployedServer":
            isDeployed = true
            isStarted = Self.boolean(text("isStarted"))
        default:
            // serverWithState; should isDeployed be missing, a deploy in progress
            // says the server is not deployed yet.
            isDeployed = text("isDeployed").map { Self.boolean($0) } ?? !(action?.uppercased().hasPrefix("DEPLOY") ?? false)
            isStarted = Self.boolean(text("isStarted"))
        }
        created = Timestamp.normalize(text("created") ?? text("deployedTime") ?? status?.childText("requestTime", ns: ns))
    }

    /// The percentage of `<status>`: the step's own figure, else its place among the steps.
    private static func progress(_ status: XMLElement) -> Int? {
        let ns = OpSourceNamespace.server
        guard let step = status.child("step", ns: ns) else { return nil }
        if let percent = step.childText("percentComplete", ns: ns).flatMap({ Int($0) }) {
            return min(100, max(0, percent))
        }
        if let number = step.childText("number", ns: ns).flatMap({ Int($0) }),
            let steps = status.childText("numberOfSteps", ns: ns).flatMap({ Int($0) }), steps > 0
        {
            return min(100, max(0, (number - 1) * 100 / steps))
        }
        return nil
    }

    static func boolean(_ text: String?) -> Bool {
        text?.lowercased() == "true"
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

    /// Reads `ServersWithState`, `DeployedServers` or `PendingDeployServers`.
    init?(_ root: XMLElement) {
        let ns = OpSourceNamespace.server
        let item: String
        switch root.localName {
        case "ServersWithState": item = "serverWithState"
        case "DeployedServers": item = "DeployedServer"
        case "PendingDeployServers": item = "PendingDeployServer"
        default: return nil
        }
        guard root.namespaceURI == ns else { return nil }
        let items = root.children(item, ns: ns)
        servers = items.compactMap(OpSourceServer.init)
        unidentified = items.count - servers.count
        totalCount = root.attribute("totalCount").flatMap { Int($0) }
        pageSize = root.attribute("pageSize").flatMap { Int($0) }
        pageNumber = root.attribute("pageNumber").flatMap { Int($0) }
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
