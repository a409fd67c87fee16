import TMCloudJSON

extension OpenStackEmulator {
    var computeBase: String {
        let o = settings
        return "\(baseURL)/compute/v2.1" + (o.computeURLIncludesProject ? "/\(o.projectID)" : "")
    }

    func novaError(_ code: Int, _ name: String, _ message: String) -> HTTPResponse {
        .json(code, [name: ["code": code.json, "message": .string(message)]])
    }

    func novaNotFound(_ message: String = "The resource could not be found.") -> HTTPResponse {
        novaError(404, "itemNotFound", message)
    }

    func links(_ kind: String, _ id: String) -> JSONValue {
        [
            ["href": .string("\(computeBase)/\(kind)/\(id)"), "rel": "self"],
            ["href": .string("\(baseURL)/compute/\(settings.projectID)/\(kind)/\(id)"), "rel": "bookmark"],
        ]
    }

    /// `status` as Nova derives it from vm_state (task_state does not change it here).
    func status(of server: NovaServer) -> String {
        switch server.vmState {
        case "building": "BUILD"
        case "active": "ACTIVE"
        case "stopped": "SHUTOFF"
        case "error": "ERROR"
        default: "UNKNOWN"
        }
    }

    private func taskState(of server: NovaServer, now: Double) -> JSONValue {
        if server.deleteRequestedAt != nil { return "deleting" }
        if let task = server.pendingTask { return .string(task.taskState) }
        guard server.vmState == "building" else { return .null }
        if now < server.createdAt + 1 { return "scheduling" }
        return now < server.createdAt + settings.portDelay ? "networking" : "spawning"
    }

    func serverJSON(_ server: NovaServer, state: OpenStackState, now: Double) -> JSONValue {
        var addresses = JSONObject()
        for port in state.ports.values.sorted(by: { $0.createdAt < $1.createdAt })
        where port.deviceID == server.id && port.visibleAt <= now {
            guard let network = catalog.networks.first(where: { $0.id == port.networkID }) else { continue }
            var entries = addresses[network.name]?.arrayValue ?? []
            entries.append([
                "OS-EXT-IPS-MAC:mac_addr": .string(port.macAddress), "version": 4,
                "addr": .string(port.ipAddress), "OS-EXT-IPS:type": "fixed",
            ])
            for address in state.floatingIPs.values where address.portID == port.id {
                entries.append([
                    "OS-EXT-IPS-MAC:mac_addr": .string(port.macAddress), "version": 4,
                    "addr": .string(address.address), "OS-EXT-IPS:type": "floating",
                ])
            }
            addresses[network.name] = .array(entries)
        }
        let powerState: Int = switch server.vmState {
        case "active": 1
        case "stopped": 4
        default: 0
        }
        let progress = server.vmState == "building"
            ? Int(min(99, max(0, (now - server.createdAt) / max(0.001, server.readyAt - server.createdAt) * 100))) : 0
        var body = JSONObject([
            "id": .string(server.id), "name": .string(server.name), "status": .string(status(of: server)),
            "tenant_id": .string(settings.projectID), "user_id": .string(settings.userID),
            "metadata": .object(server.metadata), "hostId": .string(server.vmState == "building" ? "" : "c0ffee\(server.id.prefix(8))"),
            "image": ["id": .string(server.imageID), "links": [["href": .string("\(baseURL)/compute/\(settings.projectID)/images/\(server.imageID)"), "rel": "bookmark"]]],
            "flavor": ["id": .string(server.flavorID), "links": [["href": .string("\(baseURL)/compute/\(settings.projectID)/flavors/\(server.flavorID)"), "rel": "bookmark"]]],
            "created": .string(Timestamp.iso8601(server.createdAt)), "updated": .string(Timestamp.iso8601(server.updatedAt)),
            "addresses": .object(addresses), "accessIPv4": "", "accessIPv6": "",
            "links": links("servers", server.id), "OS-DCF:diskConfig": "MANUAL", "progress": progress.json,
            "OS-EXT-AZ:availability_zone": .string(server.availabilityZone), "config_drive": "",
            "key_name": server.keyName.map { .string($0) } ?? .null,
            "OS-SRV-USG:launched_at": server.vmState == "building" || server.vmState == "error" ? .null : .string(String(Timestamp.iso8601Micro(server.readyAt).dropLast())),
            "OS-SRV-USG:terminated_at": nil,
            "security_groups": .array(server.securityGroups.map { ["name": .string($0)] }),
            "OS-EXT-STS:task_state": taskState(of: server, now: now),
            "OS-EXT-STS:vm_state": .string(server.vmState), "OS-EXT-STS:power_state": powerState.json,
            "os-extended-volumes:volumes_attached": [],
        ])
        if let fault = server.fault {
            body["fault"] = [
                "code": fault.code.json, "created": .string(Timestamp.iso8601(fault.created)),
                "message": .string(fault.message),
            ]
        }
        return .object(body)
    }
}
