#if canImport(Glibc)
import Glibc
#endif

/// The time everyone in a run agrees on: the simulator, the model or emulated cloud, and
/// (through the cloud's timestamps) the driver. Unix seconds.
public protocol SimulationClock: AnyObject {
    var now: Double { get }
    /// Moves time on. A virtual clock jumps; the wall clock sleeps.
    func advance(by seconds: Double)
}

/// A virtual clock that moves only when told: a day passes as fast as the work allows.
public final class ManualClock: SimulationClock, @unchecked Sendable {
    public private(set) var now: Double

    /// Starts at `start` (default 2026-11-23T00:00:00Z, a Monday).
    public init(start: Double = 1_795_392_000) { now = start }

    public func advance(by seconds: Double) { now += seconds }
}

/// Real time, for runs against a real account.
public final class WallClock: SimulationClock, @unchecked Sendable {
    public init() {}

    public var now: Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    public func advance(by seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}
