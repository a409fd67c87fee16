import TMCloudJSON

extension OpenStackEmulator {
    func neutronError(_ code: Int, _ type: String, _ message: String) -> HTTPResponse {
        .json(code, ["NeutronError": ["type": .string(type), "message": .string(message), "detail": ""]])
    }

    func routeNeutron(_ request: HTTPRequest, segments: [String], state: inout OpenStackState, now: Double) -> HTTPResponse {
        let r = RouteMatcher(method: request.method, segments: segments)
        if r.on("GET", "networks") != nil {
            let networks = catalog.networks.filter { network in
                matches(request, "name", network.name) && matches(request, "id", network.id)
                    && matches(request, "router:external", network.external ? "true" : "false")
            }
            return .json(200, ["networks": .array(networks.map(networkJSON))])
        }
        if let captured = r.on("GET", "networks/*") {
            guard let network = catalog.networks.first(where: { $0.id == captured[0] }) else {
                return neutronError(404, "NetworkNotFound", "Network \(captured[0]) could not be found.")
            }
            return .json(200, ["network": networkJSON(network)])
        }
        if r.on("GET", "ports") != nil {
            let ports = state.ports.values.filter { port in
                port.visibleAt <= now && matches(request, "device_id", port.deviceID)
                    && matches(request, "network_id", port.networkID) && matches(request, "id", port.id)
            }.sorted { $0.createdAt < $1.createdAt }
            return .json(200, ["ports": .array(ports.map(portJSON))])
        }
        if let captured = r.on("GET", "ports/*") {
            guard let port = state.ports[captured[0]], port.visibleAt <= now else {
                return neutronError(404, "PortNotFound", "Port \(captured[0]) could not be found.")
            }
            return .json(200, ["port": portJSON(port)])
        }
        if r.on("GET", "floatingips") != nil {
            let addresses = state.floatingIPs.values.filter { address in
                matches(request, "port_id", address.portID ?? "") && matches(request, "id", address.id)
                    && matches(request, "floating_ip_address", address.address)
                    && matches(request, "floating_network_id", address.networkID)
            }.sorted { $0.createdAt < $1.createdAt }
            return .json(200, ["floatingips": .array(addresses.map(floatingIPJSON))])
        }
        if r.on("POST", "floatingips") != nil { return createFloatingIP(request, state: &state, now: now) }
        if let captured = r.on("GET", "floatingips/*") {
            guard let address = state.floatingIPs[captured[0]] else { return floatingIPNotFound(captured[0]) }
            return .json(200, ["floatingip": floatingIPJSON(address)])
        }
        if let captured = r.on("PUT", "floatingips/*") {
            guard state.floatingIPs[captured[0]] != nil else { return floatingIPNotFound(captured[0]) }
            guard let update = request.jsonObject?["floatingip"], let portValue = update["port_id"] else {
                return neutronError(400, "BadRequest", "Invalid input: floatingip.port_id is required.")
            }
            if let portID = portValue.stringValue {
                if let error = associate(captured[0], portID: portID, state: &state, now: now) { return error }
            } else {
                state.floatingIPs[captured[0]]?.portID = nil
                state.floatingIPs[captured[0]]?.fixedIP = nil
            }
            return .json(200, ["floatingip": floatingIPJSON(state.floatingIPs[captured[0]]!)])
        }
        if let captured = r.on("DELETE", "floatingips/*") {
            guard state.floatingIPs.removeValue(forKey: captured[0]) != nil else { return floatingIPNotFound(captured[0]) }
            return .empty(204)
        }
        if r.on("GET", "security-groups") != nil {
            let groups = catalog.securityGroups.filter { matches(request, "name", $0) }
            return .json(200, ["security_groups": .array(groups.enumerated().map { index, name in
                [
                    "id": .string("7d2e1f0a-0000-4000-8000-00000000000\(index)"), "name": .string(name),
                    "description": .string(name == "default" ? "Default security group" : ""),
                    "project_id": .string(settings.projectID), "tenant_id": .string(settings.projectID),
                    "security_group_rules": [], "stateful": true,
                ]
            })])
        }
        return neutronError(404, "HTTPNotFound", "The resource could not be found.")
    }

    /// A Neutron filter: absent means any; otherwise an exact match (any of repeated values).
    private func matches(_ request: HTTPRequest, _ name: String, _ value: String) -> Bool {
        let wanted = request.query.filter { $0.name == name }.map(\.value)
        return wanted.isEmpty || wanted.contains { $0.lowercased() == value.lowercased() }
    }

