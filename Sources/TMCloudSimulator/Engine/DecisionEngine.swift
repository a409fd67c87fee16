/// The Traffic Manager's autoscaling decisions for one pool, as far as the public record
/// tells them (reference §4), with the simulator's documented choices where it does not.
///
/// Pure and time-injected: the caller feeds traffic samples, status results and the
/// outcome of each driver run, each with the simulated time, and asks for a decision.
/// Nothing here reads a clock or runs a process.
public struct DecisionEngine: Sendable {
    public let settings: PoolSettings
    public let choices: EngineChoices
    /// Nodes claimed for the pool, oldest first.
    public private(set) var nodes: [PoolNode] = []
    /// Simulated time of the last change started (create or destroy issued).
    public private(set) var lastChange: Double?
    /// Simulated time of the last second that carried traffic.
    public private(set) var lastTraffic: Double
    private var window: ComplianceWindow
    private var events: [EngineEvent] = []
    private var random: SimulationRandom
    private var nextSequence = 1
    /// The direction wanted (+1 grow, -1 shrink, 0 none) and since when.
    private var condition: (direction: Int, since: Double) = (0, 0)
    /// Waiting events already logged in the current condition, with their time.
    private var logged: [EventTag: Double] = [:]
    private var reportedMismatch: Set<String> = []
    private var trafficNow = false

    public init(settings: PoolSettings, choices: EngineChoices = EngineChoices(), seed: UInt64 = 1, start: Double = 0) {
        self.settings = settings
        self.choices = choices
        window = ComplianceWindow(length: choices.measurementWindow)
        random = SimulationRandom(seed: seed ^ 0x5EED)
        lastTraffic = start
    }

    // MARK: - Inputs

    /// One second (or any slice) of traffic: how many requests came, and how many were
    /// answered within `response_time`.
    public mutating func recordTraffic(at time: Double, requests: Double, conforming: Double) {
        window.record(at: time, requests: requests, conforming: conforming)
        trafficNow = requests > 0
        if requests > 0 { lastTraffic = time }
    }

    /// The conforming share in percent over the measurement window; 100 when no request
    /// arrived (nothing was late).
    public func compliance(at time: Double) -> Double {
        window.percent(at: time) ?? 100
    }

    /// Takes the events raised since the last call.
    public mutating func drainEvents() -> [EngineEvent] {
        defer { events.removeAll() }
        return events
    }

    public var counts: PoolCounts {
        var c = PoolCounts()
        for node in nodes {
            switch node.state {
            case .pending: c.pending += 1
            case .active: c.active += 1
            case .destroying: c.destroying += 1
            }
            if node.isInPool { c.inPool += 1 }
        }
        return c
    }

    /// `ip:port` of every node serving in the pool.
    public var poolAddresses: [String] {
        nodes.compactMap { node in node.isInPool ? address(of: node).map { "\($0):\(settings.port)" } : nil }
    }

    // MARK: - Deciding

    /// Brings pool membership up to date and returns the one change wanted now, if any.
    /// The caller runs it through the driver and reports the outcome.
    public mutating func decide(at time: Double) -> EngineAction? {
        updateMembership(at: time)
        let count = counts.counted

        if count < settings.minNodes {
            guard outsideRefractory(at: time) else { return nil }
            raise(time, .poolTooSmall, message: "\(count) nodes, min_nodes is \(settings.minNodes): adding one")
            return startCreate(at: time)
        }
        if count > settings.maxNodes {
            guard outsideRefractory(at: time), let victim = chooseVictim() else { return nil }
            raise(time, .poolTooBig, message: "\(count) nodes, max_nodes is \(settings.maxNodes): removing one")
            return startDestroy(victim, at: time)
        }
        if count == 0 && trafficNow {
            guard outsideRefractory(at: time) else { return nil }
            raise(time, .resuscitatePool, message: "traffic arrived at an empty pool: adding a node")
            return startCreate(at: time)
        }

        let percent = compliance(at: time)
        let direction = percent < settings.scaleUpLevel ? 1 : (percent > settings.scaleDownLevel ? -1 : 0)
        if direction != condition.direction {
            condition = (direction, time)
            logged.removeAll()
        }
        guard direction != 0 else { return nil }
        let shown = (percent * 10).rounded() / 10

        if time - condition.since < settings.hysteresis {
            let tag: EventTag = direction > 0 ? .hysteresisCantGrow : .hysteresisCantShrink
            waiting(time, tag, "\(shown)% conforming; waiting for hysteresis of \(Int(settings.hysteresis)) s")
            return nil
        }
        if direction > 0 {
            if count >= settings.maxNodes {
                waiting(time, .hitRoof, "\(shown)% conforming but the pool is at max_nodes (\(settings.maxNodes))")
                return nil
            }
        } else {
            if count == 0 {
                if settings.minNodes > 0 { waiting(time, .cannotShrinkEmptyPool, "no nodes to remove") }
                return nil
            }
            if count <= settings.minNodes {
                waiting(time, .hitFloor, "\(shown)% conforming but the pool is at min_nodes (\(settings.minNodes))")
                return nil
            }
            if count == 1 && time - lastTraffic < settings.lastNodeIdleTime {
                waiting(
                    time, .hitFloor,
                    "the last node is kept until idle for last_node_idle_time (\(Int(settings.lastNodeIdleTime)) s)")
                return nil
            }
        }
        guard outsideRefractory(at: time) else {
            let left = Int((settings.refractory - (time - (lastChange ?? time))).rounded(.up))
            waiting(time, .refractory, "a change is wanted; \(left) s of the refractory period left")
            return nil
        }
        if direction > 0 { return startCreate(at: time) }
        guard let victim = chooseVictim() else { return nil }
        return startDestroy(victim, at: time)
    }

