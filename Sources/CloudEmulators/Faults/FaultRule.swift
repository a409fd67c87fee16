/// Which requests a fault rule applies to: any, or a method and/or path prefix.
public struct RoutePattern: Sendable, Equatable, CustomStringConvertible {
    public var method: String?
    public var pathPrefix: String

    public static let any = RoutePattern(method: nil, pathPrefix: "/")

    public init(method: String? = nil, pathPrefix: String = "/") {
        self.method = method?.uppercased()
        self.pathPrefix = pathPrefix
    }

    /// `*`, `/v2/droplets`, `POST:/v2/droplets` or `POST /v2/droplets`.
    public init(parsing text: String) {
        let trimmed = text.trimmingSpaces()
        if trimmed == "*" || trimmed.isEmpty {
            self = .any
            return
        }
        let parts = trimmed.split(whereSeparator: { $0 == ":" || $0 == " " }).map(String.init)
        if parts.count == 2 {
            self.init(method: parts[0] == "*" ? nil : parts[0], pathPrefix: parts[1])
        } else {
            self.init(method: nil, pathPrefix: trimmed)
        }
    }

    public func matches(_ request: HTTPRequest) -> Bool {
        if let method, method != request.method { return false }
        return request.path.hasPrefix(pathPrefix)
    }

    public var description: String { "\(method ?? "*"):\(pathPrefix)" }
}

/// Faults for the requests that match `route`. Shares are probabilities per request,
/// drawn from the plan's seed; they are checked in the order drop, dropAfterReply,
/// hang, throttle, error.
public struct FaultRule: Sendable, Equatable {
    public var route: RoutePattern
    /// Added real-time latency, uniform in this range (seconds).
    public var latency: ClosedRange<Double>?
    /// Close the connection without reading further or replying (request not applied).
    public var dropShare: Double = 0
    /// Apply the request, then lose the reply half-way (the hard case for retries).
    public var dropAfterReplyShare: Double = 0
    /// Hold the request open with no reply, for at most `hangSeconds`.
    public var hangShare: Double = 0
    public var hangSeconds: Double = 5
    /// Reply 429 with `Retry-After: retryAfterSeconds`.
    public var throttleShare: Double = 0
    public var retryAfterSeconds: Int = 1
    /// Reply with one of `errorStatuses` (request not applied).
    public var errorShare: Double = 0
    public var errorStatuses: [Int] = [500, 502, 503]

    public init(route: RoutePattern = .any) { self.route = route }
}

/// How long builds take and how often they fail, drawn per create.
public enum BootTimeDistribution: Sendable, Equatable {
    case fixed(Double)
    case uniform(min: Double, max: Double)
    /// Lognormal with the given median and shape, clamped to [min, max].
    case lognormal(median: Double, sigma: Double, min: Double, max: Double)

    func draw(_ random: inout SeededRandom) -> Double {
        switch self {
        case .fixed(let seconds):
            return seconds
        case .uniform(let low, let high):
            return low + (high - low) * random.unit()
        case .lognormal(let median, let sigma, let low, let high):
            return Swift.min(high, Swift.max(low, median * exp(sigma * random.normal())))
        }
    }
}

/// All faults of one emulator.
public struct FaultPlan: Sendable, Equatable {
    public var seed: UInt64
    public var rules: [FaultRule]
    /// Replaces the emulator's own boot delay when set.
    public var bootTime: BootTimeDistribution?
    /// Share of builds that end in an error.
    public var buildFailureShare: Double

    public init(seed: UInt64 = 1, rules: [FaultRule] = [], bootTime: BootTimeDistribution? = nil, buildFailureShare: Double = 0) {
        self.seed = seed
        self.rules = rules
        self.bootTime = bootTime
        self.buildFailureShare = buildFailureShare
    }

    public static let none = FaultPlan()
}

import Glibc
