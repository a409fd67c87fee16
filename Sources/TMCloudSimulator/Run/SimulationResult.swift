/// One row of the timeline.
public struct TimelineRow: Sendable, Equatable {
    /// Simulated seconds since the start.
    public var time: Double
    /// Mean offered load over the row's interval.
    public var rps: Double
    /// The engine's conforming percentage (its measurement window) at the row's time.
    public var compliance: Double
    /// Percent of the interval's requests answered within response_time.
    public var servedWithinTarget: Double
    public var active: Int
    public var pending: Int
    public var inPool: Int
    /// Changes started during the interval (`create NAME`, `destroy ID`), `;`-separated.
    public var decisions: String
}

/// What a run produced; the output writers turn it into files.
public struct SimulationResult: Sendable {
    public var scenario: Scenario
    public var cloudName: String
    public var driverLabel: String
    public var timeline: [TimelineRow] = []
    public var events: [EngineEvent] = []
    public var driverStats: [DriverAction: DriverActionStats] = [:]
    public var apiCalls: [String: Int]?
    public var requests = 0.0
    public var requestsWithinTarget = 0.0
    /// Seconds summed over every node that existed (pending, active or being destroyed).
    public var nodeSeconds = 0.0
    public var nodesCreated = 0
    public var nodesDestroyed = 0
    public var teardownDestroyed = 0
    public var leftovers: [String] = []
    /// Broken invariants, worded for people; the run exits non-zero when any.
    public var violations: [String] = []
    public var wallSeconds = 0.0
    public var simulatedSeconds = 0.0
    /// True when the run was stopped early (Ctrl-C); the teardown still ran.
    public var interrupted = false

    public var shareWithinTarget: Double { requests > 0 ? requestsWithinTarget / requests : 1 }
    public var nodeHours: Double { nodeSeconds / 3600 }
    public var passed: Bool { violations.isEmpty }

    public func eventCount(_ tag: EventTag) -> Int { events.reduce(0) { $0 + ($1.tag == tag ? 1 : 0) } }
}

/// Watches a run as it goes (the terminal progress display).
public protocol SimulationObserver: AnyObject {
    /// Called every simulated minute or so.
    func progress(time: Double, of duration: Double, rps: Double, compliance: Double, counts: PoolCounts)
    /// Called for each event as it happens.
    func event(_ event: EngineEvent)
}
