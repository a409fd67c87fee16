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
        (tape, tapeCount) = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONParseError) in
            try JSONTapeBuilder.build(buffer)
        }
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

/// The validating pass: one loop over the bytes with an explicit stack of the open
/// arrays and objects (at most `JSONParser.maximumDepth`), its position, the tape and
/// the stack held in locals, so that they stay in registers rather than being stored
/// back at every byte, as a recursive descent over `self` had them.
enum JSONTapeBuilder {
    /// Checks the document in `buffer` (not empty: `JSONDocument` refuses an empty one
    /// first) and returns its tape, which the caller then owns, and the tape's length.
    static func build(
        _ buffer: UnsafeBufferPointer<UInt8>
    ) throws(JSONParseError) -> (tape: UnsafeMutablePointer<JSONTapeEntry>, count: Int) {
        let base = buffer.baseAddress!
        let count = buffer.count
        // Cloud listings run at about one value per 9 bytes.
        var out = TapeWriter(capacity: max(16, count / 8))
        // The open containers, innermost last: tape index << 1 | 1 for an object.
        let open = UnsafeMutablePointer<Int>.allocate(capacity: JSONParser.maximumDepth)
        var depth = 0
        var built = false
        defer {
            open.deallocate()
            if !built { out.tape.deallocate() }
        }

        var i = Self.skipWhitespace(base, count, 0)
        guard i < count else { throw JSONParseError(reason: "empty document", offset: 0) }
        // True where the next thing is an object's member name rather than a value.
        var expectName = false
        parsing: while true {
            if expectName {
                guard i < count, base[i] == UInt8(ascii: "\"") else {
                    throw JSONParseError(reason: "expected a member name", offset: i)
                }
                let (end, escaped) = try Self.string(base, count, i &+ 1)
                out.append(.string, i &+ 1, end, escaped: escaped)
                i = Self.skipWhitespace(base, count, end &+ 1)
                guard i < count, base[i] == UInt8(ascii: ":") else { throw JSONParseError(reason: "expected ':'", offset: i) }
                i = Self.skipWhitespace(base, count, i &+ 1)
            }
            guard i < count else { throw JSONParseError(reason: "unexpected end of document", offset: i) }
            let b = base[i]
            switch b {
            case UInt8(ascii: "\""):
                let (end, escaped) = try Self.string(base, count, i &+ 1)
                out.append(.string, i &+ 1, end, escaped: escaped)
                i = end &+ 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let (end, kind) = try Self.number(base, count, i)
                out.append(kind, i, end)
                i = end
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard depth < JSONParser.maximumDepth else {
                    throw JSONParseError(reason: "nesting deeper than \(JSONParser.maximumDepth)", offset: i)
                }
                let object = b == UInt8(ascii: "{")
                open[depth] = out.n << 1 | (object ? 1 : 0)
                depth &+= 1
                out.append(object ? .object : .array, i, i)
                i = Self.skipWhitespace(base, count, i &+ 1)
                // b + 2 is the closing bracket or brace.
                if i < count, base[i] == b &+ 2 {
                    i &+= 1
                    depth &-= 1
                    out.tape[open[depth] >> 1].tail = UInt32(truncatingIfNeeded: out.n)
                } else {
                    expectName = object
                    continue parsing
                }
            case UInt8(ascii: "t"):
                i = try Self.word(base, count, i, "true")
                out.append(.true, i &- 4, i)
            case UInt8(ascii: "f"):
                i = try Self.word(base, count, i, "false")
                out.append(.false, i &- 5, i)
            case UInt8(ascii: "n"):
                i = try Self.word(base, count, i, "null")
                out.append(.null, i &- 4, i)
            default:
                throw JSONParseError(reason: "unexpected character", offset: i)
            }
            // After a value: a comma, or the end of the innermost container (and maybe
            // of more), or of the document.
            while depth > 0 {
                i = Self.skipWhitespace(base, count, i)
                guard i < count else { throw JSONParseError(reason: "unexpected end of document", offset: i) }
                let top = open[depth &- 1]
                let object = top & 1 == 1
                let c = base[i]
                if c == UInt8(ascii: ",") {
                    i = Self.skipWhitespace(base, count, i &+ 1)
                    expectName = object
                    continue parsing
                }
                guard c == (object ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw JSONParseError(reason: object ? "expected ',' or '}'" : "expected ',' or ']'", offset: i)
                }
                i &+= 1
                depth &-= 1
                out.tape[top >> 1].tail = UInt32(truncatingIfNeeded: out.n)
            }
            break
        }
        i = Self.skipWhitespace(base, count, i)
        if i != count { throw JSONParseError(reason: "unexpected data after the value", offset: i) }
        built = true
        return (out.tape, out.n)
    }

