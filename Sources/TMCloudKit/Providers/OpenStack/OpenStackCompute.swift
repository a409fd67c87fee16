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
    /// The driver's own metadata (`OpenStackMetadata`), the rest of it unread.
    var tag: String?
    var metadataImageID: String?
    var metadataSizeID: String?
    /// IPv4 addresses by `OS-EXT-IPS:type`, in the order Nova lists them.
    var fixedIPv4: [String] = []
    var floatingIPv4: [String] = []
    var accessIPv4: String
    var created: String
    var imageID: String
    var flavorID: String
    var fault: String?

    /// The members `init` reads, in one pass over the server.
    private static let keys = JSONKeys([
        "id", "name", "status", "OS-EXT-STS:task_state", "progress", "metadata", "accessIPv4", "created", "image",
        "flavor", "fault", "addresses",
    ])
    private static let metadataKeys = JSONKeys([
        "tmcloud_tag", "tmcloud_imageid", "tmcloud_sizeid",  // OpenStackMetadata's keys, in this order
    ])
    private static let addressKeys = JSONKeys(["addr", "version", "OS-EXT-IPS:type"])

    init?(_ json: JSONView) {
        // One pass over the server's members; a listing holds up to 1,000 of them a page.
        let f = json.fields(Self.keys)
        guard let id = f[0]?.scalarText, !id.isEmpty else { return nil }
        self.id = id
        name = f[1]?.stringValue ?? ""
        status = f[2]?.stringValue ?? "UNKNOWN"
        taskState = f[3]?.stringValue
        progress = Int(f[4]?.intValue ?? 0)
        // Of a key given twice, the last scalar counts.
        var metadata: (String?, String?, String?)
        f[5]?.forEachMember(named: Self.metadataKeys) { key, value in
            guard let text = value.scalarText else { return }
            switch key {
            case 0: metadata.0 = text
            case 1: metadata.1 = text
            default: metadata.2 = text
            }
        }
        (tag, metadataImageID, metadataSizeID) = metadata
        accessIPv4 = f[6]?.stringValue ?? ""
        created = Timestamp.normalize(f[7]?.stringValue)
        // `image` is "" for a server booted from a volume; from microversion 2.47 the
        // flavor is embedded with its `original_name` instead of an id.
        imageID = f[8]?["id"]?.scalarText ?? ""
        flavorID = f[9]?["id"]?.scalarText ?? f[9]?["original_name"]?.stringValue ?? ""
        fault = f[10]?["message"]?.stringValue
        if let addresses = f[11] {
            for entries in addresses.memberValues {
                for entry in entries.elements { addAddress(entry) }
            }
        }
    }

    /// One entry of `addresses` (by network), when it is an IPv4 address.
    private mutating func addAddress(_ entry: JSONView) {
        let e = entry.fields(Self.addressKeys)
        guard let address = e[0]?.stringValue, Self.isIPv4(address) else { return }
        if e[1]?.intValue.map({ $0 != 4 }) ?? false { return }
        // The type says which addresses are floating; a floating IP may well be in a
        // private range. Only without it does the range decide.
        let floating: Bool
        if let type = e[2], type.isString {
            floating = type.isString("floating")
        } else {
            floating = !Self.isPrivate(address)
        }
        if floating { floatingIPv4.append(address) } else { fixedIPv4.append(address) }
    }

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
            privateIP: privateIP, created: created, imageID: metadataImageID ?? imageID,
            sizeID: metadataSizeID ?? flavorID)
        // The floating addresses, which a destroy soon after this listing releases.
        return CloudNode(record, condition: state.condition, hint: floatingIPv4.joined(separator: ","))
    }

    /// Whether the server will never need (or keep) a floating IP: it failed or is
    /// going away.
    var isEnding: Bool {
        let phase = OpenStackProvider.phase(of: status)
        return taskState == "deleting" || phase == .failed || phase == .gone
    }

    static func isIPv4(_ text: String) -> Bool { address(text) != nil }

    /// A dotted quad (each part 0...255, no sign, no empty part) as its 32 bits; read
    /// as bytes, since every address of a 1,000-server listing passes through here.
    static func address(_ text: String) -> UInt32? {
        var text = text
        return text.withUTF8(address)
    }

    private static func address(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var address: UInt32 = 0
        var parts = 0
        var value = -1
        for b in bytes {
            if b == UInt8(ascii: ".") {
                guard value >= 0, parts < 3 else { return nil }
                address = address << 8 | UInt32(value)
                parts += 1
                value = -1
            } else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                value = (value < 0 ? 0 : value * 10) + Int(b - UInt8(ascii: "0"))
                guard value <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard value >= 0, parts == 3 else { return nil }
        return address << 8 | UInt32(value)
    }

    /// RFC 1918, shared (RFC 6598) and link-local ranges.
    static func isPrivate(_ address: String) -> Bool {
        guard let bits = Self.address(address) else { return false }
        switch (bits >> 24, bits >> 16 & 0xFF) {
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
