import TMCloudTransport

/// Node creation times in the form the contract prints: RFC 3339 UTC to the second.
public enum Timestamp {
    /// `2026-11-23T10:00:00Z` for Unix time `seconds` ("" outside years 0...9999).
    public static func format(_ seconds: Double) -> String { UTCTime.rfc3339(seconds) }

    /// Unix time of an ISO 8601 timestamp as clouds write them: `2020-07-21T18:37:44Z`,
    /// with fractional seconds, or with an offset (`+00:00`, `-0500`); a time without
    /// a zone is taken as UTC.
    public static func parse(_ text: String) -> Double? {
        Array(text.utf8).withUnsafeBufferPointer(parse)
    }

    private static func parse(_ s: UnsafeBufferPointer<UInt8>) -> Double? {
        guard let (year, month, day, hour, minute, second) = dateAndTime(s),
            s[10] == UInt8(ascii: "T") || s[10] == UInt8(ascii: " ")
        else { return nil }
        func number(_ from: Int, _ count: Int) -> Int32? { digits(s, from, count) }
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
            guard s.count == 20, s[10] == UInt8(ascii: "T"), s[19] == UInt8(ascii: "Z"),
                let (year, month, day, _, _, second) = dateAndTime(s), second < 60
            else { return false }
            // A day its month lacks (February 30) comes back from the calendar as another date.
            let date = UTCTime.civil(UTCTime.days(year: Int64(year), month: Int64(month), day: Int64(day)))
            return date == (Int64(year), Int64(month), Int64(day))
        } ?? false
    }

    /// The numbers of `YYYY-MM-DD?HH:MM:SS` at the start of `s`, each in its range
    /// (seconds up to 60, a leap second); the byte between date and time is left to
    /// the caller. Nil when `s` does not start so.
    private static func dateAndTime(
        _ s: UnsafeBufferPointer<UInt8>
    ) -> (year: Int32, month: Int32, day: Int32, hour: Int32, minute: Int32, second: Int32)? {
        guard s.count >= 19, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"), s[13] == UInt8(ascii: ":"),
            s[16] == UInt8(ascii: ":"),
            let year = digits(s, 0, 4), let month = digits(s, 5, 2), let day = digits(s, 8, 2),
            let hour = digits(s, 11, 2), let minute = digits(s, 14, 2), let second = digits(s, 17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        return (year, month, day, hour, minute, second)
    }

    /// The decimal number of `count` digits at `from`; nil when one is not a digit.
    private static func digits(_ s: UnsafeBufferPointer<UInt8>, _ from: Int, _ count: Int) -> Int32? {
        var n: Int32 = 0
        for i in from..<(from + count) {
            let b = s[i]
            guard b >= 48, b <= 57 else { return nil }
            n = n * 10 + Int32(b - 48)
        }
        return n
    }
}
