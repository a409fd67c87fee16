import Glibc
import Synchronization

/// A clock that only moves when told to, shared by the emulators and the simulator.
///
/// Emulators never schedule timers: every state change (a droplet booting, a token
/// expiring) is worked out from the time of the request that observes it, so
/// advancing this clock between two requests is all it takes to let time pass.
public final class VirtualClock: Sendable {
    private let seconds: Mutex<Double>

    /// `now` is in seconds since the Unix epoch; the default is 2026-11-23T10:00:00Z.
    public init(now: Double = 1_795_428_000) {
        seconds = Mutex(now)
    }

    public var now: Double { seconds.withLock { $0 } }

    public func advance(by interval: Double) {
        seconds.withLock { $0 += interval }
    }

    public func set(to epochSeconds: Double) {
        seconds.withLock { $0 = epochSeconds }
    }
}

/// Where an emulator reads the time: a shared virtual clock, or the wall clock when it
/// serves on its own.
public enum TimeSource: Sendable {
    case real
    case virtual(VirtualClock)

    public var now: Double {
        switch self {
        case .real: return WallClock.now
        case .virtual(let clock): return clock.now
        }
    }
}

/// Real time, for latency measurements and standalone serving.
enum WallClock {
    static var now: Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// Monotonic seconds, for measuring how long a request took.
    static var monotonic: Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    static func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
    }
}
