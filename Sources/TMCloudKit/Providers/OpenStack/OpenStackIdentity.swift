import TMCloudJSON
import TMCloudTransport

/// Keystone v3: a project-scoped token by password, or by application credential,
/// and the endpoints its catalog names for this region and interface.
struct OpenStackIdentity {
    enum Method {
        case password(user: String, userDomain: String, project: String, projectDomain: String)
        case applicationCredential(id: String)
    }

    /// `…/v3/auth/tokens`; `authURL` may be given with or without the `/v3`, as
    /// `clouds.yaml` files write it either way.
    let tokensURL: String
    let method: Method
    let region: String?
    let interface: String
    /// Where `region` is set, for the message when the catalog lacks it.
    let regionLocation: String

    init(config: DriverConfig) {
        tokensURL = OpenStackURL.join(OpenStackURL.versioned(config.string("authURL") ?? "", "/v3"), "auth/tokens")
        if let id = config.string("applicationCredentialID") {
            method = .applicationCredential(id: id)
        } else {
            method = .password(
                user: config.string("username") ?? "", userDomain: config.string("userDomain") ?? "Default",
                project: config.string("project") ?? "", projectDomain: config.string("projectDomain") ?? "Default")
        }
        region = config.string("region")
        interface = config.string("interface") ?? "public"
        regionLocation = config.location(of: config.string("region") == nil ? "interface" : "region")
    }

    /// Who is asking, for messages (never the secret).
    var principal: String {
        switch method {
        case .password(let user, let userDomain, let project, let projectDomain):
            return "user \(user) (domain \(userDomain)), project \(project) (domain \(projectDomain))"
        case .applicationCredential(let id):
            return "application credential \(id)"
        }
    }

    /// The request body; it carries the secret, so it is never logged.
    func body(secret: String) -> JSONValue {
        switch method {
        case .password(let user, let userDomain, let project, let projectDomain):
            return [
                "auth": [
                    "identity": [
                        "methods": ["password"],
                        "password": [
                            "user": [
                                "name": .string(user), "domain": ["name": .string(userDomain)],
                                "password": .string(secret),
                            ]
                        ],
                    ],
                    "scope": ["project": ["name": .string(project), "domain": ["name": .string(projectDomain)]]],
                ]
            ]
        case .applicationCredential(let id):
            // An application credential is scoped to its project already.
            return [
                "auth": [
                    "identity": [
                        "methods": ["application_credential"],
                        "application_credential": ["id": .string(id), "secret": .string(secret)],
                    ]
                ]
            ]
        }
    }

    /// Asks Keystone for a token and reads the endpoints from its catalog.
    func authenticate(_ context: ProviderContext, now: Double) throws(DriverError) -> OpenStackSession {
        // Getting a token changes nothing in the cloud: safe to resend after a timeout.
        let request = HTTPRequest(
            .post, tokensURL, headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
            body: JSONWriter.bytes(body(secret: context.secret)), retryable: true)
        let response = try context.send(request)
        guard response.status == 201 || response.status == 200 else {
            throw OpenStackError.reply(response, doing: "Keystone authentication (\(principal)) at \(tokensURL)")
        }
        // Trimmed here too: a header value with its line ending left on would end the
        // X-Auth-Token header early on every later request.
        guard let token = response.header("X-Subject-Token")?.trimmingCharacters(in: " \t\r\n"), !token.isEmpty
        else {
            throw .malformed("Keystone's reply from \(tokensURL) has no X-Subject-Token header")
        }
        context.redactor.add(token)
        let json = try context.json(response, expecting: "Keystone's token reply")
        let details = json["token"]
        let catalog = details?["catalog"]?.arrayValue ?? []
        guard !catalog.isEmpty else {
            throw DriverError(
                .cloud, "Keystone's token for \(principal) carries no service catalog (no role on the project?)")
        }
        let compute = try endpoint(ofType: "compute", in: catalog, region: region)
        // The other services are taken from the same region as Nova.
        let network = try? endpoint(ofType: "network", in: catalog, region: compute.region)
        let image = try? endpoint(ofType: "image", in: catalog, region: compute.region)
        let renewAfter = OpenStackSession.renewAfter(
            issuedAt: details?["issued_at"]?.stringValue, expiresAt: details?["expires_at"]?.stringValue, now: now)
        context.note("Keystone token obtained; compute \(compute.url) in region \(compute.region)")
        return OpenStackSession(
            token: token, renewAfter: renewAfter, computeURL: compute.url,
            networkURL: network.map { OpenStackURL.versioned($0.url, "/v2.0") },
            imageURL: image.map { OpenStackURL.versioned($0.url, "/v2") }, region: compute.region)
    }

    /// The first endpoint of a service type with this interface (and region, when set).
    func endpoint(ofType type: String, in catalog: [JSONValue], region: String?) throws(DriverError) -> (
        url: String, region: String
    ) {
        var regionsSeen: [String] = []
        for service in catalog where service["type"]?.stringValue == type {
            for endpoint in service["endpoints"]?.arrayValue ?? [] {
                guard endpoint["interface"]?.stringValue == interface, let url = endpoint["url"]?.stringValue else {
                    continue
                }
                let endpointRegion = endpoint["region_id"]?.stringValue ?? endpoint["region"]?.stringValue ?? ""
                if let region, region != endpointRegion, region != endpoint["region"]?.stringValue {
                    if !regionsSeen.contains(endpointRegion) { regionsSeen.append(endpointRegion) }
                    continue
                }
                return (url, endpointRegion)
            }
        }
        var text = "\(regionLocation): the service catalog has no \(type) endpoint with interface \(interface)"
        if let region { text += " in region \(region)" }
        if !regionsSeen.isEmpty { text += " (regions: \(regionsSeen.joined(separator: ", ")))" }
        throw DriverError(.config, text)
    }
}
