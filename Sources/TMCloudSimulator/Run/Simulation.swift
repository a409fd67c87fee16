/// One run: steps simulated time, offers traffic to the nodes in the pool, feeds the
/// engine, runs the driver when the engine or the status schedule says so, and records
/// everything. The clock stands still while a driver run is in flight.
public final class Simulation {
    public let scenario: Scenario
    public let cloud: any CloudUnderTest
    public let clock: any SimulationClock
    public let driver: DriverRunner
    public weak var observer: (any SimulationObserver)?
    /// True against a real account: teardown touches only nodes this run created.
    public var ownsWholeCloud = true
    /// Asked once a simulated second; true ends the run early (it still tears down).
    public var shouldStop: () -> Bool = { false }

    private var engine: DecisionEngine
    private var result: SimulationResult
    private var random: SimulationRandom
    private var createdNames: Set<String> = []
    /// Running nodes of the pool in the last status the cloud gave.
    private var cloudCount: Int?
    private var outOfBoundsSince: Double?
    private var outOfBoundsReported = false
    private var reportedDuplicates: Set<String> = []
    private var vanished: Set<Int> = []

    public init(scenario: Scenario, cloud: any CloudUnderTest, clock: any SimulationClock) {
        self.scenario = scenario
        self.cloud = cloud
        self.clock = clock
        let transport: any DriverTransport =
            scenario.faults.isEmpty
            ? cloud.transport : FaultyTransport(cloud.transport, faults: scenario.faults, clock: clock, seed: scenario.seed)
        driver = DriverRunner(
            transport: transport, cloudCredentials: cloud.cloudCredentials, settings: scenario.settings,
            statusTimeout: scenario.choices.statusTimeout)
        engine = DecisionEngine(settings: scenario.settings, choices: scenario.choices, seed: scenario.seed)
        result = SimulationResult(scenario: scenario, cloudName: cloud.name, driverLabel: cloud.transport.label)
        random = SimulationRandom(seed: scenario.seed)
    }

    /// Seconds the pool may stay outside [min_nodes, max_nodes] before that counts as broken.
    public var convergenceAllowance: Double {
        let s = scenario.settings
        return max(600, 2 * s.refractory + 2 * s.updateInterval + scenario.bootTime)
    }

    public func run() -> SimulationResult {
        let wallStart = Self.monotonic()
        let start = clock.now
        let settings = scenario.settings
        let interval = scenario.effectiveTimelineInterval
        cloud.schedule(scenario.faults)

        var t = 0.0
        var nextStatus = 0.0
        var nextRow = 0.0
        var nextProgress = 0.0
        var rowRequests = 0.0
        var rowConforming = 0.0
        var rowSeconds = 0.0
        var rowDecisions: [String] = []
        // Seconds since the previous step: 1 on a virtual clock, possibly more in real time.
        var step = 1.0
        var lastRPS = 0.0

        while t < scenario.duration {
            if shouldStop() {
                result.interrupted = true
                break
            }
            // Traffic of this step, served by the nodes in the pool.
            let rps = scenario.load.sample(at: t, random: &random)
            lastRPS = rps
            let counts = engine.counts
            let level = scenario.node.serve(rps: rps, nodes: counts.inPool, targetMilliseconds: settings.responseTime)
            let requests = rps * step
            engine.recordTraffic(at: t, requests: requests, conforming: requests * level.conforming)
            result.requests += requests
            result.requestsWithinTarget += requests * level.conforming
            result.nodeSeconds += Double(counts.pending + counts.active + counts.destroying) * step
            rowRequests += requests
            rowConforming += requests * level.conforming
            rowSeconds += step

            removeVanishingNodes(at: t)
            if t >= nextStatus {
                pollStatus(at: t)
                nextStatus += settings.updateInterval
                if nextStatus <= t { nextStatus = t + settings.updateInterval }
            }
            if let action = engine.decide(at: t) {
                rowDecisions.append(perform(action, at: t))
            }
            checkBounds(at: t)
            flushEvents()

            if t >= nextRow {
                let now = engine.counts
                result.timeline.append(
                    TimelineRow(
                        time: t, rps: rowRequests / max(rowSeconds, 1), compliance: engine.compliance(at: t),
                        servedWithinTarget: rowRequests > 0 ? 100 * rowConforming / rowRequests : 100,
                        active: now.active, pending: now.pending, inPool: now.inPool,
                        decisions: rowDecisions.joined(separator: ";")))
                rowRequests = 0
                rowConforming = 0
                rowSeconds = 0
                rowDecisions.removeAll()
                nextRow += interval
            }
            if t >= nextProgress {
                observer?.progress(time: t, of: scenario.duration, rps: rps, compliance: engine.compliance(at: t), counts: engine.counts)
                nextProgress += 60
            }
            clock.advance(by: 1)
            let next = (clock.now - start).rounded(.down)
            step = max(1, next - t)
            t = next
        }
        result.simulatedSeconds = min(t, scenario.duration)
        observer?.progress(
            time: result.simulatedSeconds, of: scenario.duration, rps: lastRPS, compliance: engine.compliance(at: t),
            counts: engine.counts)
        teardown(at: t)
        result.driverStats = driver.stats
        result.apiCalls = cloud.apiCalls()
        result.wallSeconds = Self.monotonic() - wallStart
        return result
    }