    private func floatingIPNotFound(_ id: String) -> HTTPResponse {
        neutronError(404, "FloatingIPNotFound", "Floating IP \(id) could not be found")
    }

    private func createFloatingIP(_ request: HTTPRequest, state: inout OpenStackState, now: Double) -> HTTPResponse {
        guard let body = request.jsonObject?["floatingip"], let networkID = body["floating_network_id"]?.stringValue else {
            return neutronError(400, "BadRequest", "Invalid input: floating_network_id is required.")
        }
        guard let network = catalog.networks.first(where: { $0.id == networkID }) else {
            return neutronError(404, "NetworkNotFound", "Network \(networkID) could not be found.")
        }
        guard network.external else {
            return neutronError(400, "BadRequest", "Bad floatingip request: Network \(networkID) is not a valid external network.")
        }
        state.nextFloatingNumber += 1
        let number = state.nextFloatingNumber
        let address = FloatingIP(
            id: state.random.uuid(), address: "\(network.prefix).\(4 + number / 250).\(number % 250 + 2)",
            networkID: networkID, portID: nil, fixedIP: nil, createdAt: now, createdThroughAPI: true,
            description: body["description"]?.stringValue ?? "")
        state.floatingIPs[address.id] = address
        if let portID = body["port_id"]?.stringValue,
           let error = associate(address.id, portID: portID, state: &state, now: now)
        {
            state.floatingIPs[address.id] = nil
            return error
        }
        return .json(201, ["floatingip": floatingIPJSON(state.floatingIPs[address.id]!)])
    }

    private func associate(_ id: String, portID: String, state: inout OpenStackState, now: Double) -> HTTPResponse? {
        guard let port = state.ports[portID], port.visibleAt <= now else {
            return neutronError(404, "PortNotFound", "Port \(portID) could not be found.")
        }
        if let holder = state.floatingIPs.values.first(where: { $0.portID == portID && $0.id != id }) {
            return neutronError(
                409, "FloatingIPPortAlreadyAssociated",
                "Cannot associate floating IP \(state.floatingIPs[id]!.address) with port \(portID) using fixed IP \(port.ipAddress), as that fixed IP already has a floating IP \(holder.address) on external network \(holder.networkID).")
        }
        state.floatingIPs[id]?.portID = portID
        state.floatingIPs[id]?.fixedIP = port.ipAddress
        return nil
    }

    private func networkJSON(_ network: OSNetwork) -> JSONValue {
        [
            "id": .string(network.id), "name": .string(network.name), "status": "ACTIVE", "admin_state_up": true,
            "router:external": .bool(network.external), "shared": .bool(network.external), "mtu": 1450,
            "subnets": [.string(network.subnetID)], "tenant_id": .string(settings.projectID),
            "project_id": .string(settings.projectID), "port_security_enabled": true, "tags": [],
        ]
    }

    private func portJSON(_ port: NeutronPort) -> JSONValue {
        let subnet = catalog.networks.first { $0.id == port.networkID }?.subnetID ?? ""
        return [
            "id": .string(port.id), "name": "", "network_id": .string(port.networkID),
            "device_id": .string(port.deviceID), "device_owner": "compute:nova", "admin_state_up": true,
            "fixed_ips": [["subnet_id": .string(subnet), "ip_address": .string(port.ipAddress)]],
            "mac_address": .string(port.macAddress), "status": "ACTIVE",
            "tenant_id": .string(settings.projectID), "project_id": .string(settings.projectID),
            "security_groups": [], "created_at": .string(Timestamp.iso8601(port.createdAt)),
        ]
    }

    private func floatingIPJSON(_ address: FloatingIP) -> JSONValue {
        [
            "id": .string(address.id), "floating_ip_address": .string(address.address),
            "floating_network_id": .string(address.networkID),
            "fixed_ip_address": address.fixedIP.map { .string($0) } ?? .null,
            "port_id": address.portID.map { .string($0) } ?? .null,
            "router_id": address.portID == nil ? .null : "0f1e2d3c-4b5a-4697-8877-665544332211",
            "status": address.portID == nil ? "DOWN" : "ACTIVE", "description": .string(address.description),
            "tenant_id": .string(settings.projectID), "project_id": .string(settings.projectID),
            "created_at": .string(Timestamp.iso8601(address.createdAt)), "revision_number": 1,
        ]
    }
}
