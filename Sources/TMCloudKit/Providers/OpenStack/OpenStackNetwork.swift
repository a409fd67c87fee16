import TMCloudJSON
import TMCloudTransport

/// Floating IPs from `floatingNetwork`: one per server, allocated on the server's
/// port once Nova has made it, recorded in the server's metadata, released on destroy.
///
/// Nova makes the port a while after `POST /servers`, and the driver is a fresh
/// process each poll, so the allocation is finished by whichever later `status` or
/// `createnode` first sees the server with a fixed address and no recorded floating
/// IP. That listing costs extra requests only while such work is pending.
struct OpenStackFloatingIPs {
    let api: OpenStackAPI
    let names: OpenStackNames
    let tag: String

    /// How the driver marks the floating IPs it allocates, so that it releases only
    /// its own.
    func description(for serverID: String) -> String { "tmcloud \(tag) \(serverID)" }

    /// Whether the server still waits for its floating IP.
    static func isPending(_ server: OpenStackServer) -> Bool {
        guard server.metadata[OpenStackMetadata.floatingIPID] == nil, server.floatingIPv4.isEmpty,
            !server.fixedIPv4.isEmpty
        else { return false }
        let phase = OpenStackProvider.phases[server.status.uppercased()]
        return server.taskState != "deleting" && (phase == .building || phase == .running)
    }

    /// Gives the server a floating IP when its port exists; returns the metadata to
    /// record (id and address), or nil when the port is not there yet.
    func attach(to server: OpenStackServer, networkKey: String) throws(DriverError) -> [String: String]? {
        let floatingNetwork = try names.networkID(api.context.config.string(networkKey) ?? "", key: networkKey)
        let ports = try api.list(
            .network, "ports?device_id=" + OpenStackURL.encode(server.id), key: "ports",
            doing: "looking up the ports of server \(server.id)")
        guard let port = choosePort(ports), let portID = port["id"]?.stringValue else {
            api.context.note("server \(server.id) has no port yet: its floating IP comes on a later run")
            return nil
        }
        // A floating IP may be on the port already: a run that allocated it and ended
        // before it wrote the metadata, or one associated by hand (which is recorded
        // for its address only, so that destroy does not release it).
        let existing = try api.list(
            .network, "floatingips?port_id=" + OpenStackURL.encode(portID), key: "floatingips",
            doing: "looking up the floating IPs of port \(portID)")
        let floating: JSONValue
        if let found = existing.first {
            floating = found
        } else {
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
            floating = reply["floatingip"] ?? .null
            api.context.note("allocated floating IP \(floating["floating_ip_address"]?.stringValue ?? "?") for server \(server.id)")
        }
        guard let id = floating["id"]?.scalarText, let address = floating["floating_ip_address"]?.stringValue else {
            throw .malformed("the floating IP of port \(portID) has no id or address")
        }
        var record = [OpenStackMetadata.floatingIPAddress: address]
        if floating["description"]?.stringValue == description(for: server.id) {
            record[OpenStackMetadata.floatingIPID] = id
        } else {
            record[OpenStackMetadata.floatingIPID] = "-"
        }
        let metadata: JSONValue = ["metadata": .object(JSONObject(pairs: record.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))]
        // Merging metadata items is idempotent: safe to resend.
        let response = try api.send(.post, .compute, "servers/\(server.id)/metadata", body: metadata, retryable: true)
        guard response.isSuccess else {
            throw OpenStackError.reply(response, doing: "recording the floating IP of server \(server.id)")
        }
        return record
    }

    /// The port for the floating IP: the first one with an IPv4 address on the first
    /// configured network, else the first with an IPv4 address.
    private func choosePort(_ ports: [JSONValue]) -> JSONValue? {
        let withIPv4 = ports.filter { port in
            (port["fixed_ips"]?.arrayValue ?? []).contains {
                OpenStackServer.isIPv4($0["ip_address"]?.stringValue ?? "")
            }
        }
        let networks = api.context.config.list("network").compactMap { api.resolved("network:" + $0) ?? $0 }
        if let first = networks.first, let port = withIPv4.first(where: { $0["network_id"]?.stringValue == first }) {
            return port
        }
        return withIPv4.first
    }

    /// Releases the floating IP the driver allocated for a server, if it did.
    ///
    /// The id is in the server's metadata; a floating IP allocated by a run that
    /// ended before it wrote the metadata is found by its address and description.
    func release(for server: OpenStackServer) throws(DriverError) {
        var id = server.metadata[OpenStackMetadata.floatingIPID]
        if id == "-" { return }
        if id == nil, let address = server.floatingIPv4.first {
            let found = try api.list(
                .network, "floatingips?floating_ip_address=" + OpenStackURL.encode(address), key: "floatingips",
                doing: "looking up floating IP \(address)")
            id = found.first { $0["description"]?.stringValue == description(for: server.id) }?["id"]?.scalarText
        }
        guard let id else { return }
        let response = try api.send(.delete, .network, "floatingips/\(id)")
        guard response.isSuccess || response.status == 404 else {
            throw OpenStackError.reply(response, doing: "releasing floating IP \(id) of server \(server.id)")
        }
        api.context.note("released floating IP \(id) of server \(server.id)")
    }
}
