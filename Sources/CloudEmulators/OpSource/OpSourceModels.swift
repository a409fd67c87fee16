/// OEC 0.9 namespaces (see cloud-apis.md §1.2).
enum OECNamespace {
    static let base = "http://oec.api.opsource.net/schemas"
    static let server = base + "/server"
    static let general = base + "/general"
    static let directory = base + "/directory"
    static let network = base + "/network"
    static let datacenter = base + "/datacenter"
    static let organization = base + "/organization"
}

struct OECImage: Sendable {
    var id: String
    var name: String
    var osType: String
    var osDisplayName: String
    var cpuCount: Int
    var memoryMb: Int
    var osStorageGb: Int
    var location: String

    var resourcePath: String { "/oec/base/image/\(id)" }
}

struct OECNetwork: Sendable {
    var id: String
    var name: String
    var location: String
    /// The network's base address, e.g. `10.162.1.0`.
    var privateNet: String
}

struct OECServer: Sendable {
    /// An asynchronous operation on the server, finished or failed.
    struct Operation: Sendable {
        /// DEPLOY_SERVER, START_SERVER, SHUTDOWN_SERVER, POWER_OFF_SERVER, RESTART_SERVER, DELETE_SERVER.
        var action: String
        var requestTime: Double
        var completesAt: Double
        var userName: String
        var numberOfSteps: Int
        /// Set when it failed: the server stays locked with this reason.
        var failureReason: String?
        var failsOnCompletion: Bool
    }

    var id: String
    var name: String
    var description: String
    var image: OECImage
    var networkID: String
    var privateIP: String
    var machineName: String
    var isStarted: Bool
    /// What `isStarted` becomes when the deploy finishes.
    var startAfterDeploy: Bool
    var isDeployed: Bool
    var createdAt: Double
    var deployedAt: Double?
    var operation: Operation?
    var createdThroughAPI: Bool
    var deleteRequested: Bool

    var isBusy: Bool { operation != nil && operation?.failureReason == nil }
    var isLocked: Bool { operation?.failureReason != nil }
}

struct OpSourceState: Sendable {
    var servers: [OECServer] = []
    var nextHost = 10
    var random: SeededRandom
}

struct OpSourceCatalog: Sendable {
    var images = [
        OECImage(id: "52ed8b72-ebea-11df-bdc1-001517c46384", name: "RedHat 5.5 64-bit 1 CPU", osType: "UNIX", osDisplayName: "REDHAT5/64", cpuCount: 1, memoryMb: 2048, osStorageGb: 10, location: "NA1"),
        OECImage(id: "a4c8e2d0-5b7f-4e1a-9c3d-7f2e1b0a9d01", name: "Debian 12 64-bit 2 CPU", osType: "UNIX", osDisplayName: "DEBIAN12/64", cpuCount: 2, memoryMb: 4096, osStorageGb: 20, location: "NA1"),
    ]
    var networks = [
        OECNetwork(id: "53b4c05b-341e-4ac3-b688-bdd74e53ca9b", name: "backend-vlan", location: "NA1", privateNet: "10.162.1.0"),
        OECNetwork(id: "0ffd2bb0-0b5c-4f1e-8c5a-3a6b2f1e0d02", name: "test-vlan", location: "NA1", privateNet: "10.162.2.0"),
    ]

    func image(resourcePath: String) -> OECImage? {
        let id = resourcePath.split(separator: "/").last.map(String.init) ?? ""
        return images.first { $0.id == id }
    }

    /// Accepts `/oec/0.9/{org}/{networkId}`, `/oec/{org}/network/{networkId}` or a bare id.
    func network(resourcePath: String) -> OECNetwork? {
        let id = resourcePath.split(separator: "/").last.map(String.init) ?? ""
        return networks.first { $0.id == id }
    }
}
