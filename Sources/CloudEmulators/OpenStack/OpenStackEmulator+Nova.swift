import Foundation
import TMCloudJSON

extension OpenStackEmulator {
    func routeNova(_ request: HTTPRequest, segments: [String], state: inout OpenStackState, now: Double) -> HTTPResponse {
        let r = RouteMatcher(method: request.method, segments: segments)
        if r.on("GET", "servers/detail") != nil { return listServers(request, detailed: true, state: &state, now: now) }
        if r.on("GET", "servers") != nil { return listServers(request, detailed: false, state: &state, now: now) }
        if r.on("POST", "servers") != nil { return createServer(request, state: &state, now: now) }
        if let captured = r.on("GET", "servers/*") {
            guard let server = state.servers[captured[0]] else { return novaNotFound("Instance \(captured[0]) could not be found.") }
            return .json(200, serverDocument(server, state: state, now: now))
        }
        if let captured = r.on("PUT", "servers/*") {
            guard var server = state.servers[captured[0]] else { return novaNotFound("Instance \(captured[0]) could not be found.") }
            guard let name = request.jsonObject?["server"]?["name"]?.stringValue, !name.isEmpty else {
                return novaError(400, "badRequest", "Invalid input for field/attribute server.")
            }
            server.name = name
            server.updatedAt = now
            state.servers[server.id] = server
            return .json(200, serverDocument(server, state: state, now: now))
        }
        if let captured = r.on("DELETE", "servers/*") {
            guard state.servers[captured[0]] != nil else { return novaNotFound("Instance \(captured[0]) could not be found.") }
            if state.servers[captured[0]]?.deleteRequestedAt == nil {
                state.servers[captured[0]]?.deleteRequestedAt = now
                state.servers[captured[0]]?.pendingTask = nil
            }
            settle(&state, now: now)
            return .empty(204)
        }
        if let captured = r.on("POST", "servers/*/action") {
            return serverAction(request, id: captured[0], state: &state, now: now)
        }
        if r.on("GET", "flavors/detail") != nil || r.on("GET", "flavors") != nil {
            return .json(200, ["flavors": .array(catalog.flavors.map(flavorJSON))])
        }
        if let captured = r.on("GET", "flavors/*") {
            guard let flavor = catalog.flavors.first(where: { $0.id == captured[0] }) else {
                return novaNotFound("Flavor \(captured[0]) could not be found.")
            }
            return .json(200, ["flavor": flavorJSON(flavor)])
        }
        if r.on("GET", "os-keypairs") != nil {
            return .json(200, ["keypairs": .array(catalog.keyPairs.map { name in
                ["keypair": [
                    "name": .string(name), "type": "ssh",
                    "fingerprint": "7e:eb:ab:24:ba:d1:e1:88:ae:9a:fb:66:53:df:d3:bd",
                    "public_key": .string("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEmulatedKeyOnly \(name)"),
                ]]
            })])
        }
        return novaNotFound()
    }

    private func flavorJSON(_ flavor: OSFlavor) -> JSONValue {
        [
            "id": .string(flavor.id), "name": .string(flavor.name), "ram": flavor.ram.json,
            "vcpus": flavor.vcpus.json, "disk": flavor.disk.json, "OS-FLV-EXT-DATA:ephemeral": 0,
            "OS-FLV-DISABLED:disabled": false, "swap": "", "rxtx_factor": 1.0,
            "os-flavor-access:is_public": true, "links": links("flavors", flavor.id),
        ]
    }

    // MARK: - List

    private func listServers(_ request: HTTPRequest, detailed: Bool, state: inout OpenStackState, now: Double) -> HTTPResponse {
        // Newest first, as Nova's default sort (created_at desc, then id desc).
        var servers = state.serversNewestFirst()
        if let pattern = request.queryValue("name"), !pattern.isEmpty {
            // Nova filters names with a regular expression search (unanchored). A
            // pattern without metacharacters, the usual case, is a plain substring
            // search, without matching through NSString for every server.
            if !pattern.contains(where: { "\\^$.|?*+()[]{}".contains($0) }) {
                let wanted = Array(pattern.utf8)
                servers = servers.filter { Array($0.name.utf8).firstRange(of: wanted) != nil }
            } else {
                guard let regex = try? NSRegularExpression(pattern: pattern) else {
                    return novaError(400, "badRequest", "Invalid regular expression in name filter.")
                }
                servers = servers.filter {
                    regex.firstMatch(in: $0.name, range: NSRange($0.name.startIndex..., in: $0.name)) != nil
                }
            }
        }
        if let wanted = request.queryValue("status")?.uppercased(), !wanted.isEmpty {
            servers = servers.filter { Self.status(of: $0) == wanted }
        }
        if let marker = request.queryValue("marker"), !marker.isEmpty {
            guard let index = servers.firstIndex(where: { $0.id == marker }) else {
                return novaError(400, "badRequest", "marker [\(marker)] not found")
            }
            servers = Array(servers[(index + 1)...])
        }
        var limit = 1000
        if let text = request.queryValue("limit") {
            guard let value = Int(text), value >= 0 else {
                return novaError(400, "badRequest", "Invalid input for query parameters limit.")
            }
            limit = min(value, 1000)
        }
        let page = servers.prefix(limit)
        let rendering = serverRendering(state, now: now)
        var json = JSONOutput(capacity: (detailed ? 1500 : 300) * page.count + 500)
        json.object { body in
            body.key("servers")
            body.array { list in
                for server in page {
                    if detailed {
                        rendering.write(server, to: &list)
                    } else {
                        list.object { o in
                            o.field("id", server.id)
                            o.field("name", server.name)
                            o.key("links")
                            rendering.writeLinks(server.id, to: &o)
                        }
                    }
                }
            }
            if page.count == limit, limit > 0, servers.count > 0, let last = page.last {
                var query = "limit=\(limit)"
                for (name, value) in request.query where name != "limit" && name != "marker" {
                    query += "&\(PercentEncoding.encode(name))=\(PercentEncoding.encode(value))"
                }
                query += "&marker=\(last.id)"
                body.field("servers_links", [["href": .string("\(computeBase)/servers\(detailed ? "/detail" : "")?\(query)"), "rel": "next"]])
            }
        }
        return .json(200, json)
    }

