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
    static func status(of server: NovaServer) -> String {
        switch server.vmState {
        case "building": "BUILD"
        case "active": "ACTIVE"
        case "stopped": "SHUTOFF"
        case "error": "ERROR"
        default: "UNKNOWN"
        }
    }

    /// What every server of one reply shares: the settings, the URLs, and each
    /// server's ports and floating IPs, found once rather than per server.
    struct ServerRendering {
        let now: Double
        let options: Options
        let catalog: OpenStackCatalog
        /// `{compute}/servers/` and `{base}/compute/{project}/servers/`: a server's links.
        let selfLinkPrefix: String
        let bookmarkLinkPrefix: String
        /// `{base}/compute/{project}`, where bookmark links point.
        let bookmarkBase: String
        /// The `image` and `flavor` members of a server, for every image and flavor of
        /// the catalog, by id.
        let imageReferences: [String: [UInt8]]
        let flavorReferences: [String: [UInt8]]
        /// Visible ports by server id.
        let ports: [String: [NeutronPort]]
        /// Floating IPs by port id.
        let floatingIPs: [String: [FloatingIP]]
    }

    func serverRendering(_ state: OpenStackState, now: Double) -> ServerRendering {
        let o = settings
        var ports: [String: [NeutronPort]] = [:]
        for port in state.ports.values where port.visibleAt <= now { ports[port.deviceID, default: []].append(port) }
        var floatingIPs: [String: [FloatingIP]] = [:]
        for address in state.floatingIPs.values {
            if let portID = address.portID { floatingIPs[portID, default: []].append(address) }
        }
        let bookmarkBase = "\(baseURL)/compute/\(o.projectID)"
        func references(_ ids: [String], _ kind: String) -> [String: [UInt8]] {
            Dictionary(uniqueKeysWithValues: ids.map { ($0, Self.reference($0, kind, bookmarkBase: bookmarkBase)) })
        }
        return ServerRendering(
            now: now, options: o, catalog: catalog, selfLinkPrefix: computeBase + "/servers/",
            bookmarkLinkPrefix: bookmarkBase + "/servers/", bookmarkBase: bookmarkBase,
            imageReferences: references(catalog.images.map(\.id), "images"),
            flavorReferences: references(catalog.flavors.map(\.id), "flavors"), ports: ports, floatingIPs: floatingIPs)
    }

    /// `{"id": ..., "links": [bookmark]}`: a server's image or flavor.
    static func reference(_ id: String, _ kind: String, bookmarkBase: String) -> [UInt8] {
        JSONWriter.bytes(["id": .string(id), "links": [["href": .string("\(bookmarkBase)/\(kind)/\(id)"), "rel": "bookmark"]]])
    }

    /// `{"server": ...}` for one server.
    func serverDocument(_ server: NovaServer, state: OpenStackState, now: Double) -> JSONOutput {
        var json = JSONOutput(capacity: 2000)
        json.object { o in
            o.key("server")
            serverRendering(state, now: now).write(server, to: &o)
        }
        return json
    }
}

