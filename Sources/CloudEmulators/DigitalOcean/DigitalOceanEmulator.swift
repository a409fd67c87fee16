import Synchronization
import TMCloudJSON

/// DigitalOcean API v2: droplets, droplet actions, actions, and the catalog calls the
/// driver's `check` makes. State is kept in memory and moves on lazily from `time`.
public final class DigitalOceanEmulator: CloudEmulator {
    public struct Options: Sendable {
        /// Bearer tokens accepted.
        public var tokens: [String] = ["do-test-token"]
        /// Seconds from create until `active` (unless the fault plan draws boot times).
        public var bootDelay: Double = 20
        /// Seconds a droplet action (power on/off, rename...) stays in progress.
        public var actionDelay: Double = 5
        /// Seconds a deleted droplet stays listed after its 204 (0: gone at once).
        public var deleteDelay: Double = 0
        /// Requests per token within `rateLimitWindow` seconds of the time source.
        public var rateLimit: Int = 250
        public var rateLimitWindow: Double = 60
        /// Seed for ids and addresses.
        public var seed: UInt64 = 7
        public init() {}
    }

    public let core: EmulatorCore
    let catalog: DigitalOceanCatalog
    let renderedCatalog: DigitalOceanCatalog.Rendered
    let options: Mutex<Options>
    let state: Mutex<DOState>

    public init(time: TimeSource = .real, options: Options = Options(), faults: FaultPlan = .none) {
        core = EmulatorCore(name: "digitalocean", time: time, faults: faults)
        catalog = DigitalOceanCatalog()
        renderedCatalog = DigitalOceanCatalog.Rendered(catalog)
        self.options = Mutex(options)
        var initial = DOState(random: SeededRandom(seed: options.seed))
        initial.tokens = Set(options.tokens)
        state = Mutex(initial)
    }

    // MARK: - Admin API for tests and the simulator

    /// Adds `count` droplets that are already active (created before the test; not
    /// "created through the API"). Returns their ids.
    @discardableResult
    public func seedDroplets(
        count: Int, namePrefix: String = "seeded", tag: String? = nil, region: String = "lon1",
        size: String = "s-1vcpu-1gb", image: String = "debian-12-x64", status: String = "active"
    ) -> [Int] {
        guard let sizeEntry = catalog.size(size), let imageEntry = catalog.image(image),
              let regionEntry = catalog.region(region)
        else { preconditionFailure("seedDroplets: unknown size, image or region (\(size), \(image), \(region))") }
        let now = time.now
        return state.withLock { state in
            (0..<count).map { index in
                var droplet = makeDroplet(
                    state: &state, name: "\(namePrefix)-\(index + 1)", size: sizeEntry,
                    image: imageEntry, region: regionEntry,
                    tags: tag.map { [$0] } ?? [], now: now - 3600, throughAPI: false)
                droplet.status = status
                state.droplets[droplet.id] = droplet
                return droplet.id
            }
        }
    }

    public func setBootDelay(_ seconds: Double) { options.withLock { $0.bootDelay = seconds } }
    public func setActionDelay(_ seconds: Double) { options.withLock { $0.actionDelay = seconds } }
    public func setDeleteDelay(_ seconds: Double) { options.withLock { $0.deleteDelay = seconds } }

    /// Sets the per-token budget and forgets the requests counted so far.
    public func setRateLimit(_ limit: Int, window: Double = 60) {
        options.withLock {
            $0.rateLimit = limit
            $0.rateLimitWindow = window
        }
        state.withLock { $0.rateWindows = [:] }
    }

    public func addToken(_ token: String) { _ = state.withLock { $0.tokens.insert(token) } }
    public func revokeToken(_ token: String) { _ = state.withLock { $0.tokens.remove(token) } }

    /// The droplet as the API would show it now, or nil.
    public func droplet(id: Int) -> JSONValue? {
        let now = time.now
        return state.withLock { state in
            settle(&state, now: now)
            return state.droplets[id].map { dropletJSON($0) }
        }
    }

