@testable import TMCloudSimulator

/// Drives a DecisionEngine second by second with a scripted compliance series and an
/// imaginary cloud that accepts every change, so that each rule can be watched alone.
struct EngineHarness {
    var engine: DecisionEngine
    var time = 0.0
    var actions: [(time: Double, action: EngineAction)] = []
    var events: [EngineEvent] = []
    /// The imaginary cloud: what the next status lists.
    var cloud: [CloudNode] = []
    var nextID = 100
    /// Whether created nodes come back active at once (else pending until `activate`).
    var createActive = true

    init(_ configure: (inout PoolSettings) -> Void = { _ in }, choices: EngineChoices = EngineChoices()) {
        var settings = PoolSettings()
        settings.name = "web-"
        configure(&settings)
        engine = DecisionEngine(settings: settings, choices: choices)
    }

    static func node(_ id: String, _ name: String, _ status: String = "active", image: String? = nil, size: String? = nil)
        -> CloudNode
    {
        CloudNode(
            uniqID: id, name: name, status: status, publicIP: "203.0.113.\(id.suffix(2))",
            privateIP: "10.0.0.\(id.suffix(2))", imageID: image, sizeID: size)
    }

    mutating func status() {
        engine.observeStatus(cloud, at: time)
        events += engine.drainEvents()
    }

    /// Runs `seconds` ticks at `compliance` percent (nil: no traffic at all).
    mutating func run(_ seconds: Int, compliance: Double?, statusEvery: Int = 0) {
        for _ in 0..<seconds {
            if let compliance {
                engine.recordTraffic(at: time, requests: 100, conforming: compliance)
            } else {
                engine.recordTraffic(at: time, requests: 0, conforming: 0)
            }
            if statusEvery > 0, Int(time) % statusEvery == 0 { status() }
            if let action = engine.decide(at: time) {
                actions.append((time, action))
                apply(action)
            }
            events += engine.drainEvents()
            time += 1
        }
    }

    mutating func apply(_ action: EngineAction) {
        switch action {
        case .create(let name):
            nextID += 1
            let node = Self.node("n\(nextID)", name, createActive ? "active" : "pending")
            cloud.append(node)
            engine.createSucceeded(name: name, node: node, at: time)
        case .destroy(let id, _):
            cloud.removeAll { $0.uniqID == id }
            engine.destroySucceeded(uniqID: id, at: time)
        }
    }

    func tags(_ tag: EventTag) -> [EngineEvent] { events.filter { $0.tag == tag } }
    var creates: [Double] { actions.compactMap { if case .create = $0.action { return $0.time } else { return nil } } }
    var destroys: [(Double, String)] {
        actions.compactMap { if case .destroy(let id, _) = $0.action { return ($0.time, id) } else { return nil } }
    }
}
