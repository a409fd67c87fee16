/// Writes JSON on one line, keys in their stored order, no escaped slashes.
public enum JSONWriter {
    /// The value as compact JSON text.
    public static func string(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The value as compact JSON bytes (UTF-8).
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out)
        return out
    }

    /// Appends the value's JSON text to `out`.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d): out.append(contentsOf: format(d).utf8)
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (n, element) in a.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            for (n, pair) in o.pairs.enumerated() {
                if n > 0 { out.append(UInt8(ascii: ",")) }
                writeString(pair.key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(pair.value, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A JSON string literal for `s`, quotes included.
    public static func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        writeString(s, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `s` as a JSON string literal: runs that need no escape are copied whole.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        escape(s) { out.append(contentsOf: $0) }
        out.append(UInt8(ascii: "\""))
    }

    /// The body of `s` as a JSON string (no quotes), handed to `emit` in pieces: runs
    /// that need no escape as they are, and the escape of each byte that does (quote,
    /// backslash, `\n` `\r` `\t`, `\u00XX` for other control characters and DEL). The
    /// one definition of the driver's and the emulators' escapes.
    public static func escape(_ s: String, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        var s = s
        s.withUTF8 { bytes in
            var run = 0
            for i in 0..<bytes.count {
                let b = bytes[i]
                if b >= 0x20 && b != 0x22 && b != 0x5C && b != 0x7F { continue }
                if run < i { emit(UnsafeBufferPointer(rebasing: bytes[run..<i])) }
                run = i + 1
                switch b {
                case 0x22: (#"\""# as StaticString).withUTF8Buffer(emit)
                case 0x5C: (#"\\"# as StaticString).withUTF8Buffer(emit)
                case 0x0A: (#"\n"# as StaticString).withUTF8Buffer(emit)
                case 0x0D: (#"\r"# as StaticString).withUTF8Buffer(emit)
                case 0x09: (#"\t"# as StaticString).withUTF8Buffer(emit)
                default:
                    let hex: StaticString = "0123456789abcdef"
                    let sequence: [UInt8] = [
                        0x5C, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex.utf8Start[Int(b >> 4)],
                        hex.utf8Start[Int(b & 0xF)],
                    ]
                    sequence.withUnsafeBufferPointer(emit)
                }
            }
            if run < bytes.count { emit(UnsafeBufferPointer(rebasing: bytes[run..<bytes.count])) }
        }
    }

    /// A finite double in the shortest form that reads back the same; integral
    /// values without a fraction. JSON has no NaN or infinity: they become 0.
    public static func format(_ d: Double) -> String {
        guard d.isFinite else { return "0" }
        if d.rounded() == d, abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}
