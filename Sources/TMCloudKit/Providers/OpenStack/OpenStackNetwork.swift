import TMCloudJSON
import TMCloudTransport

/// Floating IPs from `floatingNetwork`: one per server, allocated on the server's
/// port once Nova has made it, released on destroy.
///
/// Nova makes the port a while after `POST /servers`, and the driver is a fresh
/// process each poll, so the allocation is finished by whichever later `status` or
/// `createnode` first lists the server with a fixed address and no floating one. That
/// listing costs extra requests only while such work is pending. Nothing is recorded
/// besides the association itself: Nova lists the floating address with the server,
/// which is how destroy finds it again.
struct OpenStackFloatingIPs {
    let api: OpenStackAPI
    let names: OpenStackNames
    let tag: String

    /// A description for the floating IPs the driver allocates, for people reading
    /// the project's floating IP list.
    func description(for serverID: String) -> String { "tmcloud \(tag) \(serverID)" }

    /// The external network's id.
    func networkID() throws(DriverError) -> String {
        try names.networkID(api.context.config.string("floatingNetwork") ?? "", key: "floatingNetwork")
    }

    /// Whether the server still waits for its floating IP.
    static func isPending(_ server: OpenStackServer) -> Bool {
        guard server.floatingIPv4.isEmpty, !server.fixedIPv4.isEmpty else { return false }
        let phase = OpenStackProvider.phase(of: server.status)
        return server.taskState != "deleting" && (phase == .building || phase == .running)
    }

    /// Gives the server a floating IP when its port exists; returns its address, or
    /// nil when the port is not there yet.
    func attach(to server: OpenStackServer) throws(DriverError) -> String? {
        let floatingNetwork = try networkID()
        let ports = try api.list(
            .network, "ports?device_id=" + OpenStackURL.encode(server.id), key: "ports",
            doing: "looking up the ports of server \(server.id)")
        guard let port = choosePort(ports.filter { $0["device_id"]?.stringValue == server.id }),
            let portID = port["id"]?.stringValue
        else {
            api.context.note("server \(server.id) has no port yet: its floating IP comes on a later run")
            return nil
        }
        // Nova's address list may lag behind Neutron: a floating IP already on the
        // port (from a run a moment ago) is the one, not a reason for a second.
        let existing = try api.list(
            .network, "floatingips?port_id=" + OpenStackURL.encode(portID), key: "floatingips",
            doing: "looking up the floating IPs of port \(portID)")
        if let found = existing.first(where: { $0["port_id"]?.stringValue == portID }),
            let address = found["floating_ip_address"]?.stringValue
        {
            return address
        }
        let body: JSONValue = [
            "floatingip": [
                "floating_network_id": .string(floatingNetwork), "port_id": .string(portID),
                "description": .string(description(for: server.id)),
            ]
        ]
        let response = try api.send(.post, .network, "floatingips", body: body)
        guard response.status == 201 || response.status == 200 else {
            throw OpenStackError.reply(response, doing: "allocating a floating IP for server \(server.id)")
        }
        let reply = try api.context.json(response, expecting: "the floating IP reply")
        guard let address = reply["floatingip"]?["floating_ip_address"]?.stringValue else {
            throw .malformed("the floating IP reply has no floating_ip_address")
        }
        api.context.note("allocated floating IP \(address) for server \(server.id)")
        return address
    }

    /// The port for the floating IP: the first one with an IPv4 address on the first
    /// configured network, else the first with an IPv4 address.
    private func choosePort(_ ports: [JSONView]) -> JSONView? {
        let withIPv4 = ports.filter { port in
            (port["fixed_ips"]?.arrayValue ?? []).contains {
                OpenStackServer.isIPv4($0["ip_address"]?.stringValue ?? "")
            }
        }
        let networks = api.context.config.list("network").map { api.resolved("network:" + $0) ?? $0 }
        if let first = networks.first, let port = withIPv4.first(where: { $0["network_id"]?.stringValue == first }) {
            return port
        }
        return withIPv4.first
    }

    /// Releases the server's floating IPs from `floatingNetwork`: found by the
    /// addresses Nova lists for it, one lookup and one delete each.
    func release(for server: OpenStackServer) throws(DriverError) {
        guard !server.floatingIPv4.isEmpty else {
            try releaseOrphans(of: server)
            return
        }
        try release(addresses: server.floatingIPv4, serverID: server.id)
    }

    /// Releases the floating IPs with these addresses that belong to `floatingNetwork`.
    /// With `onlyDescribed`, the addresses come from an earlier listing, which an
    /// address could have left since: only floating IPs this driver gave to this very
    /// server (its description says so) are released, and false means one was found
    /// that is not, so the caller must look at the server itself.
    @discardableResult
    func release(addresses: [String], serverID: String, onlyDescribed: Bool = false) throws(DriverError) -> Bool {
        let floatingNetwork = try networkID()
        for address in addresses {
            let found = try api.list(
                .network, "floatingips?floating_ip_address=" + OpenStackURL.encode(address), key: "floatingips",
                doing: "looking up floating IP \(address)")
            let ours = found.filter {
                $0["floating_ip_address"]?.stringValue == address
                    && $0["floating_network_id"]?.stringValue == floatingNetwork
            }
            if onlyDescribed && ours.contains(where: { $0["description"]?.stringValue != description(for: serverID) }) {
                return false
            }
            for floating in ours {
                guard let id = floating["id"]?.scalarText else { continue }
                let response = try api.send(.delete, .network, "floatingips/\(OpenStackURL.encode(id))")
                guard response.isSuccess || response.status == 404 else {
                    throw OpenStackError.reply(
                        response, doing: "releasing floating IP \(address) of server \(serverID)")
                }
                api.context.note("released floating IP \(address) of server \(serverID)")
            }
        }
        return true
    }

    /// Releases floating IPs Nova does not list with the server. A server whose build
    /// failed loses its port, and with it the address Nova showed, while the floating
    /// IP given during the build stays allocated, unassociated. The description the
    /// driver gave it names the server, so one lookup finds it.
    private func releaseOrphans(of server: OpenStackServer) throws(DriverError) {
        let floatingNetwork = try networkID()
        let wanted = description(for: server.id)
        let found = try api.list(
            .network,
            "floatingips?floating_network_id=" + OpenStackURL.encode(floatingNetwork) + "&description="
                + OpenStackURL.encode(wanted), key: "floatingips",
            doing: "looking up the floating IPs of server \(server.id)")
        // Filtered here too: not every Neutron filters on description.
        for floating in found
        where floating["description"]?.stringValue == wanted
            && floating["floating_network_id"]?.stringValue == floatingNetwork
        {
            guard let id = floating["id"]?.scalarText else { continue }
            let response = try api.send(.delete, .network, "floatingips/\(OpenStackURL.encode(id))")
            guard response.isSuccess || response.status == 404 else {
                throw OpenStackError.reply(response, doing: "releasing the floating IP of server \(server.id)")
            }
            api.context.note("released floating IP \(floating["floating_ip_address"]?.stringValue ?? id) of server \(server.id)")
        }
    }
}