    // MARK: - Driver runs

    private func pollStatus(at t: Double) {
        switch driver.status() {
        case .success(let nodes):
            checkDuplicates(nodes, at: t)
            cloudCount = nodes.filter { !$0.isDestroyed && engine.claim($0) == .claimed }.count
            engine.observeStatus(nodes, at: t)
        case .failure(let failure):
            record(EngineEvent(time: t, tag: failure.event(for: .status), message: "status: \(failure)"))
        }
    }

    private func perform(_ action: EngineAction, at t: Double) -> String {
        switch action {
        case .create(let name):
            createdNames.insert(name)
            switch driver.createNode(name: name) {
            case .success(let nodes):
                result.nodesCreated += 1
                engine.createSucceeded(name: name, node: nodes.first { $0.name == name } ?? nodes.first, at: t)
            case .failure(let failure):
                let hung: Bool
                if case .hung = failure { hung = true } else { hung = false }
                engine.createFailed(name: name, hung: hung, reason: failure.description, at: t)
            }
            return "create \(name)"
        case .destroy(let id, let name):
            switch driver.destroyNode(uniqID: id) {
            case .success:
                result.nodesDestroyed += 1
                engine.destroySucceeded(uniqID: id, at: t)
            case .failure(let failure):
                let hung: Bool
                if case .hung = failure { hung = true } else { hung = false }
                engine.destroyFailed(uniqID: id, hung: hung, reason: failure.description, at: t)
            }
            return "destroy \(name)"
        }
    }

    /// `vanish@T`: someone else deletes the pool's oldest running node, with the driver
    /// but behind the engine's back (the run is not counted), as an operator or the
    /// cloud itself might.
    private func removeVanishingNodes(at t: Double) {
        for (index, fault) in scenario.faults.timed.enumerated()
        where fault.kind == .vanish && fault.at <= t && !vanished.contains(index) {
            guard
                let victim = engine.nodes.filter({ $0.state == .active && !$0.uniqID.isEmpty })
                    .min(by: { $0.trackedSince < $1.trackedSince })
            else { continue }
            vanished.insert(index)
            _ = cloud.transport.execute(
                arguments: ["destroynode", "--cloudcreds=\(cloud.cloudCredentials)", "--id=\(victim.uniqID)"],
                timeout: scenario.settings.cloudAPITimeout)
        }
    }

    // MARK: - Invariants

    private func checkDuplicates(_ nodes: [CloudNode], at t: Double) {
        var byName: [String: [String]] = [:]
        for node in nodes where !node.isDestroyed && engine.claim(node) == .claimed {
            byName[node.name, default: []].append(node.uniqID)
        }
        for (name, ids) in byName where ids.count > 1 && reportedDuplicates.insert(name).inserted {
            violation("[\(SimTime.clock(t))] duplicate nodes for one name \(name): \(ids.sorted().joined(separator: ", "))")
        }
    }

    /// The pool as the cloud lists it must come back inside [min_nodes, max_nodes] within
    /// `convergenceAllowance`.
    private func checkBounds(at t: Double) {
        guard let count = cloudCount else { return }
        let s = scenario.settings
        guard count < s.minNodes || count > s.maxNodes else {
            outOfBoundsSince = nil
            outOfBoundsReported = false
            return
        }
        let since = outOfBoundsSince ?? t
        outOfBoundsSince = since
        if t - since >= convergenceAllowance && !outOfBoundsReported {
            outOfBoundsReported = true
            violation(
                "[\(SimTime.clock(t))] pool of \(count) nodes outside [\(s.minNodes), \(s.maxNodes)] for \(Int(t - since)) s")
        }
    }

    private func violation(_ text: String) { result.violations.append(text) }

    // For the teardown extension.
    var createdNameSet: Set<String> { createdNames }
    func noteViolation(_ text: String) { violation(text) }
    func recordTeardown(_ event: EngineEvent) { record(event) }
    func noteTeardown(destroyed: Int, leftovers: [String]) {
        result.teardownDestroyed = destroyed
        result.leftovers = leftovers
    }

    private func flushEvents() {
        for event in engine.drainEvents() { record(event) }
    }

    private func record(_ event: EngineEvent) {
        result.events.append(event)
        observer?.event(event)
    }

    static func monotonic() -> Double { ProcessClock.monotonic() }
}
