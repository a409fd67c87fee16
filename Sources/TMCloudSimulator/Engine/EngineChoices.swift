/// Which node goes when the pool shrinks. The Traffic Manager's documentation is silent.
public enum DestroyOrder: String, Sendable, Equatable, CaseIterable {
    /// The most recently created node (a pending node is always the newest).
    case newest
    /// The longest-serving node.
    case oldest
    /// A pending node if there is one (it serves nothing yet), else the newest.
    case pendingFirst = "pending_first"
}

/// How new node names are completed after the prefix. Unknown for the Traffic Manager.
public enum NameSuffix: String, Sendable, Equatable, CaseIterable {
    /// A four-digit sequence number (`web-0001`), skipping names already in use.
    case counter
    /// Six hex digits from the seeded random generator (`web-3fa9c1`).
    case random
}

/// The simulator's answers where the public record of the Traffic Manager is silent.
/// Each is a setting; `docs/simulator.md` explains the defaults.
public struct EngineChoices: Sendable, Equatable {
    /// Seconds of traffic over which the conforming share is measured.
    public var measurementWindow = 10.0
    public var destroyOrder = DestroyOrder.newest
    public var nameSuffix = NameSuffix.counter
    /// A node the engine created is dropped when missing from status only once this many
    /// seconds have passed since its createnode (clouds can list a new node late).
    public var missingGrace = 60.0
    /// Seconds a status run may take before it counts as hanging.
    public var statusTimeout = 30.0
    /// Seconds between repeats of the same waiting event (hysteresis, refractory, roof,
    /// floor) while the condition lasts; the first is always logged.
    public var repeatEventsEvery = 0.0
    /// Seconds after destroynode by which status must stop listing the node as running;
    /// after that it counts towards the pool again (and may be destroyed again).
    public var destroyConfirmTime = 600.0

    public init() {}

    public static let keys = [
        "measurement_window", "destroy_order", "name_suffix", "missing_grace", "status_timeout",
        "repeat_events_every", "destroy_confirm_time",
    ]

    public mutating func set(_ key: String, _ text: String) throws(SettingError) {
        func seconds() throws(SettingError) -> Double {
            guard let d = Double(text), d >= 0, d.isFinite else {
                throw SettingError("\(key) must be a number of seconds, not \(text)")
            }
            return d
        }
        switch key {
        case "measurement_window":
            let d = try seconds()
            guard d >= 1 else { throw SettingError("measurement_window must be at least 1") }
            measurementWindow = d
        case "destroy_order":
            guard let order = DestroyOrder(rawValue: text) else {
                throw SettingError("destroy_order must be newest, oldest or pending_first, not \(text)")
            }
            destroyOrder = order
        case "name_suffix":
            guard let suffix = NameSuffix(rawValue: text) else {
                throw SettingError("name_suffix must be counter or random, not \(text)")
            }
            nameSuffix = suffix
        case "missing_grace": missingGrace = try seconds()
        case "status_timeout":
            let d = try seconds()
            guard d > 0 else { throw SettingError("status_timeout must be above 0") }
            statusTimeout = d
        case "repeat_events_every": repeatEventsEvery = try seconds()
        case "destroy_confirm_time": destroyConfirmTime = try seconds()
        default: throw SettingError("unknown setting \(key)")
        }
    }

    public func value(of key: String) -> String? {
        switch key {
        case "measurement_window": return String(measurementWindow)
        case "destroy_order": return destroyOrder.rawValue
        case "name_suffix": return nameSuffix.rawValue
        case "missing_grace": return String(missingGrace)
        case "status_timeout": return String(statusTimeout)
        case "repeat_events_every": return String(repeatEventsEvery)
        case "destroy_confirm_time": return String(destroyConfirmTime)
        default: return nil
        }
    }
}
