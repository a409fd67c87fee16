import TMCloudTransport

/// Formats epoch seconds the way the clouds do, without Foundation's formatters.
enum Timestamp {
    /// `2026-11-23T10:00:00Z` (DigitalOcean, Nova, Neutron).
    static func iso8601(_ epoch: Double) -> String {
        let (date, time, _) = parts(epoch)
        return "\(date)T\(time)Z"
    }

    /// `2026-11-23T10:00:00.000000Z` (Keystone's expires_at / issued_at).
    static func iso8601Micro(_ epoch: Double) -> String {
        let (date, time, micros) = parts(epoch)
        return "\(date)T\(time).\(pad(micros, 6))Z"
    }

    /// `2026-11-23T10:00:00.000Z` (OpSource's xs:dateTime values).
    static func iso8601Milli(_ epoch: Double) -> String {
        let (date, time, micros) = parts(epoch)
        return "\(date)T\(time).\(pad(micros / 1000, 3))Z"
    }

    private static func parts(_ epoch: Double) -> (String, String, Int) {
        let whole = epoch.rounded(.down)
        let total = Int64(whole)
        let days = total >= 0 ? total / 86400 : (total - 86399) / 86400
        let clock = Int(total - days * 86400)
        let (year, month, day) = UTCTime.civil(days)
        let date = "\(pad(Int(year), 4))-\(pad(Int(month), 2))-\(pad(Int(day), 2))"
        let time = "\(pad(clock / 3600, 2)):\(pad(clock / 60 % 60, 2)):\(pad(clock % 60, 2))"
        return (date, time, min(999_999, Int((epoch - whole) * 1e6)))
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