    public func inventory() -> Inventory {
        let now = time.now
        return state.withLock { state in
            settle(&state, now: now)
            return Inventory(items: state.droplets.values.sorted { $0.id < $1.id }.map {
                InventoryItem(
                    kind: "droplet", id: String($0.id), name: $0.name,
                    createdThroughAPI: $0.createdThroughAPI, destroyRequested: $0.destroyRequestedAt != nil)
            })
        }
    }

    // MARK: - Shared pieces

    /// `{"droplet": ...}`, or the droplet alone.
    func dropletDocument(_ droplet: DODroplet, wrapped: Bool = true) -> JSONOutput {
        var json = JSONOutput(capacity: 1500)
        if wrapped {
            json.object { o in
                o.key("droplet")
                droplet.write(to: &o, catalog: renderedCatalog)
            }
        } else {
            droplet.write(to: &json, catalog: renderedCatalog)
        }
        return json
    }

    /// The droplet as a value, for the admin API.
    private func dropletJSON(_ droplet: DODroplet) -> JSONValue {
        (try? JSONParser.parse(dropletDocument(droplet, wrapped: false).bytes)) ?? .null
    }

    func makeDroplet(
        state: inout DOState, name: String, size: DigitalOceanCatalog.Size, image: DigitalOceanCatalog.Image,
        region: DigitalOceanCatalog.Region, tags: [String], now: Double, throughAPI: Bool, ipv6: Bool = false,
        vpcUUID: String? = nil
    ) -> DODroplet {
        let id = state.nextDropletID
        state.nextDropletID += 1
        return DODroplet(
            id: id, name: name, size: size, image: image, region: region, tags: tags,
            vpcUUID: vpcUUID ?? "5a4981aa-9653-4bd1-bef5-d6bff52042e4", createdAt: now,
            status: "active", locked: false, ipSerial: state.allocateIPSerial(),
            createdThroughAPI: throughAPI, destroyRequestedAt: nil, ipv6: ipv6)
    }

    /// Applies every transition due by `now`: finished actions, finished deletes.
    func settle(_ state: inout DOState, now: Double) {
        let deleteDelay = options.withLock { $0.deleteDelay }
        let due = state.actions.values.filter { $0.status == "in-progress" && $0.completesAt <= now }
            .sorted { ($0.completesAt, $0.id) < ($1.completesAt, $1.id) }
        for action in due {
            var finished = action
            finished.status = "completed"
            if var droplet = state.droplets[action.resourceID] {
                droplet.locked = false
                switch action.effect {
                case .create(let fails):
                    if fails {
                        finished.status = "errored"
                        state.droplets[droplet.id] = nil
                        state.actions[action.id] = finished
                        continue
                    }
                    droplet.status = "active"
                case .powerOn, .reboot: droplet.status = "active"
                case .powerOff: droplet.status = "off"
                case .rename(let name): droplet.name = name
                }
                state.droplets[droplet.id] = droplet
            }
            state.actions[action.id] = finished
        }
        let deleted = state.droplets.values.filter { droplet in
            droplet.destroyRequestedAt.map { $0 + deleteDelay <= now } ?? false
        }
        for droplet in deleted { state.droplets[droplet.id] = nil }
    }

    static func error(_ status: Int, _ id: String, _ message: String) -> HTTPResponse {
        .json(status, ["id": .string(id), "message": .string(message), "request_id": "emulated"])
    }

    public func faultReply(_ fault: InjectedFault, for request: HTTPRequest) -> HTTPResponse {
        var reply: HTTPResponse
        switch fault {
        case .throttle(let retryAfter):
            reply = Self.error(429, "too_many_requests", "API Rate limit exceeded.")
            reply.setHeader("Retry-After", String(retryAfter))
        case .error(let status):
            reply = Self.error(status, "server_error", "Server was unable to give you a response.")
        default:
            reply = Self.error(500, "server_error", "Server was unable to give you a response.")
        }
        if let token = bearerToken(request) {
            let now = time.now
            state.withLock { state in
                for (name, value) in rateLimitHeaders(&state, token: token, now: now, counting: true).headers {
                    reply.setHeader(name, value)
                }
            }
        }
        return reply
    }

    func bearerToken(_ request: HTTPRequest) -> String? {
        guard let value = request.header("authorization"), value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst(7)).trimmingSpaces()
    }
}
