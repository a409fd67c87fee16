#if canImport(Glibc)
import Glibc
#endif

/// Node creation times in the form the contract prints: RFC 3339 UTC to the second.
public enum Timestamp {
    /// `2026-11-23T10:00:00Z` for Unix time `seconds`.
    ///
    /// Calendar arithmetic of its own (proleptic Gregorian, as RFC 3339 is): glibc's
    /// `gmtime_r` and `timegm` read /etc/localtime on first use, a file a UTC
    /// conversion has no need of, on every run.
    public static func format(_ seconds: Double) -> String {
        let total = Int64(seconds.rounded(.down))
        let days = total >= 0 ? total / 86400 : (total - 86399) / 86400
        let clock = total - days * 86400
        let (year, month, day) = civil(days)
        guard (0...9999).contains(year) else { return "" }
        var out = [UInt8](repeating: 0, count: 20)
        func put(_ value: Int64, _ at: Int, _ width: Int) {
            var v = value
            for k in stride(from: at + width - 1, through: at, by: -1) {
                out[k] = UInt8(48 + v % 10)
                v /= 10
            }
        }
        put(year, 0, 4)
        put(month, 5, 2)
        put(day, 8, 2)
        put(clock / 3600, 11, 2)
        put(clock / 60 % 60, 14, 2)
        put(clock % 60, 17, 2)
        for (at, mark) in [(4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "Z")] as [(Int, Unicode.Scalar)] {
            out[at] = UInt8(ascii: mark)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (month 1...12); days past
    /// a month's end roll into the next, as `timegm` does.
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01.
    static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

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
        let dayCount = days(year: Int64(year), month: Int64(month), day: Int64(day))
        let total = dayCount * 86400 + Int64(hour) * 3600 + Int64(minute) * 60 + Int64(second)
        return Double(total) - Double(offset)
    }

    /// A cloud's timestamp in contract form; "" when it cannot be read.
    public static func normalize(_ text: String?) -> String {
        guard let text, let seconds = parse(text) else { return "" }
        return format(seconds)
    }
}
