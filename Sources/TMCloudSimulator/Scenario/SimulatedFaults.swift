/// Faults to inject, written `--faults=ITEM,ITEM,...`:
///
/// * `create_fail=P`, `destroy_fail=P`, `status_fail=P`: each run of that action fails
///   (exit 1 with an error line) with probability P (0...1).
/// * `status_hang@T`, `create_hang@T`, `destroy_hang@T`: the first run of that action at
///   or after simulated time T hangs past its timeout.
/// * `status_garbage@T`: the first status run at or after T prints output that does not parse.
/// * `vanish@T`: at T the oldest running node of the pool disappears from the cloud.
/// * `boot_fail=P`: a new node fails to build (status reports it destroyed) with probability P.
///
/// T is seconds (`3600`) or a time of day `HH:MM[:SS]` counted from the start of the run.
public struct SimulatedFaults: Sendable, Equatable {
    public enum Timed: String, Sendable, Equatable, CaseIterable {
        case statusHang = "status_hang"
        case createHang = "create_hang"
        case destroyHang = "destroy_hang"
        case statusGarbage = "status_garbage"
        case vanish
    }

    public enum Chance: String, Sendable, Equatable, CaseIterable {
        case createFail = "create_fail"
        case destroyFail = "destroy_fail"
        case statusFail = "status_fail"
        case bootFail = "boot_fail"
    }

    public var chances: [Chance: Double] = [:]
    public var timed: [(kind: Timed, at: Double)] = []
    /// The emulated cloud's own faults in the emulators' `FaultSpec` text (`--cloud-faults`):
    /// 5xx and 429 replies, dropped and hung connections, boot times, failed builds.
    public var cloudSpec: String?

    public init() {}

    public var isEmpty: Bool { chances.isEmpty && timed.isEmpty && cloudSpec == nil }

    public static func == (lhs: SimulatedFaults, rhs: SimulatedFaults) -> Bool {
        lhs.chances == rhs.chances && lhs.cloudSpec == rhs.cloudSpec && lhs.timed.count == rhs.timed.count
            && zip(lhs.timed, rhs.timed).allSatisfy { $0.kind == $1.kind && $0.at == $1.at }
    }

    public static func parse(_ spec: String) throws(SettingError) -> SimulatedFaults {
        var plan = SimulatedFaults()
        for raw in spec.split(separator: ",") {
            let item = raw.trimmingSpaces()
            if item.isEmpty { continue }
            if let at = item.firstIndex(of: "@") {
                let key = String(item[..<at])
                guard let kind = Timed(rawValue: key) else {
                    throw SettingError("unknown timed fault \(key) (one of \(Timed.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                let when = String(item[item.index(after: at)...])
                guard let seconds = parseTime(when) else { throw SettingError("fault \(key): bad time \(when)") }
                plan.timed.append((kind, seconds))
            } else if let eq = item.firstIndex(of: "=") {
                let key = String(item[..<eq])
                guard let kind = Chance(rawValue: key) else {
                    throw SettingError("unknown fault \(key) (one of \(Chance.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                let text = String(item[item.index(after: eq)...])
                guard let p = Double(text), (0...1).contains(p) else {
                    throw SettingError("fault \(key): probability must be 0..1, not \(text)")
                }
                plan.chances[kind] = p
            } else {
                throw SettingError("fault \(item): write NAME=PROBABILITY or NAME@TIME")
            }
        }
        plan.timed.sort { $0.at < $1.at }
        return plan
    }

    /// Seconds from `3600`, `1h`, `30m`, `90s` or `HH:MM[:SS]`.
    public static func parseTime(_ text: String) -> Double? {
        if text.contains(":") {
            let parts = text.split(separator: ":").map { Double($0) }
            guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil && $0! >= 0 }) else { return nil }
            return parts[0]! * 3600 + parts[1]! * 60 + (parts.count == 3 ? parts[2]! : 0)
        }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let last = text.last, let unit = units[last], let n = Double(text.dropLast()), n >= 0 { return n * unit }
        if let n = Double(text), n >= 0 { return n }
        return nil
    }
}
