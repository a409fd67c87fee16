#if canImport(Glibc)
import Glibc
#endif

/// Time as the retry loop sees it; injected so tests can check deadlines without waiting.
public protocol RetryClock: AnyObject {
    /// Monotonic seconds.
    func now() -> Double
    func sleep(_ seconds: Double)
    /// A uniform random number in 0..<1, for jitter.
    func random() -> Double
}

/// The real clock.
public final class SystemRetryClock: RetryClock {
    public init() {}
    public func now() -> Double { ProcessClock.seconds() }
    public func sleep(_ seconds: Double) {
        guard seconds > 0 else { return }
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
    public func random() -> Double { Double.random(in: 0..<1) }
}

/// When to try a failed request again: exponential backoff with jitter, `Retry-After`
/// honoured, all inside one deadline for the whole action.
///
/// A value that answers questions rather than a loop that sleeps, so that tests can
/// walk it through a deadline in microseconds.
public struct RetryPolicy: Sendable {
    /// The first backoff step in seconds; each further attempt doubles it.
    public var baseDelay: Double
    /// No single wait is longer than this (unless the server asks, via Retry-After).
    public var maximumDelay: Double
    /// The absolute monotonic time by which the action must be done.
    public var deadline: Double

    public init(deadline: Double, baseDelay: Double = 0.5, maximumDelay: Double = 8) {
        self.deadline = deadline
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
    }

    /// How long to wait before attempt `attempt + 1`, or nil to give up.
    ///
    /// - Parameters:
    ///   - attempt: attempts made so far (1 after the first failure).
    ///   - retryAfter: seconds the server asked for, if it did.
    ///   - now: the current monotonic time.
    ///   - jitter: a number in 0..<1; the wait is drawn from the upper half of the
    ///     backoff step ("equal jitter"), so clients spread out yet never hammer.
    ///   - minimumAttemptTime: the least time an attempt needs to be worth making.
    public func delay(
        afterAttempt attempt: Int, retryAfter: Double?, now: Double, jitter: Double,
        minimumAttemptTime: Double = 0.5
    ) -> Double? {
        let step = min(maximumDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        var wait = step / 2 + step / 2 * jitter
        if let retryAfter { wait = max(wait, retryAfter) }
        guard now + wait + minimumAttemptTime <= deadline else { return nil }
        return wait
    }
}

/// Reads a `Retry-After` value: delay-seconds or an HTTP-date.
public enum RetryAfter {
    /// Seconds to wait from `now` (Unix time), or nil when the value is neither form.
    public static func seconds(_ value: String, now: Double = Double(time(nil))) -> Double? {
        let trimmed = value.trimmingCharacters(in: " \t")
        if let seconds = Int(trimmed) { return seconds >= 0 ? Double(seconds) : nil }
        guard let date = parseHTTPDate(trimmed) else { return nil }
        return max(0, date - now)
    }

    /// Parses the IMF-fixdate form, "Sun, 06 Nov 1994 08:49:37 GMT".
    static func parseHTTPDate(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT",
            let day = Int(parts[1]), let year = Int(parts[3])
        else { return nil }
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard let month = months.firstIndex(of: String(parts[2])) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3 else { return nil }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(clock[0])
        t.tm_min = Int32(clock[1])
        t.tm_sec = Int32(clock[2])
        return Double(timegm(&t))
    }
}

extension String {
    /// The string without leading and trailing characters from `set`.
    public func trimmingCharacters(in set: String) -> String {
        var s = self[...]
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