    /// The tape being written: kept in a local while the document is read.
    private struct TapeWriter {
        var tape: UnsafeMutablePointer<JSONTapeEntry>
        var capacity: Int
        var n = 0

        init(capacity: Int) {
            tape = .allocate(capacity: capacity)
            self.capacity = capacity
        }

        @inline(__always)
        mutating func append(_ kind: JSONTapeEntry.Kind, _ start: Int, _ end: Int, escaped: Bool = false) {
            if n == capacity { grow() }
            (tape + n).initialize(to: JSONTapeEntry(kind, start: start, tail: end, escaped: escaped))
            n &+= 1
        }

        mutating func grow() {
            let larger = UnsafeMutablePointer<JSONTapeEntry>.allocate(capacity: capacity &* 2)
            larger.moveInitialize(from: tape, count: n)
            tape.deallocate()
            tape = larger
            capacity &*= 2
        }
    }

    /// The first byte at or after `i` that is not JSON whitespace (or `count`).
    @inline(__always)
    private static func skipWhitespace(_ base: UnsafePointer<UInt8>, _ count: Int, _ i: Int) -> Int {
        var i = i
        while i < count {
            switch base[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i &+= 1
            default: return i
            }
        }
        return i
    }

    /// `word` (true, false or null) at `i`; the offset after it.
    @inline(__always)
    private static func word(_ base: UnsafePointer<UInt8>, _ count: Int, _ i: Int, _ word: StaticString) throws(JSONParseError) -> Int {
        let n = word.utf8CodeUnitCount
        guard i &+ n <= count else { throw JSONParseError(reason: "unexpected end of document", offset: i) }
        let expected = word.utf8Start
        for k in 0..<n where base[i &+ k] != expected[k] {
            throw JSONParseError(reason: "unexpected character", offset: i)
        }
        return i &+ n
    }