    private func outsideRefractory(at time: Double) -> Bool {
        guard let lastChange else { return true }
        return time - lastChange >= settings.refractory
    }

    // MARK: - Changes

    private mutating func startCreate(at time: Double) -> EngineAction {
        let name = newNodeName()
        lastChange = time
        logged.removeAll()
        nodes.append(PoolNode(uniqID: "", name: name, state: .pending, trackedSince: time, createdByEngine: true))
        raise(time, .autoNodeCreationStarted, node: name, message: "createnode \(name)")
        return .create(name: name)
    }

    private mutating func startDestroy(_ index: Int, at time: Double) -> EngineAction {
        lastChange = time
        logged.removeAll()
        var node = nodes[index]
        node.stateBeforeDestroy = node.state
        node.state = .destroying
        node.destroyIssuedAt = time
        if node.isInPool {
            node.joinedAt = nil
            raise(time, .poolConfUpdate, node: node.name, message: "removed from the pool")
        }
        nodes[index] = node
        raise(time, .autoNodeDestroyed, node: node.name, message: "destroynode \(node.uniqID)")
        return .destroy(uniqID: node.uniqID, name: node.name)
    }

    /// The node to remove, by `destroy_order`. Nodes whose id is unknown cannot be destroyed.
    private func chooseVictim() -> Int? {
        let candidates = nodes.indices.filter { nodes[$0].state != .destroying && !nodes[$0].uniqID.isEmpty }
        let newestFirst = candidates.sorted { (nodes[$0].trackedSince, $0) > (nodes[$1].trackedSince, $1) }
        switch choices.destroyOrder {
        case .newest: return newestFirst.first
        case .oldest: return newestFirst.last
        case .pendingFirst: return newestFirst.first { nodes[$0].state == .pending } ?? newestFirst.first
        }
    }

    private mutating func newNodeName() -> String {
        let taken = Set(nodes.map(\.name))
        while true {
            let suffix: String
            switch choices.nameSuffix {
            case .counter:
                let digits = String(nextSequence)
                suffix = String(repeating: "0", count: max(0, 4 - digits.count)) + digits
                nextSequence += 1
            case .random:
                let hex = String(random.next() & 0xFF_FFFF, radix: 16)
                suffix = String(repeating: "0", count: 6 - hex.count) + hex
            }
            let name = settings.name + suffix
            if !taken.contains(name) { return name }
        }
    }

    // MARK: - Outcomes of driver runs

    /// createnode succeeded; `node` is what the driver returned, when it returned one.
    public mutating func createSucceeded(name: String, node: CloudNode?, at time: Double) {
        guard let index = nodes.firstIndex(where: { $0.name == name && $0.uniqID.isEmpty }) else { return }
        if let node {
            nodes[index].uniqID = node.uniqID
            nodes[index].publicIP = node.publicIP
            nodes[index].privateIP = node.privateIP
            if node.isActive { markActive(index, at: time) }
        }
    }

