import TMCloudTransport

/// Node creation times in the form the contract prints: RFC 3339 UTC to the second.
public enum Timestamp {
    /// `2026-11-23T10:00:00Z` for Unix time `seconds` ("" outside years 0...9999).
    public static func format(_ seconds: Double) -> String { UTCTime.rfc3339(seconds) }

    /// Unix time of an ISO 8601 timestamp as clouds write them: `2020-07-21T18:37:44Z`,
    /// with fractional seconds, or with an offset (`+00:00`, `-0500`); a time without
    /// a zone is taken as UTC.
    public static func parse(_ text: String) -> Double? {
        let s = Array(text.utf8)
        guard s.count >= 19, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"),
            s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: " "), s[13] == UInt8(ascii: ":"),
            s[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ from: Int, _ count: Int) -> Int32? {
            var n: Int32 = 0
            for i in from..<(from + count) {
                guard s[i] >= 48, s[i] <= 57 else { return nil }
                n = n * 10 + Int32(s[i] - 48)
            }
            return n
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2), (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            while i < s.count, s[i] >= 48, s[i] <= 57 { i += 1 }
        }
        var offset: Int32 = 0
        if i < s.count {
            if s[i] == UInt8(ascii: "Z") || s[i] == UInt8(ascii: "z") {
                i += 1
            } else if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
                let sign: Int32 = s[i] == UInt8(ascii: "+") ? 1 : -1
                guard i + 5 <= s.count, let oh = number(i + 1, 2) else { return nil }
                let minutesAt = s[i + 3] == UInt8(ascii: ":") ? i + 4 : i + 3
                guard minutesAt + 2 <= s.count, let om = number(minutesAt, 2) else { return nil }
                offset = sign * (oh * 3600 + om * 60)
                i = minutesAt + 2
            }
        }
        guard i == s.count else { return nil }
        let dayCount = UTCTime.days(year: Int64(year), month: Int64(month), day: Int64(day))
        let total = dayCount * 86400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
        return Double(total) - Double(offset)
    }

    /// A cloud's timestamp in contract form; "" when it cannot be read.
    public static func normalize(_ text: String?) -> String {
        guard let text else { return "" }
        // DigitalOcean and OpenStack write the contract's form already: kept as it is,
        // neither converted twice nor copied, for each node of a listing.
        if isContractForm(text) { return text }
        guard let seconds = parse(text) else { return "" }
        return format(seconds)
    }

    /// Whether `text` is what `format` prints for the time it names: exactly
    /// `YYYY-MM-DDTHH:MM:SSZ`, with a day that its month has and no leap second.
    static func isContractForm(_ text: String) -> Bool {
        text.utf8.withContiguousStorageIfAvailable { s in
            guard s.count == 20, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"), s[10] == UInt8(ascii: "T"),
                s[13] == UInt8(ascii: ":"), s[16] == UInt8(ascii: ":"), s[19] == UInt8(ascii: "Z")
            else { return false }
            func number(_ from: Int, _ count: Int) -> Int? {
                var n = 0
                for i in from..<(from + count) {
                    guard s[i] >= 48, s[i] <= 57 else { return nil }
                    n = n * 10 + Int(s[i] - 48)
                }
                return n
            }
            guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                (1...12).contains(month), hour < 24, minute < 60, second < 60
            else { return false }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let days: Int
            switch month {
            case 2: days = leap ? 29 : 28
            case 4, 6, 9, 11: days = 30
            default: days = 31
            }
            return (1...days).contains(day)
        } ?? false
    }
}
