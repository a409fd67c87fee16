import TMCloudJSON

/// Regions, sizes and images the emulated account can use.
struct DigitalOceanCatalog: Sendable {
    struct Region: Sendable {
        var slug: String
        var name: String
        var available: Bool
    }

    struct Size: Sendable {
        var slug: String
        var memory: Int
        var vcpus: Int
        var disk: Int
        var priceMonthly: Double
        var regions: [String]
        var available: Bool
    }

    struct Image: Sendable {
        var id: Int
        var slug: String?
        var name: String
        var distribution: String
        var type: String
        var regions: [String]
        var status: String
    }

    var regions: [Region] = [
        Region(slug: "lon1", name: "London 1", available: true),
        Region(slug: "fra1", name: "Frankfurt 1", available: true),
        Region(slug: "nyc3", name: "New York 3", available: true),
        Region(slug: "sfo2", name: "San Francisco 2", available: false),
    ]

    var sizes: [Size] = [
        Size(slug: "s-1vcpu-1gb", memory: 1024, vcpus: 1, disk: 25, priceMonthly: 6, regions: ["lon1", "fra1", "nyc3"], available: true),
        Size(slug: "s-1vcpu-2gb", memory: 2048, vcpus: 1, disk: 50, priceMonthly: 12, regions: ["lon1", "fra1", "nyc3"], available: true),
        Size(slug: "s-2vcpu-4gb", memory: 4096, vcpus: 2, disk: 80, priceMonthly: 24, regions: ["lon1", "nyc3"], available: true),
        Size(slug: "c-32", memory: 65536, vcpus: 32, disk: 400, priceMonthly: 952, regions: [], available: false),
    ]

    var images: [Image] = [
        Image(id: 130_000_101, slug: "debian-12-x64", name: "12 x64", distribution: "Debian", type: "base", regions: ["lon1", "fra1", "nyc3"], status: "available"),
        Image(id: 130_000_102, slug: "ubuntu-24-04-x64", name: "24.04 (LTS) x64", distribution: "Ubuntu", type: "base", regions: ["lon1", "fra1", "nyc3"], status: "available"),
        // A private snapshot: no slug, found by its numeric id.
        Image(id: 140_000_201, slug: nil, name: "vtm-backend-2026-11", distribution: "Debian", type: "snapshot", regions: ["lon1"], status: "available"),
    ]

    func region(_ slug: String) -> Region? { regions.first { $0.slug == slug } }
    func size(_ slug: String) -> Size? { sizes.first { $0.slug == slug } }

    /// By slug, or by numeric id given as a number or a string.
    func image(_ reference: String) -> Image? {
        if let id = Int(reference) { return images.first { $0.id == id } }
        return images.first { $0.slug == reference }
    }

    func regionJSON(_ region: Region) -> JSONValue {
        [
            "name": .string(region.name), "slug": .string(region.slug),
            "features": ["backups", "ipv6", "metadata", "install_agent", "storage"],
            "available": .bool(region.available),
            "sizes": .strings(sizes.filter { $0.regions.contains(region.slug) }.map(\.slug)),
        ]
    }

    func sizeJSON(_ size: Size) -> JSONValue {
        [
            "slug": .string(size.slug), "memory": size.memory.json, "vcpus": size.vcpus.json,
            "disk": size.disk.json, "transfer": 1.0, "price_monthly": .double(size.priceMonthly),
            "price_hourly": .double((size.priceMonthly / 672 * 100_000).rounded() / 100_000),
            "regions": .strings(size.regions), "available": .bool(size.available),
            "description": "Basic",
        ]
    }

    func imageJSON(_ image: Image) -> JSONValue {
        [
            "id": image.id.json, "name": .string(image.name), "distribution": .string(image.distribution),
            "slug": image.slug.map { .string($0) } ?? .null, "public": .bool(image.type == "base"),
            "regions": .strings(image.regions), "created_at": "2026-10-01T08:00:00Z",
            "type": .string(image.type), "min_disk_size": 20, "size_gigabytes": 2.5,
            "description": "", "tags": [], "status": .string(image.status), "error_message": "",
        ]
    }
}

extension DigitalOceanCatalog {
    /// Each image, size and region as JSON, written once: every droplet embeds all three.
    struct Rendered: Sendable {
        private let catalog: DigitalOceanCatalog
        private let images: [Int: [UInt8]]
        private let sizes: [String: [UInt8]]
        private let regions: [String: [UInt8]]

        init(_ catalog: DigitalOceanCatalog) {
            self.catalog = catalog
            images = Dictionary(uniqueKeysWithValues: catalog.images.map { ($0.id, JSONWriter.bytes(catalog.imageJSON($0))) })
            sizes = Dictionary(uniqueKeysWithValues: catalog.sizes.map { ($0.slug, JSONWriter.bytes(catalog.sizeJSON($0))) })
            regions = Dictionary(uniqueKeysWithValues: catalog.regions.map { ($0.slug, JSONWriter.bytes(catalog.regionJSON($0))) })
        }

        func image(_ image: Image) -> [UInt8] { images[image.id] ?? JSONWriter.bytes(catalog.imageJSON(image)) }
        func size(_ size: Size) -> [UInt8] { sizes[size.slug] ?? JSONWriter.bytes(catalog.sizeJSON(size)) }
        func region(_ region: Region) -> [UInt8] { regions[region.slug] ?? JSONWriter.bytes(catalog.regionJSON(region)) }
    }
}