    /// createnode failed or hung. The node is forgotten; if the cloud made it anyway, the
    /// next status adopts it by its name.
    public mutating func createFailed(name: String, hung: Bool, reason: String, at time: Double) {
        nodes.removeAll { $0.name == name && $0.uniqID.isEmpty }
        raise(time, hung ? .changeProcessHanging : .changeProcessFailure, node: name, message: "createnode: \(reason)")
    }

    /// destroynode was accepted; the node leaves when status no longer lists it.
    public mutating func destroySucceeded(uniqID: String, at time: Double) {}

    /// destroynode failed or hung: the node is back as it was, and may be chosen again.
    public mutating func destroyFailed(uniqID: String, hung: Bool, reason: String, at time: Double) {
        guard let index = nodes.firstIndex(where: { $0.uniqID == uniqID }) else { return }
        nodes[index].state = nodes[index].stateBeforeDestroy ?? .active
        nodes[index].stateBeforeDestroy = nil
        raise(
            time, hung ? .changeProcessHanging : .changeProcessFailure, node: nodes[index].name,
            message: "destroynode: \(reason)")
    }

    // MARK: - Shared with the status side

    mutating func raise(_ time: Double, _ tag: EventTag, node: String? = nil, message: String) {
        events.append(EngineEvent(time: time, tag: tag, node: node, message: message))
    }

    /// Logs a waiting event once per condition, then every `repeat_events_every` seconds
    /// when that is above 0.
    private mutating func waiting(_ time: Double, _ tag: EventTag, _ message: String) {
        if let at = logged[tag], choices.repeatEventsEvery <= 0 || time - at < choices.repeatEventsEvery { return }
        logged[tag] = time
        raise(time, tag, message: message)
    }

    mutating func markActive(_ index: Int, at time: Double) {
        guard nodes[index].activeSince == nil else { return }
        nodes[index].state = .active
        nodes[index].activeSince = time
        raise(time, .autoNodeCreationComplete, node: nodes[index].name, message: "node is active")
    }

    func address(of node: PoolNode) -> String? {
        let ip = settings.ipsToUse == .publicIPs ? node.publicIP : node.privateIP
        return ip.isEmpty ? nil : ip
    }

    /// Adds active nodes to the pool once `addnode_delaytime` has passed since they became
    /// active and the address `ips_to_use` names is known.
    mutating func updateMembership(at time: Double) {
        for index in nodes.indices {
            let node = nodes[index]
            guard node.state == .active, !node.isInPool, let since = node.activeSince,
                time - since >= settings.addNodeDelayTime
            else { continue }
            guard let ip = address(of: node) else {
                if noteMismatch("noaddress:" + node.name) {
                    let kind = settings.ipsToUse == .publicIPs ? "public" : "private"
                    raise(time, .autoNodeStatusChange, node: node.name, message: "active without a \(kind) IP: not added yet (ips_to_use)")
                }
                continue
            }
            nodes[index].joinedAt = time
            raise(time, .poolConfUpdate, node: node.name, message: "added \(ip):\(settings.port) to the pool")
        }
    }

    mutating func removeNode(at index: Int, _ tag: EventTag, message: String, at time: Double) {
        let node = nodes.remove(at: index)
        if node.isInPool { raise(time, .poolConfUpdate, node: node.name, message: "removed from the pool") }
        raise(time, tag, node: node.name, message: message)
    }

    mutating func adopt(_ node: PoolNode) { nodes.append(node) }

    /// A destroyed node the cloud still lists as running after `destroy_confirm_time`
    /// counts again, so that the pool's size is corrected once more.
    mutating func reinstateIfStuck(_ index: Int, at time: Double) {
        guard nodes[index].state == .destroying, let issued = nodes[index].destroyIssuedAt,
            time - issued >= choices.destroyConfirmTime
        else { return }
        nodes[index].state = nodes[index].stateBeforeDestroy ?? .active
        nodes[index].stateBeforeDestroy = nil
        nodes[index].destroyIssuedAt = nil
        raise(
            time, .changeProcessFailure, node: nodes[index].name,
            message: "still running \(Int(time - issued)) s after destroynode; counted again")
    }
    mutating func update(_ index: Int, _ body: (inout PoolNode) -> Void) { body(&nodes[index]) }
    mutating func noteMismatch(_ key: String) -> Bool { reportedMismatch.insert(key).inserted }
}
