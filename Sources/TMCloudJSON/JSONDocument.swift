/// A JSON document checked in one pass and read lazily.
///
/// The pass validates the whole document as strictly as RFC 8259 asks (invalid UTF-8,
/// a trailing comma or garbage after the value is an error, nesting is bounded) and
/// records where every value starts and ends: its tape. Nothing is decoded until a
/// reader asks for it, so a listing of 1,000 servers, of which the driver reads ten
/// fields each, costs one scan of the bytes and no allocation per value (the tree of
/// `JSONValue`s it replaced spent most of a large status run in malloc and
/// reference counting).
public final class JSONDocument: @unchecked Sendable {
    // Immutable once built: the class is shared by the views into it, never changed.
    let bytes: [UInt8]
    /// Owned here (freed in deinit): reading through a plain pointer, not an array,
    /// spares every lookup a bounds check and a retain of the array.
    let tape: UnsafeMutablePointer<JSONTapeEntry>
    let tapeCount: Int

    /// Checks `bytes` and builds the tape.
    public init(_ bytes: [UInt8]) throws(JSONParseError) {
        guard !bytes.isEmpty else { throw JSONParseError(reason: "empty document", offset: 0) }
        guard bytes.count <= JSONTapeEntry.maximumOffset else {
            throw JSONParseError(reason: "document larger than 256 MB", offset: 0)
        }
        self.bytes = bytes
        var built: (UnsafeMutablePointer<JSONTapeEntry>, Int)?
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
            var builder = JSONTapeBuilder(buffer)
            do throws(JSONParseError) {
                try builder.document()
            } catch {
                builder.tape.deallocate()
                throw error
            }
            built = (builder.tape, builder.tapeCount)
        }
        (tape, tapeCount) = built!
    }

    deinit {
        tape.deallocate()
    }

    /// The document's top-level value.
    public var root: JSONView { JSONView(document: self, index: 0) }
}

/// One value (or object member name) of a document, in eight bytes: a 1,000-server
/// listing has some 150,000 of them.
struct JSONTapeEntry {
    enum Kind: UInt8 {
        case null, `true`, `false`, integer, number, string, array, object
    }

    /// Where the value starts (28 bits), its kind (3) and, for strings, whether it
    /// holds escapes (1).
    private let head: UInt32
    /// Scalars: where the value ends. Arrays and objects: the index of the entry
    /// after the value and everything inside it.
    var tail: UInt32

    static let maximumOffset = 0x0FFF_FFFF

    init(_ kind: Kind, start: Int, tail: Int, escaped: Bool) {
        head = UInt32(truncatingIfNeeded: start) | UInt32(kind.rawValue) << 28 | (escaped ? 1 << 31 : 0)
        self.tail = UInt32(truncatingIfNeeded: tail)
    }

    /// Byte offset of the value; for strings, of the first byte after the quote.
    var start: Int { Int(head & 0x0FFF_FFFF) }
    var kind: Kind { Kind(rawValue: UInt8(truncatingIfNeeded: head >> 28) & 7)! }
    /// For strings: escapes present, so reading it decodes them.
    var escaped: Bool { head >> 31 != 0 }
    /// Scalars only: the byte after the value (for strings, the closing quote).
    var end: Int { Int(tail) }

    /// The index of the entry after this one's value, when this one is at `index`.
    @inline(__always)
    func next(at index: Int) -> Int {
        head & 0x6000_0000 == 0x6000_0000 ? Int(tail) : index + 1
    }
}

/// The validating pass. Recursive, with depth bounded by `JSONParser.maximumDepth`.
struct JSONTapeBuilder {
    private let base: UnsafePointer<UInt8>
    private let count: Int
    private var index = 0
    private var depth = 0
    /// The entries so far; the caller takes the buffer over (or frees it on error).
    var tape: UnsafeMutablePointer<JSONTapeEntry>
    var tapeCount = 0
    private var tapeCapacity: Int

    /// `buffer` is not empty (`JSONDocument` refuses an empty document first).
    init(_ buffer: UnsafeBufferPointer<UInt8>) {
        base = buffer.baseAddress!
        count = buffer.count
        // Cloud listings run at about one value per 9 bytes.
        tapeCapacity = max(16, buffer.count / 8)
        tape = .allocate(capacity: tapeCapacity)
    }

