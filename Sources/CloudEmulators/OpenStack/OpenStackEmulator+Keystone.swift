import TMCloudJSON

extension OpenStackEmulator {
    func routeKeystone(_ request: HTTPRequest, segments: [String], now: Double) -> HTTPResponse {
        let r = RouteMatcher(method: request.method, segments: segments)
        if segments.isEmpty && request.method == "GET" {
            return .json(300, ["versions": ["values": [[
                "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
                "links": [["rel": "self", "href": .string("\(baseURL)/identity/v3/")]],
                "media-types": [["base": "application/json", "type": "application/vnd.openstack.identity-v3+json"]],
            ]]]])
        }
        if r.on("GET", "v3") != nil {
            return .json(200, ["version": [
                "id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
                "links": [["rel": "self", "href": .string("\(baseURL)/identity/v3/")]],
            ]])
        }
        if r.on("POST", "v3/auth/tokens") != nil { return issueToken(request, now: now) }
        if r.on("DELETE", "v3/auth/tokens") != nil {
            guard let caller = request.header("x-auth-token"), validToken(caller, now: now),
                  let subject = request.header("x-subject-token")
            else { return Self.unauthorized() }
            let removed = state.withLock { $0.tokens.removeValue(forKey: subject) }
            return removed == nil ? keystoneError(404, "Not Found", "Could not find token: \(subject).") : .empty(204)
        }
        return keystoneError(404, "Not Found", "The resource could not be found.")
    }

    func keystoneError(_ code: Int, _ title: String, _ message: String) -> HTTPResponse {
        .json(code, ["error": ["code": code.json, "message": .string(message), "title": .string(title)]])
    }

    private func issueToken(_ request: HTTPRequest, now: Double) -> HTTPResponse {
        let o = settings
        guard let identity = request.jsonObject?["auth"]?["identity"],
              let methods = identity["methods"]?.stringArray, let method = methods.first
        else { return keystoneError(400, "Bad Request", "Expecting to find identity in auth.") }
        let scope = request.jsonObject?["auth"]?["scope"]
        switch method {
        case "password":
            guard let user = identity["password"]?["user"], let password = user["password"]?.stringValue else {
                return keystoneError(400, "Bad Request", "Expecting to find user in password.")
            }
            let userMatches: Bool
            if let id = user["id"]?.stringValue {
                userMatches = id == o.userID
            } else {
                userMatches = user["name"]?.stringValue == o.userName
                    && domainMatches(user["domain"], name: o.userDomainName, id: o.userDomainID)
            }
            guard userMatches, password == o.password else { return Self.unauthorized() }
            guard let project = scope?["project"] else {
                return tokenReply(methods: ["password"], scoped: false, now: now)
            }
            let projectMatches: Bool
            if let id = project["id"]?.stringValue {
                projectMatches = id == o.projectID
            } else {
                projectMatches = project["name"]?.stringValue == o.projectName
                    && domainMatches(project["domain"], name: o.projectDomainName, id: o.projectDomainID)
            }
            guard projectMatches else { return Self.unauthorized() }
            return tokenReply(methods: ["password"], scoped: true, now: now)
        case "application_credential":
            guard let credential = identity["application_credential"],
                  credential["id"]?.stringValue == o.applicationCredentialID,
                  credential["secret"]?.stringValue == o.applicationCredentialSecret
            else { return Self.unauthorized() }
            return tokenReply(methods: ["application_credential"], scoped: true, now: now)
        default:
            return Self.unauthorized()
        }
    }

    private func domainMatches(_ domain: JSONValue?, name: String, id: String) -> Bool {
        guard let domain else { return false }
        if let given = domain["id"]?.stringValue { return given == id }
        return domain["name"]?.stringValue == name
    }

    private func tokenReply(methods: [String], scoped: Bool, now: Double) -> HTTPResponse {
        let o = settings
        let token = state.withLock { state -> OSToken in
            let token = OSToken(
                value: o.tokenPrefix + state.random.hex(56), issuedAt: now, expiresAt: now + o.tokenLifetime,
                methods: methods, scoped: scoped)
            state.tokens[token.value] = token
            return token
        }
        var body = JSONObject([
            "methods": .strings(methods),
            "user": [
                "domain": ["id": .string(o.userDomainID), "name": .string(o.userDomainName)],
                "id": .string(o.userID), "name": .string(o.userName), "password_expires_at": nil,
            ],
            "audit_ids": [.string(String(token.value.suffix(22)))],
            "expires_at": .string(Timestamp.iso8601Micro(token.expiresAt)),
            "issued_at": .string(Timestamp.iso8601Micro(token.issuedAt)),
        ])
        if scoped {
            body["project"] = [
                "domain": ["id": .string(o.projectDomainID), "name": .string(o.projectDomainName)],
                "id": .string(o.projectID), "name": .string(o.projectName),
            ]
            body["is_domain"] = false
            body["roles"] = [["id": "51cc68287d524c759f47c811e6463340", "name": "member"], ["id": "9fe2ff9ee4384b1894a90878d3e92bab", "name": "reader"]]
            body["catalog"] = serviceCatalog()
        }
        return .json(201, ["token": .object(body)], headers: [("X-Subject-Token", token.value)])
    }

    private func serviceCatalog() -> JSONValue {
        let o = settings
        let compute = "\(baseURL)/compute/v2.1" + (o.computeURLIncludesProject ? "/\(o.projectID)" : "")
        let services: [(type: String, name: String, url: String)] = [
            ("identity", "keystone", "\(baseURL)/identity"),
            ("compute", "nova", compute),
            ("network", "neutron", "\(baseURL)/network"),
            ("image", "glance", "\(baseURL)/image"),
        ]
        return .array(services.enumerated().map { serviceIndex, service in
            var endpoints: [JSONValue] = []
            for (regionIndex, region) in o.regions.enumerated() {
                for (interfaceIndex, interface) in ["public", "internal"].enumerated() {
                    endpoints.append([
                        "id": .string("e\(serviceIndex)\(regionIndex)\(interfaceIndex)" + String(repeating: "0", count: 29)),
                        "interface": .string(interface), "region": .string(region), "region_id": .string(region),
                        "url": .string(service.url),
                    ])
                }
            }
            return [
                "endpoints": .array(endpoints), "id": .string("c\(serviceIndex)" + String(repeating: "a", count: 30)),
                "type": .string(service.type), "name": .string(service.name),
            ]
        })
    }
}
