import TMCloudTransport

/// Formats epoch seconds the way the clouds do, without Foundation's formatters.
enum Timestamp {
    /// `2026-11-23T10:00:00Z` (DigitalOcean, Nova, Neutron).
    static func iso8601(_ epoch: Double) -> String { string(epoch, fractionDigits: 0) }

    /// `2026-11-23T10:00:00.000000Z` (Keystone's expires_at / issued_at).
    static func iso8601Micro(_ epoch: Double) -> String { string(epoch, fractionDigits: 6) }

    /// `2026-11-23T10:00:00.000Z` (OpSource's xs:dateTime values).
    static func iso8601Milli(_ epoch: Double) -> String { string(epoch, fractionDigits: 3) }

    /// Writes `2026-11-23T10:00:00`, then `fractionDigits` digits of the second after a
    /// point, then `Z` unless `zone` is false: listings write thousands of these.
    static func append(_ epoch: Double, fractionDigits: Int = 0, zone: Bool = true, to buffer: ByteBuffer) {
        let whole = epoch.rounded(.down)
        let (year, month, day, seconds) = UTCTime.parts(epoch)
        let clock = Int(seconds)
        buffer.append(decimal: Int(year), width: 4)
        buffer.append(UInt8(ascii: "-"))
        buffer.append(decimal: Int(month), width: 2)
        buffer.append(UInt8(ascii: "-"))
        buffer.append(decimal: Int(day), width: 2)
        buffer.append(UInt8(ascii: "T"))
        buffer.append(decimal: clock / 3600, width: 2)
        buffer.append(UInt8(ascii: ":"))
        buffer.append(decimal: clock / 60 % 60, width: 2)
        buffer.append(UInt8(ascii: ":"))
        buffer.append(decimal: clock % 60, width: 2)
        if fractionDigits > 0 {
            var micros = min(999_999, Int((epoch - whole) * 1e6))
            for _ in fractionDigits..<6 { micros /= 10 }
            buffer.append(UInt8(ascii: "."))
            buffer.append(decimal: micros, width: fractionDigits)
        }
        if zone { buffer.append(UInt8(ascii: "Z")) }
    }

    private static func string(_ epoch: Double, fractionDigits: Int) -> String {
        let buffer = ByteBuffer(capacity: 32)
        append(epoch, fractionDigits: fractionDigits, to: buffer)
        return String(decoding: buffer.bytes, as: UTF8.self)
    }
}
