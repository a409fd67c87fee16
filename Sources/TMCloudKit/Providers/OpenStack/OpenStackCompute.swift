import TMCloudJSON
import TMCloudTransport

/// The server metadata keys the driver writes. Nova keeps them with the server, so
/// every Traffic Manager of a cluster (and every later run) reads the same facts.
enum OpenStackMetadata {
    /// The configuration's `tag`: `status` lists only servers that carry it.
    static let tag = "tmcloud_tag"
    /// `imageid` and `sizeid` as given at `createnode`, echoed by `status`.
    static let imageID = "tmcloud_imageid"
    static let sizeID = "tmcloud_sizeid"
}

/// One Nova server, as `GET /servers/detail` or `GET /servers/{id}` reports it.
struct OpenStackServer {
    var id: String
    var name: String
    var status: String
    var taskState: String?
    var progress: Int
    var metadata: [String: String]
    /// IPv4 addresses by `OS-EXT-IPS:type`, in the order Nova lists them.
    var fixedIPv4: [String] = []
    var floatingIPv4: [String] = []
    var accessIPv4: String
    var created: String
    var imageID: String
    var flavorID: String
    var fault: String?

    init?(_ json: JSONView) {
        // One pass over the server's members; a listing holds up to 1,000 of them a page.
        let f = json.fields([
            "id", "name", "status", "OS-EXT-STS:task_state", "progress", "metadata", "accessIPv4", "created", "image",
            "flavor", "fault", "addresses",
        ])
        guard let id = f[0]?.scalarText, !id.isEmpty else { return nil }
        self.id = id
        name = f[1]?.stringValue ?? ""
        status = f[2]?.stringValue ?? "UNKNOWN"
        taskState = f[3]?.stringValue
        progress = Int(f[4]?.intValue ?? 0)
        var metadata: [String: String] = [:]
        for (key, value) in f[5]?.members ?? [] {
            if let text = value.scalarText { metadata[key] = text }
        }
        self.metadata = metadata
        accessIPv4 = f[6]?.stringValue ?? ""
        created = Timestamp.normalize(f[7]?.stringValue)
        // `image` is "" for a server booted from a volume; from microversion 2.47 the
        // flavor is embedded with its `original_name` instead of an id.
        imageID = f[8]?["id"]?.scalarText ?? ""
        flavorID = f[9]?["id"]?.scalarText ?? f[9]?["original_name"]?.stringValue ?? ""
        fault = f[10]?["message"]?.stringValue
        for (_, entries) in f[11]?.members ?? [] {
            for entry in entries.arrayValue ?? [] {
                guard let address = entry["addr"]?.stringValue, Self.isIPv4(address) else { continue }
                if entry["version"]?.intValue.map({ $0 != 4 }) ?? false { continue }
                // The type says which addresses are floating; a floating IP may well be
                // in a private range. Only without it does the range decide.
                let floating =
                    entry["OS-EXT-IPS:type"]?.stringValue.map { $0 == "floating" } ?? !Self.isPrivate(address)
                if floating { floatingIPv4.append(address) } else { fixedIPv4.append(address) }
            }
        }
    }

    var tag: String? { metadata[OpenStackMetadata.tag] }

    var publicIP: String {
        floatingIPv4.first ?? accessIPv4
    }

    var privateIP: String { fixedIPv4.first ?? "" }

    /// The contract's node for this server.
    func node(needsFloatingIP: Bool) -> CloudNode {
        let addressKnown = !privateIP.isEmpty && (!needsFloatingIP || !publicIP.isEmpty)
        let state = OpenStackProvider.state(
            status: status, taskState: taskState, progress: progress, addressKnown: addressKnown, fault: fault)
        let record = NodeRecord(
            uniqID: id, name: name, status: state.status, complete: state.complete, publicIP: publicIP,
            privateIP: privateIP, created: created, imageID: metadata[OpenStackMetadata.imageID] ?? imageID,
            sizeID: metadata[OpenStackMetadata.sizeID] ?? flavorID)
        // The floating addresses, which a destroy soon after this listing releases.
        return CloudNode(record, condition: state.condition, hint: floatingIPv4.joined(separator: ","))
    }

    /// Whether the server will never need (or keep) a floating IP: it failed or is
    /// going away.
    var isEnding: Bool {
        let phase = OpenStackProvider.phases[status.uppercased()]
        return taskState == "deleting" || phase == .failed || phase == .gone
    }

    static func isIPv4(_ text: String) -> Bool { octets(text) != nil }

    /// The four numbers of a dotted quad (each 0...255, no sign, no empty part); read
    /// as bytes, since every address of a 1,000-server listing passes through here.
    static func octets(_ text: String) -> [Int]? {
        var octets: [Int] = []
        octets.reserveCapacity(4)
        var value = -1
        for b in text.utf8 {
            if b == UInt8(ascii: ".") {
                guard value >= 0, octets.count < 3 else { return nil }
                octets.append(value)
                value = -1
            } else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                value = (value < 0 ? 0 : value * 10) + Int(b - UInt8(ascii: "0"))
                guard value <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard value >= 0, octets.count == 3 else { return nil }
        octets.append(value)
        return octets
    }

    /// RFC 1918, shared (RFC 6598) and link-local ranges.
    static func isPrivate(_ address: String) -> Bool {
        guard let octets = octets(address) else { return false }
        switch (octets[0], octets[1]) {
        case (10, _), (192, 168), (169, 254): return true
        case (172, 16...31): return true
        case (100, 64...127): return true
        default: return false
        }
    }
}

/// What `POST /servers` is given.
struct OpenStackServerSpec {
    var name: String
    var imageRef: String
    var flavorRef: String
    var networkIDs: [String]
    var keyName: String?
    var securityGroups: [String]
    var availabilityZone: String?
    var userData: [UInt8]?
    var metadata: [(String, String)]

    var body: JSONValue {
        var server = JSONObject()
        server["name"] = .string(name)
        server["imageRef"] = .string(imageRef)
        server["flavorRef"] = .string(flavorRef)
        if !networkIDs.isEmpty {
            server["networks"] = .array(networkIDs.map { ["uuid": .string($0)] })
        }
        if let keyName { server["key_name"] = .string(keyName) }
        if !securityGroups.isEmpty {
            server["security_groups"] = .array(securityGroups.map { ["name": .string($0)] })
        }
        if let availabilityZone { server["availability_zone"] = .string(availabilityZone) }
        if let userData { server["user_data"] = .string(Base64.encode(userData)) }
        server["metadata"] = .object(JSONObject(pairs: metadata.map { ($0.0, .string($0.1)) }))
        return ["server": .object(server)]
    }
}
