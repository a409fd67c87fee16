/// The share of requests answered within the target over a sliding window of
/// simulated seconds, weighted by request count.
public struct ComplianceWindow: Sendable {
    public var length: Double
    private var samples: [(time: Double, requests: Double, conforming: Double)] = []
    private var head = 0

    public init(length: Double) { self.length = length }

    public mutating func record(at time: Double, requests: Double, conforming: Double) {
        samples.append((time, max(0, requests), max(0, min(conforming, requests))))
        // Drop expired samples lazily, compacting now and then.
        while head < samples.count, samples[head].time <= time - length { head += 1 }
        if head > 4096 {
            samples.removeFirst(head)
            head = 0
        }
    }

    /// Percent of conforming requests in the window ending at `time`; nil when no request
    /// arrived in it.
    public func percent(at time: Double) -> Double? {
        var requests = 0.0
        var conforming = 0.0
        for sample in samples[head...] where sample.time > time - length && sample.time <= time {
            requests += sample.requests
            conforming += sample.conforming
        }
        guard requests > 0 else { return nil }
        return 100 * conforming / requests
    }
}
