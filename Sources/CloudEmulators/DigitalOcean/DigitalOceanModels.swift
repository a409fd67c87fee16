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
    /// The droplet as the API shows it, written straight into `json` (listings write
    /// hundreds per page); `catalog` holds the image, size and region documents.
    func write(to json: inout JSONOutput, catalog: DigitalOceanCatalog.Rendered) {
        json.object { o in
            o.field("id", id)
            o.field("name", name)
            o.field("memory", size.memory)
            o.field("vcpus", size.vcpus)
            o.field("disk", size.disk)
            o.field("locked", locked)
            o.field("status", status)
            o.key("kernel")
            o.null()
            o.key("created_at")
            o.timestamp(createdAt)
            o.key("features")
            o.array { features in
                features.string("private_networking")
                if ipv6 { features.string("ipv6") }
            }
            o.key("backup_ids")
            o.array { _ in }
            o.key("next_backup_window")
            o.null()
            o.key("snapshot_ids")
            o.array { _ in }
            o.key("image")
            o.raw(catalog.image(image))
            o.key("volume_ids")
            o.array { _ in }
            o.key("size")
            o.raw(catalog.size(size))
            o.field("size_slug", size.slug)
            o.key("networks")
            o.object(writeNetworks)
            o.key("region")
            o.raw(catalog.region(region))
            o.key("tags")
            o.array { list in
                for tag in tags { list.string(tag) }
            }
            o.field("vpc_uuid", vpcUUID)
        }
    }

    /// `{"v4": [private, public], "v6": [public if asked for]}`, empty while new.
    private func writeNetworks(_ o: inout JSONOutput) {
        let (high, low) = (ipSerial / 250, ipSerial % 250 + 2)
        o.key("v4")
        o.array { v4 in
            guard hasAddresses else { return }
            v4.object { address in
                address.field("ip_address", "10.110.\(high).\(low)")
                address.field("netmask", "255.255.0.0")
                address.field("gateway", "nil")
                address.field("type", "private")
            }
            v4.object { address in
                address.field("ip_address", "198.18.\(high).\(low)")
                address.field("netmask", "255.255.255.0")
                address.field("gateway", "198.18.\(high).1")
                address.field("type", "public")
            }
        }
        o.key("v6")
        o.array { v6 in
            guard hasAddresses, ipv6 else { return }
            v6.object { address in
                address.field("ip_address", "2001:db8:0:\(String(high, radix: 16))::\(String(low, radix: 16))")
                address.field("netmask", 64)
                address.field("gateway", "2001:db8::1")
                address.field("type", "public")
            }
        }
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
