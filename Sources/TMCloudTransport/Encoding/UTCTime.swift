/// UTC calendar arithmetic (proleptic Gregorian, as RFC 3339 is), shared by the
/// driver, the emulated clouds and the simulator.
///
/// glibc's `gmtime_r` and `timegm` read /etc/localtime on first use, a file a UTC
/// conversion has no need of, on every run of the driver.
public enum UTCTime {
    /// `2026-11-23T10:00:00Z` for Unix time `seconds` ("" outside years 0...9999).
    public static func rfc3339(_ seconds: Double) -> String {
        let (year, month, day, clock) = parts(seconds)
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

    /// The date of Unix time `seconds` (whole seconds, rounded down) and the seconds
    /// since that day's midnight.
    public static func parts(_ seconds: Double) -> (year: Int64, month: Int64, day: Int64, clock: Int64) {
        let total = Int64(seconds.rounded(.down))
        let days = total >= 0 ? total / 86400 : (total - 86399) / 86400
        let (year, month, day) = civil(days)
        return (year, month, day, total - days * 86400)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (month 1...12); days past
    /// a month's end roll into the next, as `timegm` does.
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day count since 1970-01-01.
    public static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
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
}
