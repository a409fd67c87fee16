import TMCloudJSON
import TMCloudTransport

/// Builds the digitalocean provider.
func makeDigitalOceanProvider(_ context: ProviderContext) throws(DriverError) -> any CloudProvider {
    try DigitalOceanProvider(context)
}

/// DigitalOcean droplets (API v2) as the Traffic Manager's nodes.
///
/// The pool is every droplet carrying the configured tag: `status` is one tagged
/// listing per 200 droplets, `statusnode` one droplet GET, `destroynode` one DELETE.
final class DigitalOceanProvider: CloudProvider {
    let context: ProviderContext
    let api: DigitalOceanAPI
    let region: String
    let tag: String

    /// Seconds between attempts at an action the droplet refuses while another runs.
    static let busyRetryInterval: Double = 2
    /// The longest a power or rename action waits for the droplet's previous action.
    static let busyRetryLimit: Double = 60

    init(_ context: ProviderContext) throws(DriverError) {
        self.context = context
        let config = context.config
        // The token goes into a header: it may hold nothing that could end the line.
        guard context.secret.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw .config("cred2 (the DigitalOcean API token) holds spaces or characters a token cannot have")
        }
        region = config.string("region") ?? ""
        guard !region.isEmpty, region.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw .config("\(config.location(of: "region")): region must be a region slug such as lon1")
        }
        tag = config.string("tag") ?? "tmcloud"
        // DigitalOcean's own rule for tag names.
        guard tag.count <= 255,
            tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == ":" || $0 == "-" || $0 == "_") })
        else {
            throw .config(
                "\(config.location(of: "tag")): tag may hold only letters, digits, ':', '-' and '_' (at most 255)")
        }
        api = try DigitalOceanAPI(context)
    }

    // MARK: - Reading

    func listNodes() throws(DriverError) -> [CloudNode] {
        let droplets = try dropletList(
            query: [("tag_name", tag)], while: "listing the droplets tagged \(tag)")
        return droplets.map { cloudNode($0) }
    }

    /// One GET per page with `name=`, which DigitalOcean matches exactly; the tag is
    /// checked here, since the API does not combine the two filters.
    func nodes(named name: String) throws(DriverError) -> [CloudNode] {
        let droplets = try dropletList(query: [("name", name)], while: "looking up the droplet called \(name)")
        return droplets.filter { $0.name == name && $0.tags.contains(tag) }.map { cloudNode($0) }
    }

    func node(id: String) throws(DriverError) -> CloudNode? {
        guard let dropletID = DigitalOceanAPI.dropletID(id) else {
            // Droplet ids are numbers: whatever else the Traffic Manager holds (a node
            // of another cloud, from before a change of provider) is gone from this one.
            context.note("'\(Invocation.printable(id))' is not a droplet id: reporting it as gone")
            return nil
        }
        let what = "reading the droplet \(dropletID)"
        let response = try api.send(.get, api.url("/droplets/\(dropletID)"))
        if response.status == 404 { return nil }
        guard response.status == 200 else { throw DigitalOceanError.from(response, while: what) }
        guard let droplet = try context.jsonView(response, expecting: what)["droplet"].flatMap(Droplet.init) else {
            throw .malformed("\(what): the reply holds no droplet")
        }
        return cloudNode(droplet, createErrored: createErrored(droplet))
    }

    /// For a droplet that is taking longer than usual to build, whether its create
    /// action errored: one optional request, skipped when the rate limit runs low.
    private func createErrored(_ droplet: Droplet) -> Bool {
        // Ages are judged by the server's clock only (see `cloudNode`).
        guard droplet.status == "new", let created = Timestamp.parse(droplet.createdAt), let now = api.serverTime,
            now - created > 2 * Self.typicalBuildTime,
            !api.shouldSkipOptional("asking why droplet \(droplet.id) is still being built")
        else { return false }
        // Optional: a failure here leaves the droplet as it looked, pending.
        let url = api.url("/droplets/\(droplet.id)/actions", query: [("per_page", "20")])
        guard let response = try? api.send(.get, url), response.status == 200,
            let actions = (try? JSONParser.parse(response.body))?["actions"]?.arrayValue
        else { return false }
        return actions.contains { $0["type"]?.stringValue == "create" && $0["status"]?.stringValue == "errored" }
    }

    private func dropletList(query: [(String, String)], while what: String) throws(DriverError) -> [Droplet] {
        var seen: Set<String> = []
        var droplets: [Droplet] = []
        try api.forEachPage("/droplets", query: query, key: "droplets", while: what) { (items) throws(DriverError) in
            for item in items {
                guard let droplet = Droplet(item) else {
                    throw .malformed("\(what): a droplet without an id, a name or a status")
                }
                // A droplet created while the pages were read can shift another onto the next page.
                if seen.insert(droplet.id).inserted { droplets.append(droplet) }
            }
        }
        return droplets
    }

    // MARK: - Changes

    func createNode(_ request: CreateRequest) throws(DriverError) -> CloudNode {
        guard !request.sizeID.isEmpty else {
            throw .usage("missing --sizeid (a DigitalOcean size slug such as s-1vcpu-1gb)")
        }
        let body = try createBody(request)
        let what = "creating the droplet \(request.name)"
        let response = try api.send(.post, api.url("/droplets"), body: body)
        guard response.status == 202 || response.status == 201 else {
            throw DigitalOceanError.from(response, while: what)
        }
        // Accepted: from here on the droplet exists, whatever the reply looks like.
        guard let droplet = (try? JSONDocument(response.body))?.root["droplet"].flatMap(Droplet.init) else {
            throw DriverError(
                .malformedReply, "\(what): accepted, but the reply holds no droplet", httpStatus: response.status,
                mayHaveCreated: true)
        }
        return cloudNode(droplet)
    }

    /// The body of `POST /v2/droplets`, in the order of the API's documentation.
    func createBody(_ request: CreateRequest) throws(DriverError) -> JSONValue {
        let config = context.config
        var body = JSONObject()
        body["name"] = .string(request.name)
        body["region"] = .string(region)
        body["size"] = .string(request.sizeID)
        body["image"] = DigitalOceanAPI.idOrSlug(request.imageID)
        let sshKeys = config.list("sshKeys")
        if !sshKeys.isEmpty { body["ssh_keys"] = .array(sshKeys.map(DigitalOceanAPI.idOrSlug)) }
        body["ipv6"] = .bool(config.bool("ipv6"))
        body["monitoring"] = .bool(config.bool("monitoring"))
        body["tags"] = [.string(tag)]
        if let bytes = try context.readFile(key: "userDataFile") {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw .config("\(config.location(of: "userDataFile")): userDataFile is not UTF-8 text")
            }
            body["user_data"] = .string(text)
        }
        if let vpc = config.string("vpcUUID") { body["vpc_uuid"] = .string(vpc) }
        return .object(body)
    }

    func destroyNode(id: String) throws(DriverError) -> DestroyOutcome {
        guard let dropletID = DigitalOceanAPI.dropletID(id) else {
            context.note("'\(Invocation.printable(id))' is not a droplet id: nothing to delete")
            return .alreadyGone
        }
        let response = try api.send(.delete, api.url("/droplets/\(dropletID)"))
        switch response.status {
        case 200...299: return .started
        case 404: return .alreadyGone
        default: throw DigitalOceanError.from(response, while: "deleting the droplet \(dropletID)")
        }
    }

    /// `destroy false`: a hard `power_off`. The Traffic Manager has drained the node
    /// before it asks, and a graceful `shutdown` would need a second call later to make
    /// sure the droplet really stops.
    func powerOff(id: String) throws(DriverError) -> DestroyOutcome {
        guard let dropletID = DigitalOceanAPI.dropletID(id) else { return .alreadyGone }
        let response = try dropletAction(["type": "power_off"], on: dropletID)
        switch response.status {
        case 200...299: return .started
        case 404: return .alreadyGone
        case 422:
            // Refused: fine when it is off already, an error otherwise.
            if let node = try node(id: dropletID), node.record.status == .destroyed { return .alreadyGone }
            fallthrough
        default: throw DigitalOceanError.from(response, while: "powering off the droplet \(dropletID)")
        }
    }

    /// `destroy false`, scaling up: renames the stopped droplet (while it is still off,
    /// so that it never runs under its old name) and powers it on. It stays `pending`
    /// until it is active again.
    func reuse(_ node: CloudNode, as name: String) throws(DriverError) -> CloudNode {
        guard let dropletID = DigitalOceanAPI.dropletID(node.id) else {
            throw .malformed("'\(Invocation.printable(node.id))' is not a droplet id")
        }
        if node.name != name {
            let response = try dropletAction(["type": "rename", "name": .string(name)], on: dropletID)
            guard response.isSuccess else {
                throw DigitalOceanError.from(response, while: "renaming the droplet \(dropletID) to \(name)")
            }
        }
        let response = try dropletAction(["type": "power_on"], on: dropletID)
        guard response.isSuccess else {
            throw DigitalOceanError.from(response, while: "powering on the droplet \(dropletID)")
        }
        var record = node.record
        record.name = name
        record.status = .pending
        record.complete = 20
        return CloudNode(record)
    }

    /// `POST /v2/droplets/{id}/actions`. Power and rename actions are harmless to
    /// repeat, so they are retried like reads; a droplet busy with another action is
    /// asked again every few seconds for a while.
    private func dropletAction(_ action: JSONValue, on dropletID: String) throws(DriverError) -> HTTPResponse {
        let url = api.url("/droplets/\(dropletID)/actions")
        var waited: Double = 0
        while true {
            let response = try api.send(.post, url, body: action, retryable: true)
            guard DigitalOceanError.isBusy(response), waited < Self.busyRetryLimit,
                context.client.remainingTime > Self.busyRetryInterval + 5
            else { return response }
            context.note("droplet \(dropletID) is busy with another action: asking again")
            context.client.clock.sleep(Self.busyRetryInterval)
            waited += Self.busyRetryInterval
        }
    }
}
