import TMCloudJSON

struct DODroplet: Sendable {
    var id: Int
    var name: String
    var size: DigitalOceanCatalog.Size
    var image: DigitalOceanCatalog.Image
    var region: DigitalOceanCatalog.Region
    var tags: [String]
    var vpcUUID: String
    var createdAt: Double
    /// `new`, `active`, `off` (errored builds are removed: see the README).
    var status: String
    var locked: Bool
    var ipSerial: Int
    var createdThroughAPI: Bool
    var destroyRequestedAt: Double?
    var ipv6: Bool

    var hasAddresses: Bool { status != "new" }
}

struct DOAction: Sendable {
    enum Effect: Sendable {
        case create(fails: Bool)
        case powerOn, powerOff, reboot
        case rename(String)
    }

    var id: Int
    var type: String
    /// `in-progress`, `completed` or `errored`.
    var status: String
    var startedAt: Double
    var completesAt: Double
    var resourceID: Int
    var region: DigitalOceanCatalog.Region
    var effect: Effect
}

struct DOState: Sendable {
    var droplets: [Int: DODroplet] = [:]
    var actions: [Int: DOAction] = [:]
    var nextDropletID = 512_000_001
    var nextActionID = 2_100_000_001
    var nextIPSerial = 0
    /// Request times per token inside the rate-limit window, oldest first.
    var rateWindows: [String: [Double]] = [:]
    var tokens: Set<String> = []
    var random: SeededRandom

    mutating func allocateIPSerial() -> Int {
        nextIPSerial += 1
        return nextIPSerial
    }
}

extension DODroplet {
    func json(catalog: DigitalOceanCatalog) -> JSONValue {
        var v4: [JSONValue] = []
        var v6: [JSONValue] = []
        if hasAddresses {
            let (high, low) = (ipSerial / 250, ipSerial % 250 + 2)
            v4.append([
                "ip_address": .string("10.110.\(high).\(low)"), "netmask": "255.255.0.0",
                "gateway": "nil", "type": "private",
            ])
            v4.append([
                "ip_address": .string("198.18.\(high).\(low)"), "netmask": "255.255.255.0",
                "gateway": .string("198.18.\(high).1"), "type": "public",
            ])
            if ipv6 {
                v6.append([
                    "ip_address": .string("2001:db8:0:\(String(high, radix: 16))::\(String(low, radix: 16))"),
                    "netmask": 64, "gateway": "2001:db8::1", "type": "public",
                ])
            }
        }
        return [
            "id": id.json, "name": .string(name), "memory": size.memory.json, "vcpus": size.vcpus.json,
            "disk": size.disk.json, "locked": .bool(locked), "status": .string(status),
            "kernel": nil, "created_at": .string(Timestamp.iso8601(createdAt)),
            "features": ipv6 ? ["private_networking", "ipv6"] : ["private_networking"],
            "backup_ids": [], "next_backup_window": nil, "snapshot_ids": [],
            "image": catalog.imageJSON(image), "volume_ids": [], "size": catalog.sizeJSON(size),
            "size_slug": .string(size.slug),
            "networks": ["v4": .array(v4), "v6": .array(v6)],
            "region": catalog.regionJSON(region), "tags": .strings(tags), "vpc_uuid": .string(vpcUUID),
        ]
    }
}

extension DOAction {
    var json: JSONValue {
        [
            "id": id.json, "status": .string(status), "type": .string(type),
            "started_at": .string(Timestamp.iso8601(startedAt)),
            "completed_at": status == "in-progress" ? .null : .string(Timestamp.iso8601(completesAt)),
            "resource_id": resourceID.json, "resource_type": "droplet",
            "region": ["name": .string(region.name), "slug": .string(region.slug), "available": .bool(region.available)],
            "region_slug": .string(region.slug),
        ]
    }
}