extension OpenStackEmulator.ServerRendering {
    /// The server as `servers/detail` shows it.
    func write(_ server: NovaServer, to json: inout JSONOutput) {
        let building = server.vmState == "building"
        json.object { o in
            o.field("id", server.id)
            o.field("name", server.name)
            o.field("status", OpenStackEmulator.status(of: server))
            o.field("tenant_id", options.projectID)
            o.field("user_id", options.userID)
            o.field("metadata", .object(server.metadata))
            // The first 8 characters of the id (ASCII): cheaper through UTF-8 than Character.
            o.field("hostId", building ? "" : "c0ffee" + String(decoding: server.id.utf8.prefix(8), as: UTF8.self))
            o.key("image")
            o.raw(imageReferences[server.imageID] ?? OpenStackEmulator.reference(server.imageID, "images", bookmarkBase: bookmarkBase))
            o.key("flavor")
            o.raw(flavorReferences[server.flavorID] ?? OpenStackEmulator.reference(server.flavorID, "flavors", bookmarkBase: bookmarkBase))
            o.key("created")
            o.timestamp(server.createdAt)
            o.key("updated")
            o.timestamp(server.updatedAt)
            o.key("addresses")
            writeAddresses(of: server, to: &o)
            o.field("accessIPv4", "")
            o.field("accessIPv6", "")
            o.key("links")
            writeLinks(server.id, to: &o)
            o.field("OS-DCF:diskConfig", "MANUAL")
            o.field("progress", progress(of: server))
            o.field("OS-EXT-AZ:availability_zone", server.availabilityZone)
            o.field("config_drive", "")
            o.field("key_name", server.keyName)
            o.key("OS-SRV-USG:launched_at")
            if building || server.vmState == "error" {
                o.null()
            } else {
                o.timestamp(server.readyAt, fractionDigits: 6, zone: false)
            }
            o.key("OS-SRV-USG:terminated_at")
            o.null()
            o.key("security_groups")
            o.array { groups in
                for name in server.securityGroups { groups.object { $0.field("name", name) } }
            }
            o.key("OS-EXT-STS:task_state")
            o.string(taskState(of: server))
            o.field("OS-EXT-STS:vm_state", server.vmState)
            o.field("OS-EXT-STS:power_state", server.vmState == "active" ? 1 : server.vmState == "stopped" ? 4 : 0)
            o.key("os-extended-volumes:volumes_attached")
            o.array { _ in }
            if let fault = server.fault {
                o.key("fault")
                o.object { f in
                    f.field("code", fault.code)
                    f.key("created")
                    f.timestamp(fault.created)
                    f.field("message", fault.message)
                }
            }
        }
    }

    /// The `self` and `bookmark` links of a server.
    func writeLinks(_ id: String, to json: inout JSONOutput) {
        json.array { links in
            links.object { link in
                link.key("href")
                link.string(selfLinkPrefix, id)
                link.field("rel", "self")
            }
            links.object { link in
                link.key("href")
                link.string(bookmarkLinkPrefix, id)
                link.field("rel", "bookmark")
            }
        }
    }

    /// Fixed and floating addresses by network name, ports in the order they were
    /// made (the server's network order for ports made together).
    private func writeAddresses(of server: NovaServer, to json: inout JSONOutput) {
        var serverPorts = ports[server.id] ?? []
        if serverPorts.count > 1 {
            let order = { (port: NeutronPort) in server.networkIDs.firstIndex(of: port.networkID) ?? 0 }
            serverPorts.sort { ($0.createdAt, order($0)) < ($1.createdAt, order($1)) }
        }
        let names = serverPorts.map { port in catalog.networks.first { $0.id == port.networkID }?.name }
        json.object { o in
            for (n, name) in names.enumerated() {
                // One member per network, at the place of its first port.
                guard let name, !names[..<n].contains(name) else { continue }
                o.key(name)
                o.array { entries in
                    for (port, portNetwork) in zip(serverPorts, names) where portNetwork == name {
                        writeAddress(port.ipAddress, type: "fixed", mac: port.macAddress, to: &entries)
                        for address in floatingIPs[port.id] ?? [] {
                            writeAddress(address.address, type: "floating", mac: port.macAddress, to: &entries)
                        }
                    }
                }
            }
        }
    }

    private func writeAddress(_ address: String, type: String, mac: String, to json: inout JSONOutput) {
        json.object { o in
            o.field("OS-EXT-IPS-MAC:mac_addr", mac)
            o.field("version", 4)
            o.field("addr", address)
            o.field("OS-EXT-IPS:type", type)
        }
    }

    private func progress(of server: NovaServer) -> Int {
        guard server.vmState == "building" else { return 0 }
        return Int(min(99, max(0, (now - server.createdAt) / max(0.001, server.readyAt - server.createdAt) * 100)))
    }

    private func taskState(of server: NovaServer) -> String? {
        if server.deleteRequestedAt != nil { return "deleting" }
        if let task = server.pendingTask { return task.taskState }
        guard server.vmState == "building" else { return nil }
        if now < server.createdAt + 1 { return "scheduling" }
        return now < server.createdAt + options.portDelay ? "networking" : "spawning"
    }
}
