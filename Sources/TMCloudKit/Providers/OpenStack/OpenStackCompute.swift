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

    init?(_ json: JSONValue) {
        guard let id = json["id"]?.scalarText, !id.isEmpty else { return nil }
        self.id = id
        name = json["name"]?.stringValue ?? ""
        status = json["status"]?.stringValue ?? "UNKNOWN"
        taskState = json["OS-EXT-STS:task_state"]?.stringValue
        progress = Int(json["progress"]?.intValue ?? 0)
        var metadata: [String: String] = [:]
        for (key, value) in json["metadata"]?.objectValue?.pairs ?? [] {
            if let text = value.scalarText { metadata[key] = text }
        }
        self.metadata = metadata
        accessIPv4 = json["accessIPv4"]?.stringValue ?? ""
        created = Timestamp.normalize(json["created"]?.stringValue)
        // `image` is "" for a server booted from a volume; from microversion 2.47 the
        // flavor is embedded with its `original_name` instead of an id.
        imageID = json["image"]?["id"]?.scalarText ?? ""
        flavorID = json["flavor"]?["id"]?.scalarText ?? json["flavor"]?["original_name"]?.stringValue ?? ""
        fault = json["fault"]?["message"]?.stringValue
        for (_, entries) in json["addresses"]?.objectValue?.pairs ?? [] {
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

    static func isIPv4(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }

    /// RFC 1918, shared (RFC 6598) and link-local ranges.
    static func isPrivate(_ address: String) -> Bool {
        let octets = address.split(separator: ".").compactMap { Int($0) }
        guard octets.count == 4 else { return false }
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
