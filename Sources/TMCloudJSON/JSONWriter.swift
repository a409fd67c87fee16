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

    /// Whether one of eight bytes is a control character, a quote, a backslash or DEL.
    /// Exact, bytes above 0x7F included: each test flags a byte's high bit only when
    /// that byte, or one below it, matches.
    @inline(__always)
    static func needsEscape(word w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ x: UInt64) -> UInt64 { (x &- ones) & ~x }
        let control = (w &- ones &* 0x20) & ~w
        let hits = control | hasZero(w ^ (ones &* 0x22)) | hasZero(w ^ (ones &* 0x5C)) | hasZero(w ^ (ones &* 0x7F))
        return hits & high != 0
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

/// JSON text written straight into memory, for replies of thousands of strings: a
/// string that needs no escape is one copy, with no closure, no array growth check
/// per piece and no check of the finished text's UTF-8 (every byte comes from a
/// `String`, or is ASCII).
public struct JSONTextWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int
    /// Whether a byte above 0x7F was written: `String` keeps that, and is told.
    private var ascii = true

    public init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `n` more bytes.
    @inline(__always)
    private mutating func reserve(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    private mutating func grow(_ needed: Int) {
        let larger = max(needed, capacity * 2)
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        moved.moveInitialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }

    private mutating func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// Appends ASCII text as it is (JSON punctuation, member names).
    public mutating func append(_ text: StaticString) {
        write(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends an integer in decimal.
    public mutating func append(_ n: Int) {
        reserve(20)
        var magnitude = n.magnitude
        if n < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var digits = 1
        var rest = magnitude / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        // The last digit first, into its place.
        var at = count + digits - 1
        repeat {
            base[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            at -= 1
        } while magnitude > 0
        count += digits
    }

    /// Appends `s` as a JSON string literal, quotes included, with `JSONWriter`'s escapes.
    public mutating func appendString(_ s: String) {
        // The bytes of a native string, small ones included, without copying it.
        let copied = s.utf8.withContiguousStorageIfAvailable { copyUnescaped($0) } ?? false
        if copied { return }
        append("\"")
        JSONWriter.escape(s) { write($0) }
        append("\"")
        if !s.utf8.allSatisfy({ $0 < 0x80 }) { ascii = false }
    }

    /// Appends `bytes` between quotes when none of them needs an escape, eight at a
    /// time, checked as they are copied; false, with nothing appended, when one does.
    private mutating func copyUnescaped(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let source = bytes.baseAddress else {
            append("\"\"")
            return true
        }
        // Room for the quotes and for the last word, written whole.
        reserve(bytes.count + 2 + 8)
        let from = UnsafeRawPointer(source)
        let to = UnsafeMutableRawPointer(base + count + 1)
        var high: UInt64 = 0
        var i = 0
        while i + 8 <= bytes.count {
            let word = from.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if JSONWriter.needsEscape(word: UInt64(littleEndian: word)) { return false }
            to.storeBytes(of: word, toByteOffset: i, as: UInt64.self)
            high |= word
            i += 8
        }
        // The last 1...7 bytes as one more word, filled up with 'A's (which need no
        // escape); the 'A's land past the string's end, where the next piece goes.
        let rest = bytes.count - i
        if rest > 0 {
            var word: UInt64 = 0
            var shift: UInt64 = 0
            if rest & 4 != 0 {
                word = UInt64(UInt32(littleEndian: from.loadUnaligned(fromByteOffset: i, as: UInt32.self)))
                shift = 32
            }
            if rest & 2 != 0 {
                let half = UInt16(littleEndian: from.loadUnaligned(fromByteOffset: i + Int(shift / 8), as: UInt16.self))
                word |= UInt64(half) << shift
                shift += 16
            }
            if rest & 1 != 0 {
                word |= UInt64(source[i + Int(shift / 8)]) << shift
                shift += 8
            }
            word |= 0x4141_4141_4141_4141 << shift
            if JSONWriter.needsEscape(word: word) { return false }
            to.storeBytes(of: UInt64(littleEndian: word), toByteOffset: i, as: UInt64.self)
            high |= UInt64(littleEndian: word)
        }
        if high & 0x8080_8080_8080_8080 != 0 { ascii = false }
        base[count] = UInt8(ascii: "\"")
        base[count + 1 + bytes.count] = UInt8(ascii: "\"")
        count += bytes.count + 2
        return true
    }

    /// The text written, as a `String`.
    public consuming func text() -> String {
        String(copying: UTF8Span(unchecked: UnsafeBufferPointer(start: base, count: count).span, isKnownASCII: ascii))
    }
}