    /// The string whose first byte (after the quote) is at `start`: the offset of its
    /// closing quote and whether it holds escapes. Eight bytes at a time while none of
    /// them is a quote, a backslash, a control character or non-ASCII; escapes and
    /// UTF-8 checked byte by byte.
    @inline(__always)
    private static func string(
        _ base: UnsafePointer<UInt8>, _ count: Int, _ start: Int
    ) throws(JSONParseError) -> (end: Int, escaped: Bool) {
        var i = start
        var escaped = false
        let raw = UnsafeRawPointer(base)
        while true {
            while i &+ 8 <= count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let stops = JSONTapeBuilder.stops(word)
                if stops == 0 {
                    i &+= 8
                } else {
                    // The lowest flagged byte is a real stop (the arithmetic can flag
                    // bytes above one, never below): go straight to it.
                    i &+= stops.trailingZeroBitCount >> 3
                    break
                }
            }
            guard i < count else { throw JSONParseError(reason: "unterminated string", offset: i) }
            let b = base[i]
            // The closing quote is by far the most common stop.
            if b == UInt8(ascii: "\"") { return (i, escaped) }
            if b == UInt8(ascii: "\\") {
                escaped = true
                i = try escape(base, count, i &+ 1)
            } else if b >= 0x80 {
                i = try utf8Sequence(base, count, i)
            } else if b < 0x20 {
                throw JSONParseError(reason: "control character in a string", offset: i)
            } else {
                i &+= 1
            }
        }
    }

    /// The escape whose letter is at `i` (after the backslash); the offset after it.
    private static func escape(_ base: UnsafePointer<UInt8>, _ count: Int, _ i: Int) throws(JSONParseError) -> Int {
        guard i < count else { throw JSONParseError(reason: "unterminated string", offset: i) }
        switch base[i] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
            UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return i + 1
        case UInt8(ascii: "u"):
            return try unicodeEscape(base, count, i + 1)
        default:
            throw JSONParseError(reason: "invalid escape", offset: i)
        }
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

    /// `\uXXXX` whose digits start at `i`, with a surrogate pair checked as a pair;
    /// the offset after it.
    private static func unicodeEscape(_ base: UnsafePointer<UInt8>, _ count: Int, _ i: Int) throws(JSONParseError) -> Int {
        var i = i
        let scalar = try hex4(base, count, &i)
        if (0xD800...0xDBFF).contains(scalar) {
            guard i + 1 < count, base[i] == UInt8(ascii: "\\"), base[i + 1] == UInt8(ascii: "u") else {
                throw JSONParseError(reason: "unpaired surrogate", offset: i)
            }
            i += 2
            let low = try hex4(base, count, &i)
            guard (0xDC00...0xDFFF).contains(low) else { throw JSONParseError(reason: "unpaired surrogate", offset: i) }
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw JSONParseError(reason: "unpaired surrogate", offset: i)
        }
        return i
    }

    private static func hex4(_ base: UnsafePointer<UInt8>, _ count: Int, _ i: inout Int) throws(JSONParseError) -> UInt32 {
        guard i + 4 <= count else { throw JSONParseError(reason: "unexpected end of document", offset: i) }
        guard let value = hex4(UnsafeBufferPointer(start: base + i, count: 4)) else {
            throw JSONParseError(reason: "invalid \\u escape", offset: i)
        }
        i += 4
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

    /// One well-formed UTF-8 sequence starting at `i`, a byte >= 0x80 (RFC 3629: no
    /// overlong forms, no surrogates, nothing above U+10FFFF); the offset after it.
    private static func utf8Sequence(_ base: UnsafePointer<UInt8>, _ count: Int, _ i: Int) throws(JSONParseError) -> Int {
        let b0 = base[i]
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
        default: throw JSONParseError(reason: "invalid UTF-8 in a string", offset: i)
        }
        guard i + length <= count else { throw JSONParseError(reason: "invalid UTF-8 in a string", offset: i) }
        let b1 = base[i + 1]
        guard b1 >= low && b1 <= high else { throw JSONParseError(reason: "invalid UTF-8 in a string", offset: i) }
        for k in 2..<max(2, length) {
            let b = base[i + k]
            guard b >= 0x80 && b <= 0xBF else {
                throw JSONParseError(reason: "invalid UTF-8 in a string", offset: i)
            }
        }
        return i + length
    }

    /// The number starting at `start`: the offset after it and its kind.
    @inline(__always)
    private static func number(
        _ base: UnsafePointer<UInt8>, _ count: Int, _ start: Int
    ) throws(JSONParseError) -> (end: Int, kind: JSONTapeEntry.Kind) {
        @inline(__always) func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }
        var i = start
        var integer = true
        var exponent = false
        if base[i] == UInt8(ascii: "-") { i &+= 1 }
        guard i < count, isDigit(base[i]) else { throw JSONParseError(reason: "invalid number", offset: i) }
        if base[i] == UInt8(ascii: "0") {
            i &+= 1
        } else {
            i &+= 1
            while i < count, isDigit(base[i]) { i &+= 1 }
        }
        if i < count, base[i] == UInt8(ascii: ".") || base[i] | 0x20 == UInt8(ascii: "e") {
            if base[i] == UInt8(ascii: ".") {
                integer = false
                i &+= 1
                guard i < count, isDigit(base[i]) else { throw JSONParseError(reason: "invalid number", offset: i) }
                while i < count, isDigit(base[i]) { i &+= 1 }
            }
            if i < count, base[i] | 0x20 == UInt8(ascii: "e") {
                integer = false
                exponent = true
                i &+= 1
                if i < count, base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-") { i &+= 1 }
                guard i < count, isDigit(base[i]) else { throw JSONParseError(reason: "invalid number", offset: i) }
                while i < count, isDigit(base[i]) { i &+= 1 }
            }
        }
        // Up to 18 digits always fit an Int64, and a fraction without an exponent that
        // short is always a finite double; others are converted here so that one out of
        // range is refused now, not when it is read.
        if i &- start <= 18 && !exponent {
            return (i, integer ? .integer : .number)
        }
        return (i, try longNumber(base, start, i, integer: integer))
    }

    /// The kind of a number too long to be sure of: an integer that fits an Int64, or
    /// a finite double.
    private static func longNumber(
        _ base: UnsafePointer<UInt8>, _ start: Int, _ end: Int, integer: Bool
    ) throws(JSONParseError) -> JSONTapeEntry.Kind {
        let text = String(decoding: UnsafeBufferPointer(start: base + start, count: end - start), as: UTF8.self)
        if integer, Int64(text) != nil { return .integer }
        guard let d = Double(text), d.isFinite else {
            throw JSONParseError(reason: "number out of range", offset: start)
        }
        return .number
    }
}