    mutating func document() throws(JSONParseError) {
        skipWhitespace()
        guard index < count else { throw JSONParseError(reason: "empty document", offset: 0) }
        try value()
        skipWhitespace()
        if index != count { throw error("unexpected data after the value") }
    }

    private func error(_ reason: String) -> JSONParseError {
        JSONParseError(reason: reason, offset: index)
    }

    @inline(__always)
    private mutating func skipWhitespace() {
        while index < count {
            switch base[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    @inline(__always)
    private mutating func append(_ kind: JSONTapeEntry.Kind, _ start: Int, _ end: Int, escaped: Bool = false) {
        if tapeCount == tapeCapacity { grow() }
        (tape + tapeCount).initialize(to: JSONTapeEntry(kind, start: start, tail: end, escaped: escaped))
        tapeCount += 1
    }

    private mutating func grow() {
        let larger = UnsafeMutablePointer<JSONTapeEntry>.allocate(capacity: tapeCapacity * 2)
        larger.moveInitialize(from: tape, count: tapeCount)
        tape.deallocate()
        tape = larger
        tapeCapacity *= 2
    }

    private mutating func value() throws(JSONParseError) {
        guard index < count else { throw error("unexpected end of document") }
        switch base[index] {
        case UInt8(ascii: "{"): try container(object: true)
        case UInt8(ascii: "["): try container(object: false)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try word("true", .true)
        case UInt8(ascii: "f"): try word("false", .false)
        case UInt8(ascii: "n"): try word("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw error("unexpected character")
        }
    }

    private mutating func word(_ word: StaticString, _ kind: JSONTapeEntry.Kind) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard index + n <= count else { throw error("unexpected end of document") }
        let expected = word.utf8Start
        for i in 0..<n where base[index + i] != expected[i] {
            throw error("unexpected character")
        }
        append(kind, index, index + n)
        index += n
    }

    private mutating func container(object: Bool) throws(JSONParseError) {
        depth += 1
        if depth > JSONParser.maximumDepth { throw error("nesting deeper than \(JSONParser.maximumDepth)") }
        let me = tapeCount
        let start = index
        append(object ? .object : .array, start, start)
        let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        index += 1
        skipWhitespace()
        if index < count, base[index] == close {
            index += 1
        } else {
            while true {
                skipWhitespace()
                if object {
                    guard index < count, base[index] == UInt8(ascii: "\"") else {
                        throw error("expected a member name")
                    }
                    try string()
                    skipWhitespace()
                    guard index < count, base[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                    index += 1
                    skipWhitespace()
                }
                try value()
                skipWhitespace()
                guard index < count else { throw error("unexpected end of document") }
                if base[index] == UInt8(ascii: ",") {
                    index += 1
                } else if base[index] == close {
                    index += 1
                    break
                } else {
                    throw error(object ? "expected ',' or '}'" : "expected ',' or ']'")
                }
            }
        }
        depth -= 1
        tape[me].tail = UInt32(truncatingIfNeeded: tapeCount)
    }

    /// A string: eight bytes at a time while none of them is a quote, a backslash, a
    /// control character or non-ASCII; escapes and UTF-8 checked byte by byte. The
    /// scan keeps its position in a local, stored back into `index` only where it
    /// leaves the loop, so that the loop itself does not write to memory.
    @inline(__always)
    private mutating func string() throws(JSONParseError) {
        let start = index + 1
        var i = start
        var escaped = false
        let raw = UnsafeRawPointer(base)
        while true {
            while i + 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let stops = JSONTapeBuilder.stops(word)
                if stops == 0 {
                    i += 8
                } else {
                    // The lowest flagged byte is a real stop (the arithmetic can flag
                    // bytes above one, never below): go straight to it.
                    i += stops.trailingZeroBitCount >> 3
                    break
                }
            }
            index = i
            guard i < count else { throw error("unterminated string") }
            let b = base[i]
            // The closing quote is by far the most common stop.
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                escaped = true
                index += 1
                guard index < count else { throw error("unterminated string") }
                switch base[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    index += 1
                case UInt8(ascii: "u"):
                    try unicodeEscape()
                default:
                    throw error("invalid escape")
                }
                i = index
                continue
            }
            if b < 0x20 { throw error("control character in a string") }
            if b >= 0x80 {
                try utf8Sequence()
                i = index
                continue
            }
            i += 1
        }
        append(.string, start, i, escaped: escaped)
        index = i + 1
    }

    /// The high bit of each of the eight bytes (little-endian) that needs a look: a
    /// '"', '\\', control or non-ASCII byte; zero when none does.
    @inline(__always)
    static func stops(_ w: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let quote = w ^ (ones &* 0x22)
        let slash = w ^ (ones &* 0x5C)
        // A byte is zero (or below 0x20) when subtracting sets its high bit where it was clear.
        let hits = ((quote &- ones) & ~quote) | ((slash &- ones) & ~slash) | ((w &- ones &* 0x20) & ~w) | w
        return hits & high
    }

    /// `\uXXXX`, with a surrogate pair checked as a pair.
    private mutating func unicodeEscape() throws(JSONParseError) {
        index += 1  // the u
        let scalar = try hex4()
        if (0xD800...0xDBFF).contains(scalar) {
            guard index + 1 < count, base[index] == UInt8(ascii: "\\"), base[index + 1] == UInt8(ascii: "u") else {
                throw error("unpaired surrogate")
            }
            index += 2
            let low = try hex4()
            guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate") }
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw error("unpaired surrogate")
        }
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= count else { throw error("unexpected end of document") }
        guard let value = Self.hex4(UnsafeBufferPointer(start: base + index, count: 4)) else {
            throw error("invalid \\u escape")
        }
        index += 4
        return value
    }

    /// The value of four hexadecimal digits; nil when one is not a digit. Also read by
    /// `JSONView` when it decodes an escape the builder has checked.
    static func hex4(_ digits: UnsafeBufferPointer<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        for b in digits.prefix(4) {
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value * 16 + UInt32(digit)
        }
        return value
    }

    /// One well-formed UTF-8 sequence starting at a byte >= 0x80 (RFC 3629: no
    /// overlong forms, no surrogates, nothing above U+10FFFF).
    private mutating func utf8Sequence() throws(JSONParseError) {
        let b0 = base[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw JSONParseError(reason: "invalid UTF-8 in a string", offset: index)
        }
        guard index + length <= count else { throw JSONParseError(reason: "invalid UTF-8 in a string", offset: index) }
        let b1 = base[index + 1]
        guard b1 >= low && b1 <= high else { throw JSONParseError(reason: "invalid UTF-8 in a string", offset: index) }
        for k in 2..<max(2, length) {
            let b = base[index + k]
            guard b >= 0x80 && b <= 0xBF else {
                throw JSONParseError(reason: "invalid UTF-8 in a string", offset: index)
            }
        }
        index += length
    }

    private mutating func number() throws(JSONParseError) {
        let start = index
        var integer = true
        var exponent = false
        if base[index] == UInt8(ascii: "-") { index += 1 }
        guard index < count, isDigit(base[index]) else { throw error("invalid number") }
        if base[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < count, isDigit(base[index]) { index += 1 }
        }
        if index < count, base[index] == UInt8(ascii: ".") {
            integer = false
            index += 1
            guard index < count, isDigit(base[index]) else { throw error("invalid number") }
            while index < count, isDigit(base[index]) { index += 1 }
        }
        if index < count, base[index] == UInt8(ascii: "e") || base[index] == UInt8(ascii: "E") {
            integer = false
            exponent = true
            index += 1
            if index < count, base[index] == UInt8(ascii: "+") || base[index] == UInt8(ascii: "-") { index += 1 }
            guard index < count, isDigit(base[index]) else { throw error("invalid number") }
            while index < count, isDigit(base[index]) { index += 1 }
        }
        // Up to 18 digits always fit an Int64, and a fraction without an exponent that
        // short is always a finite double; others are converted here so that one out of
        // range is refused now, as before, not when it is read.
        if index - start <= 18 {
            if integer {
                append(.integer, start, index)
                return
            }
            if !exponent {
                append(.number, start, index)
                return
            }
        }
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: index - start), as: UTF8.self)
        if integer, Int64(text) != nil {
            append(.integer, start, index)
            return
        }
        guard let d = Double(text), d.isFinite else {
            throw JSONParseError(reason: "number out of range", offset: start)
        }
        append(.number, start, index)
    }

    @inline(__always)
    private func isDigit(_ b: UInt8) -> Bool { b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
}
