import Foundation

/// The three emulated clouds together, on one time source: what the simulator and
/// `tmcloud-sim serve` start.
public final class EmulatorSet: Sendable {
    /// How to start the set.
    public struct Options: Sendable {
        /// nil: real time (standalone serving); otherwise the simulator's clock.
        public var clock: VirtualClock?
        /// Fault plans by cloud name (`digitalocean`, `openstack`, `opsource`).
        public var faults: [String: FaultPlan] = [:]
        public var digitalOcean = DigitalOceanEmulator.Options()
        public var openStack = OpenStackEmulator.Options()
        public var opSource = OpSourceEmulator.Options()
        /// 0 picks free ports.
        public var digitalOceanPort: UInt16 = 0
        public var openStackPort: UInt16 = 0
        public var opSourcePort: UInt16 = 0
        /// Running nodes placed in each cloud's default pool by `serve` (benchmarks).
        public var seedNodes = 0
        /// Serve HTTPS with this certificate and key instead of HTTP, on the same ports.
        public var tls: TLSIdentity?

        public init(clock: VirtualClock? = nil) { self.clock = clock }

        /// Options with faults read from a `FaultSpec` text.
        public init(clock: VirtualClock? = nil, faultSpec: String) throws {
            self.clock = clock
            faults = try FaultSpec.parse(faultSpec)
        }
    }

    /// Where each emulator listens, once started.
    public struct Endpoints: Sendable, CustomStringConvertible {
        /// The DigitalOcean API base (`apiHost`), e.g. `http://127.0.0.1:40001`.
        public var digitalOcean: String
        /// The Keystone v3 URL (`authURL`).
        public var openStackAuthURL: String
        /// The OEC API base (`apiHost`).
        public var opSource: String

        public var description: String {
            "digitalocean \(digitalOcean)\nopenstack \(openStackAuthURL)\nopsource \(opSource)"
        }
    }

    public let digitalOcean: DigitalOceanEmulator
    public let openStack: OpenStackEmulator
    public let opSource: OpSourceEmulator
    private let options: Options

    public init(options: Options = Options()) {
        self.options = options
        let time: TimeSource = options.clock.map { .virtual($0) } ?? .real
        digitalOcean = DigitalOceanEmulator(time: time, options: options.digitalOcean, faults: options.faults["digitalocean"] ?? .none)
        openStack = OpenStackEmulator(time: time, options: options.openStack, faults: options.faults["openstack"] ?? .none)
        opSource = OpSourceEmulator(time: time, options: options.opSource, faults: options.faults["opsource"] ?? .none)
    }

    /// Starts all three on loopback and returns where they listen.
    @discardableResult
    public func start() throws -> Endpoints {
        do {
            try digitalOcean.start(port: options.digitalOceanPort, tls: options.tls)
            try openStack.start(port: options.openStackPort, tls: options.tls)
            try opSource.start(port: options.opSourcePort, tls: options.tls)
        } catch {
            stop()
            throw error
        }
        return endpoints
    }

    public func stop() {
        digitalOcean.stop()
        openStack.stop()
        opSource.stop()
    }

    public var endpoints: Endpoints {
        Endpoints(digitalOcean: digitalOcean.baseURL, openStackAuthURL: openStack.authURL, opSource: opSource.baseURL)
    }

    /// `count` running nodes named `node-N` in each cloud's default pool: droplets
    /// tagged `tmcloud`, OpenStack servers with `tmcloud_tag=tmcloud`, OEC servers on
    /// the first VLAN.
    public func seedDefaultPools(count: Int) {
        guard count > 0 else { return }
        digitalOcean.seedDroplets(count: count, namePrefix: "node", tag: "tmcloud")
        openStack.seedServers(count: count, namePrefix: "node", metadata: ["tmcloud_tag": "tmcloud"])
        opSource.seedServers(count: count, namePrefix: "node")
    }

    /// Everything that exists now, across the three clouds.
    public func inventories() -> [String: Inventory] {
        ["digitalocean": digitalOcean.inventory(), "openstack": openStack.inventory(), "opsource": opSource.inventory()]
    }

    /// The endpoints and the credentials to use with them, as `tmcloud` config lines.
    public var summary: String {
        let e = endpoints
        let d = options.digitalOcean
        let o = options.openStack
        let s = options.opSource
        let trust = options.tls == nil ? "" : "# HTTPS: add caFile with the CA that signed the certificate to each\n\n"
        return trust + """
            # DigitalOcean (cred2 = \(d.tokens.first ?? ""))
            provider digitalocean
            apiHost \(e.digitalOcean)
            region lon1
            # sizes: s-1vcpu-1gb s-1vcpu-2gb s-2vcpu-4gb; images: debian-12-x64 ubuntu-24-04-x64 140000201

            # OpenStack (cred2 = \(o.password); application credential \(o.applicationCredentialID) / \(o.applicationCredentialSecret))
            provider openstack
            authURL \(e.openStackAuthURL)
            username \(o.userName)
            project \(o.projectName)
            network private
            floatingNetwork public
            # flavors: 1 2 3 (m1.tiny m1.small m1.medium); images: debian-12 vtm-backend

            # OpSource OEC 0.9 (cred2 = \(s.password))
            provider opsource
            apiHost \(e.opSource)
            user \(s.userName)
            vlanID \(opSource.catalog.networks[0].id)
            # images: \(opSource.catalog.images.map(\.id).joined(separator: " "))
            """
    }

    /// Starts the three emulators in real time, prints where they listen and how to
    /// log in, then serves until the process is stopped. For `tmcloud-sim serve`.
    public static func serve(options: Options = Options()) throws -> Never {
        let set = EmulatorSet(options: options)
        set.seedDefaultPools(count: options.seedNodes)
        let endpoints = try set.start()
        print(endpoints.description)
        print("")
        print(set.summary)
        fflush(nil)
        while true { sleep(3600) }
    }
}
