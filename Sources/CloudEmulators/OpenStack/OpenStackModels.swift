import TMCloudJSON

struct OSToken: Sendable {
    var value: String
    var issuedAt: Double
    var expiresAt: Double
    var methods: [String]
    var scoped: Bool
}

struct OSNetwork: Sendable {
    var id: String
    var name: String
    var external: Bool
    var subnetID: String
    /// The first three octets of its /24, e.g. `10.0.0`.
    var prefix: String
}

struct OSFlavor: Sendable {
    var id: String
    var name: String
    var ram: Int
    var vcpus: Int
    var disk: Int
}

struct OSImage: Sendable {
    var id: String
    var name: String
    var status: String
}

struct NovaServer: Sendable {
    struct Fault: Sendable {
        var code: Int
        var message: String
        var created: Double
    }

    /// A power transition in progress.
    struct PendingTask: Sendable {
        var taskState: String
        var resultingVMState: String
        var completesAt: Double
    }

    var id: String
    var name: String
    var imageID: String
    var flavorID: String
    var networkIDs: [String]
    var metadata: JSONObject
    var keyName: String?
    var securityGroups: [String]
    var availabilityZone: String
    var createdAt: Double
    var updatedAt: Double
    var readyAt: Double
    var buildFails: Bool
    /// `building`, `active`, `stopped` or `error`.
    var vmState: String
    var pendingTask: PendingTask?
    var deleteRequestedAt: Double?
    var fault: Fault?
    var createdThroughAPI: Bool
}

struct NeutronPort: Sendable {
    var id: String
    var networkID: String
    var deviceID: String
    var macAddress: String
    var ipAddress: String
    var createdAt: Double
    /// Ports show up a little after the server is created.
    var visibleAt: Double
}

struct FloatingIP: Sendable {
    var id: String
    var address: String
    var networkID: String
    var portID: String?
    var fixedIP: String?
    var createdAt: Double
    var createdThroughAPI: Bool
    var description = ""
}

struct OpenStackState: Sendable {
    var tokens: [String: OSToken] = [:]
    var servers: [String: NovaServer] = [:] {
        didSet { newestFirst = nil }
    }
    /// `servers` in Nova's default order, sorted when first asked for after they last
    /// changed: sorting 1,000 servers for every page of a listing was a quarter of its
    /// cost. Any change to `servers` drops it, so it can never be stale.
    private var newestFirst: [NovaServer]?
    var ports: [String: NeutronPort] = [:]
    var floatingIPs: [String: FloatingIP] = [:]
    var nextHostNumber = 10
    var nextFloatingNumber = 10
    var random: SeededRandom

    init(random: SeededRandom) { self.random = random }

    /// Every server, newest first: created_at descending, then id descending.
    mutating func serversNewestFirst() -> [NovaServer] {
        if let newestFirst { return newestFirst }
        let sorted = servers.values.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        newestFirst = sorted
        return sorted
    }

    mutating func nextHost() -> Int {
        nextHostNumber += 1
        return nextHostNumber
    }
}

/// Networks, flavors, images, key pairs and security groups of the emulated project.
struct OpenStackCatalog: Sendable {
    var networks = [
        OSNetwork(id: "3c6a7e0c-1a4b-4f55-9b1e-0d1c6f5a7001", name: "private", external: false, subnetID: "b1e0c9a2-5d6f-4a3b-8c7d-00000000a001", prefix: "10.0"),
        OSNetwork(id: "3c6a7e0c-1a4b-4f55-9b1e-0d1c6f5a7002", name: "backend", external: false, subnetID: "b1e0c9a2-5d6f-4a3b-8c7d-00000000a002", prefix: "10.1"),
        OSNetwork(id: "3c6a7e0c-1a4b-4f55-9b1e-0d1c6f5a7003", name: "public", external: true, subnetID: "b1e0c9a2-5d6f-4a3b-8c7d-00000000a003", prefix: "172.24"),
    ]
    var flavors = [
        OSFlavor(id: "1", name: "m1.tiny", ram: 512, vcpus: 1, disk: 1),
        OSFlavor(id: "2", name: "m1.small", ram: 2048, vcpus: 1, disk: 20),
        OSFlavor(id: "3", name: "m1.medium", ram: 4096, vcpus: 2, disk: 40),
    ]
    var images = [
        OSImage(id: "6e1f1c2d-0a9b-4c8d-9e7f-000000000101", name: "debian-12", status: "active"),
        OSImage(id: "6e1f1c2d-0a9b-4c8d-9e7f-000000000102", name: "vtm-backend", status: "active"),
        OSImage(id: "6e1f1c2d-0a9b-4c8d-9e7f-000000000103", name: "retired-image", status: "deactivated"),
    ]
    var keyPairs = ["ops-key"]
    var securityGroups = ["default", "web"]

    func network(_ reference: String) -> OSNetwork? {
        networks.first { $0.id == reference } ?? networks.first { $0.name == reference }
    }

    func flavor(_ reference: String) -> OSFlavor? {
        let id = reference.split(separator: "/").last.map(String.init) ?? reference
        return flavors.first { $0.id == id }
    }

    func image(_ reference: String) -> OSImage? {
        let id = reference.split(separator: "/").last.map(String.init) ?? reference
        return images.first { $0.id == id }
    }
}
