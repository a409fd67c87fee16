/// How a back-end node answers: a capacity and a response time at idle, with response
/// times that grow as the node nears saturation.
///
/// Each node is an M/M/1-like queue whose mean response time is `baseLatency / (1 - ρ)`,
/// ρ = offered load / capacity, and whose response times are exponentially distributed
/// around that mean. The share answered within a target t is then
/// `1 - exp(-t (1 - ρ) / baseLatency)`, which is the M/M/1 law `1 - exp(-(μ - λ) t)` in units
/// where one request at idle takes `baseLatency`. A saturated node (ρ ≥ 1) answers
/// practically nothing in time.
public struct NodeModel: Sendable, Equatable {
    /// Requests per second one node can serve at most.
    public var capacity: Double
    /// Mean response time in milliseconds of an idle node.
    public var baseLatency: Double

    public init(capacity: Double = 100, baseLatency: Double = 200) {
        self.capacity = capacity
        self.baseLatency = baseLatency
    }

    /// What `nodes` serving nodes make of `rps` requests per second, spread evenly.
    public func serve(rps: Double, nodes: Int, targetMilliseconds: Double) -> ServiceLevel {
        guard rps > 0 else { return ServiceLevel(utilisation: 0, conforming: 1, meanLatency: 0) }
        guard nodes > 0, capacity > 0 else { return ServiceLevel(utilisation: .infinity, conforming: 0, meanLatency: .infinity) }
        let rho = rps / (Double(nodes) * capacity)
        guard rho < 1 else { return ServiceLevel(utilisation: rho, conforming: 0, meanLatency: .infinity) }
        let headroom = 1 - rho
        let conforming = baseLatency <= 0 ? 1 : 1 - _exp(-targetMilliseconds * headroom / baseLatency)
        return ServiceLevel(utilisation: rho, conforming: conforming, meanLatency: baseLatency / headroom)
    }
}

/// The service a pool gives for one second of traffic.
public struct ServiceLevel: Sendable, Equatable {
    /// Offered load over total capacity (infinite with no serving node).
    public var utilisation: Double
    /// Share of requests answered within the target, 0...1.
    public var conforming: Double
    /// Mean response time in milliseconds (infinite when saturated).
    public var meanLatency: Double
}
