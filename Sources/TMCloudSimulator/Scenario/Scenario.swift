import TMCloudJSON

/// The clouds the simulator knows, by the driver's `provider` names.
public enum CloudKind: String, Sendable, Equatable, CaseIterable {
    case digitalocean
    case opsource
    case openstack
}

/// Everything a run needs: the pool, the traffic, the nodes, the cloud and its faults.
public struct Scenario: Sendable, Equatable {
    public var name: String
    public var summary: String
    public var cloud: CloudKind
    /// Simulated seconds.
    public var duration: Double
    public var seed: UInt64 = 1
    public var settings: PoolSettings
    public var choices = EngineChoices()
    public var load: LoadProfile
    public var node = NodeModel()
    /// Simulated seconds a new node takes to become active (model cloud; emulators where
    /// they accept it).
    public var bootTime: Double
    public var faults = SimulatedFaults()
    /// Simulated seconds between timeline rows; 0 picks about 1500 rows.
    public var timelineInterval = 0.0

    public init(
        name: String, summary: String, cloud: CloudKind, duration: Double, settings: PoolSettings, load: LoadProfile,
        bootTime: Double
    ) {
        self.name = name
        self.summary = summary
        self.cloud = cloud
        self.duration = duration
        self.settings = settings
        self.load = load
        self.bootTime = bootTime
    }

    public var effectiveTimelineInterval: Double {
        if timelineInterval > 0 { return timelineInterval }
        let wanted = duration / 1500
        return [1.0, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600].first { $0 >= wanted } ?? 3600
    }

    /// Applies a scenario file (JSON) over this scenario. Keys:
    /// `name`, `summary`, `cloud`, `duration` (seconds or `24h`), `seed`, `pool` (pool
    /// settings by the Traffic Manager's names, or a pool's REST JSON), `engine` (the
    /// simulator's choices), `load` (`profile` constant|ramp|step|daily|trace with its
    /// numbers, `spikes`, `noise`, `trace_file`), `node` (`capacity`, `base_latency`,
    /// `boot_time`), `faults` (a `--faults` string), `timeline_interval`.
    public mutating func apply(file json: JSONValue, traceLoader: (String) throws -> String = { _ in "" }) throws {
        guard case .object(let object) = json else { throw SettingError("a scenario file holds one JSON object") }
        for (key, value) in object.pairs {
            switch key {
            case "name": name = try Self.text(value, key)
            case "summary", "description": summary = try Self.text(value, key)
            case "cloud":
                let text = try Self.text(value, key)
                guard let kind = CloudKind(rawValue: text) else {
                    throw SettingError("cloud must be digitalocean, opsource or openstack, not \(text)")
                }
                cloud = kind
            case "duration": duration = try Self.seconds(value, key)
            case "seed":
                guard let n = value.intValue, n >= 0 else { throw SettingError("seed must be a whole number") }
                seed = UInt64(n)
            case "pool": try settings.apply(poolJSON: value)
            case "engine":
                guard case .object(let o) = value else { throw SettingError("engine must be an object") }
                for (k, v) in o.pairs { try choices.set(k, v.scalarText ?? "") }
            case "load": load = try Self.loadProfile(value, traceLoader: traceLoader)
            case "node":
                guard case .object(let o) = value else { throw SettingError("node must be an object") }
                for (k, v) in o.pairs {
                    switch k {
                    case "capacity": node.capacity = try Self.positive(v, k)
                    case "base_latency": node.baseLatency = try Self.positive(v, k)
                    case "boot_time": bootTime = try Self.seconds(v, k)
                    default: throw SettingError("unknown node key \(k) (capacity, base_latency, boot_time)")
                    }
                }
            case "faults": faults = try SimulatedFaults.parse(try Self.text(value, key))
            case "timeline_interval": timelineInterval = try Self.seconds(value, key)
            default: throw SettingError("unknown scenario key \(key)")
            }
        }
    }

    static func loadProfile(_ value: JSONValue, traceLoader: (String) throws -> String) throws -> LoadProfile {
        guard case .object(let o) = value else { throw SettingError("load must be an object") }
        func number(_ key: String, _ fallback: Double? = nil) throws -> Double {
            guard let v = o[key] else {
                if let fallback { return fallback }
                throw SettingError("load needs \(key)")
            }
            return try seconds(v, "load." + key)
        }
        let profile = try text(o["profile"] ?? "constant", "load.profile")
        let shape: LoadShape
        switch profile {
        case "constant": shape = .constant(try number("rps"))
        case "ramp": shape = .ramp(from: try number("from"), to: try number("to"), over: try number("over"))
        case "step": shape = .step(before: try number("before"), after: try number("after"), at: try number("at"))
        case "daily": shape = .daily(low: try number("low"), high: try number("high"), start: try number("start", 0))
        case "trace":
            if let inline = o["points"]?.arrayValue {
                shape = .trace(
                    inline.compactMap { p in
                        guard let t = p[0]?.doubleValue, let r = p[1]?.doubleValue else { return nil }
                        return (t, r)
                    })
            } else {
                shape = try LoadProfile.parseTrace(try traceLoader(try text(o["trace_file"] ?? "", "load.trace_file")))
            }
        default: throw SettingError("load.profile must be constant, ramp, step, daily or trace, not \(profile)")
        }
        var spikes: [LoadSpike] = []
        for item in o["spikes"]?.arrayValue ?? [] {
            guard case .object(let s) = item, let at = s["at"], let duration = s["duration"], let extra = s["extra"]?.doubleValue
            else { throw SettingError("each spike needs at, duration and extra") }
            spikes.append(LoadSpike(at: try seconds(at, "spike.at"), duration: try seconds(duration, "spike.duration"), extra: extra))
        }
        let noise = o["noise"]?.doubleValue ?? 0
        guard noise >= 0 && noise < 1 else { throw SettingError("load.noise must be 0..1") }
        return LoadProfile(shape: shape, spikes: spikes, noise: noise)
    }

    static func text(_ value: JSONValue, _ key: String) throws(SettingError) -> String {
        guard let s = value.stringValue else { throw SettingError("\(key) must be a string") }
        return s
    }

    /// A number, or text such as `90s`, `30m`, `24h`, `17:30`.
    static func seconds(_ value: JSONValue, _ key: String) throws(SettingError) -> Double {
        if let d = value.doubleValue, d >= 0 { return d }
        if let s = value.stringValue, let d = SimulatedFaults.parseTime(s) { return d }
        throw SettingError("\(key) must be a number of seconds (or 30m, 24h, 17:30)")
    }

    static func positive(_ value: JSONValue, _ key: String) throws(SettingError) -> Double {
        guard let d = value.doubleValue, d > 0 else { throw SettingError("\(key) must be a number above 0") }
        return d
    }
}