    // MARK: - Create

    private func createServer(_ request: HTTPRequest, state: inout OpenStackState, now: Double) -> HTTPResponse {
        func bad(_ message: String) -> HTTPResponse { novaError(400, "badRequest", message) }
        guard let server = request.jsonObject?["server"], server.objectValue != nil else {
            return bad("Invalid input for field/attribute server. Value: None. 'server' is a required property")
        }
        guard let name = server["name"]?.stringValue, !name.isEmpty, name.count <= 255 else {
            return bad("Invalid input for field/attribute name.")
        }
        guard let imageRef = server["imageRef"]?.stringValue, let image = catalog.image(imageRef) else {
            return bad("Can not find requested image")
        }
        guard image.status == "active" else { return bad("Image \(image.id) is not active.") }
        guard let flavorRef = server["flavorRef"]?.scalarText, let flavor = catalog.flavor(flavorRef) else {
            return bad("Invalid flavorRef provided.")
        }
        var networks: [OSNetwork] = []
        switch server["networks"] {
        case nil:
            let microversion = request.header("x-openstack-nova-api-version") ?? request.header("openstack-api-version")
            if let microversion, let minor = microversion.split(separator: ".").last.flatMap({ Int($0) }), minor >= 37 {
                return bad("Invalid input for field/attribute server. 'networks' is a required property")
            }
            networks = [catalog.networks[0]]
        case .string("auto")?:
            networks = [catalog.networks[0]]
        case .string("none")?:
            networks = []
        case .array(let items)?:
            for item in items {
                if let uuid = item["uuid"]?.stringValue {
                    guard let network = catalog.networks.first(where: { $0.id == uuid }), !network.external else {
                        return bad("Network \(uuid) could not be found.")
                    }
                    networks.append(network)
                } else if let portID = item["port"]?.stringValue {
                    return bad("Port \(portID) could not be found.")
                } else {
                    return bad("Bad networks format")
                }
            }
        default:
            return bad("Bad networks format")
        }
        let keyName = server["key_name"]?.stringValue
        if let keyName, !catalog.keyPairs.contains(keyName) { return bad("Invalid key_name provided.") }
        let groups = server["security_groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? ["default"]
        for group in groups where !catalog.securityGroups.contains(group) {
            return bad("Security group \(group) not found for project \(settings.projectID).")
        }
        var metadata = JSONObject()
        if let given = server["metadata"]?.objectValue {
            for (key, value) in given.pairs {
                guard let text = value.stringValue else { return bad("Invalid input for field/attribute metadata.") }
                metadata[key] = .string(text)
            }
        }
        let build = core.faults.drawBuild(defaultBoot: settings.bootDelay)
        let created = addServer(
            &state, name: name, image: image, flavor: flavor, networks: networks, metadata: metadata,
            keyName: keyName, securityGroups: groups, now: now, bootSeconds: max(0.001, build.bootSeconds),
            fails: build.fails, throughAPI: true)
        let password = state.random.hex(12)
        return .json(202, ["server": [
            "id": .string(created.id), "links": links("servers", created.id), "adminPass": .string(password),
            "OS-DCF:diskConfig": "MANUAL", "security_groups": .array(groups.map { ["name": .string($0)] }),
        ]], headers: [("Location", "\(computeBase)/servers/\(created.id)")])
    }

    // MARK: - Actions

    private func serverAction(_ request: HTTPRequest, id: String, state: inout OpenStackState, now: Double) -> HTTPResponse {
        guard let server = state.servers[id] else { return novaNotFound("Instance \(id) could not be found.") }
        guard let body = request.jsonObject, let action = body.keys.first else {
            return novaError(400, "badRequest", "Malformed request body")
        }
        func conflict(_ verb: String) -> HTTPResponse {
            let where_ = server.deleteRequestedAt != nil ? "task_state deleting"
                : server.pendingTask.map { "task_state \($0.taskState)" } ?? "vm_state \(server.vmState)"
            return novaError(409, "conflictingRequest", "Cannot '\(verb)' instance \(id) while it is in \(where_)")
        }
        let busy = server.pendingTask != nil || server.deleteRequestedAt != nil
        let delay = settings.actionDelay
        switch action {
        case "os-start":
            guard !busy, server.vmState == "stopped" else { return conflict("start") }
            state.servers[id]?.pendingTask = .init(taskState: "powering-on", resultingVMState: "active", completesAt: now + delay)
        case "os-stop":
            guard !busy, server.vmState == "active" || server.vmState == "error" else { return conflict("stop") }
            state.servers[id]?.pendingTask = .init(taskState: "powering-off", resultingVMState: "stopped", completesAt: now + delay)
        case "reboot":
            guard !busy, server.vmState == "active" else { return conflict("reboot") }
            state.servers[id]?.pendingTask = .init(taskState: "rebooting", resultingVMState: "active", completesAt: now + delay)
        default:
            return novaError(400, "badRequest", "There is no such action: \(action)")
        }
        state.servers[id]?.updatedAt = now
        return .empty(202)
    }
}
