import TMCloudJSON

/// The shape of the offered load, in requests per second over simulated seconds.
public enum LoadShape: Sendable, Equatable {
    case constant(Double)
    /// Linear from `from` to `to` over `over` seconds, then flat.
    case ramp(from: Double, to: Double, over: Double)
    /// `before` until `at`, then `after`.
    case step(before: Double, after: Double, at: Double)
    /// A working day: `low` at night, `high` at the evening peak, with a smaller peak late
    /// in the morning. `start` is the time of day (seconds) at simulated second 0.
    case daily(low: Double, high: Double, start: Double)
    /// Points of a trace (`time,requests_per_second`), interpolated linearly, flat outside.
    case trace([(time: Double, rps: Double)])

    public static func == (lhs: LoadShape, rhs: LoadShape) -> Bool {
        switch (lhs, rhs) {
        case (.constant(let a), .constant(let b)): return a == b
        case (.ramp(let a, let b, let c), .ramp(let d, let e, let f)): return a == d && b == e && c == f
        case (.step(let a, let b, let c), .step(let d, let e, let f)): return a == d && b == e && c == f
        case (.daily(let a, let b, let c), .daily(let d, let e, let f)): return a == d && b == e && c == f
        case (.trace(let a), .trace(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.time == $1.time && $0.rps == $1.rps }
        default: return false
        }
    }
}

/// A burst added on top of the shape: `extra` requests per second from `at` for `duration`.
public struct LoadSpike: Sendable, Equatable {
    public var at: Double
    public var duration: Double
    public var extra: Double

    public init(at: Double, duration: Double, extra: Double) {
        self.at = at
        self.duration = duration
        self.extra = extra
    }
}

/// Offered load over simulated time.
public struct LoadProfile: Sendable, Equatable {
    public var shape: LoadShape
    public var spikes: [LoadSpike]
    /// Relative standard deviation of the second-to-second noise (0.05 = 5 %).
    public var noise: Double

    public init(shape: LoadShape, spikes: [LoadSpike] = [], noise: Double = 0) {
        self.shape = shape
        self.spikes = spikes
        self.noise = noise
    }

    /// The mean rate at simulated second `t`, before noise.
    public func rate(at t: Double) -> Double {
        var rps: Double
        switch shape {
        case .constant(let value):
            rps = value
        case .ramp(let from, let to, let over):
            rps = over <= 0 ? to : from + (to - from) * min(1, max(0, t / over))
        case .step(let before, let after, let at):
            rps = t < at ? before : after
        case .daily(let low, let high, let start):
            rps = low + (high - low) * Self.dailyShape(hourOfDay: ((start + t) / 3600).truncatingRemainder(dividingBy: 24))
        case .trace(let points):
            rps = Self.interpolate(points, at: t)
        }
        for spike in spikes where t >= spike.at && t < spike.at + spike.duration { rps += spike.extra }
        return max(0, rps)
    }

    /// The rate at `t` with noise drawn from `random`.
    public func sample(at t: Double, random: inout SimulationRandom) -> Double {
        let mean = rate(at: t)
        guard noise > 0, mean > 0 else { return mean }
        return max(0, mean * (1 + noise * random.normal()))
    }

    /// 0 at night (about 04:00), about 0.7 late in the morning, 1 at the 20:00 peak.
    static func dailyShape(hourOfDay h: Double) -> Double {
        func bump(_ centre: Double, _ width: Double) -> Double {
            var d = abs(h - centre)
            d = min(d, 24 - d)
            return _exp(-(d * d) / (2 * width * width))
        }
        let raw = 0.7 * bump(11.5, 2.2) + 1.0 * bump(20, 2.0) + 0.35 * bump(15.5, 2.5)
        return min(1, raw / 1.08)
    }

    static func interpolate(_ points: [(time: Double, rps: Double)], at t: Double) -> Double {
        guard let first = points.first, let last = points.last else { return 0 }
        if t <= first.time { return first.rps }
        if t >= last.time { return last.rps }
        var low = 0
        var high = points.count - 1
        while high - low > 1 {
            let mid = (low + high) / 2
            if points[mid].time <= t { low = mid } else { high = mid }
        }
        let a = points[low]
        let b = points[high]
        return b.time == a.time ? b.rps : a.rps + (b.rps - a.rps) * (t - a.time) / (b.time - a.time)
    }

    /// Reads a CSV trace of `time,requests_per_second` lines (a header line and `#`
    /// comments are skipped; times in seconds, ascending).
    public static func parseTrace(_ text: String) throws(SettingError) -> LoadShape {
        var points: [(time: Double, rps: Double)] = []
        for (number, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",").map { String($0).trimmingSpaces() }
            guard fields.count >= 2, let time = Double(fields[0]), let rps = Double(fields[1]) else {
                if points.isEmpty && number == 0 { continue }  // the header
                throw SettingError("trace line \(number + 1): expected time,requests_per_second, got \"\(line)\"")
            }
            guard rps >= 0 else { throw SettingError("trace line \(number + 1): negative rate") }
            if let last = points.last, time < last.time {
                throw SettingError("trace line \(number + 1): time \(time) goes backwards")
            }
            points.append((time, rps))
        }
        guard !points.isEmpty else { throw SettingError("trace has no time,requests_per_second lines") }
        return .trace(points)
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
        var s = String(String.UnicodeScalarView(scalars))
        while let last = s.last, last == " " || last == "\t" || last == "\r" { s.removeLast() }
        return s
    }
}
