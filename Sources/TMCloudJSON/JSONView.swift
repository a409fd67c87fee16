/// One value of a `JSONDocument`, read on demand.
///
/// The accessors mirror `JSONValue`'s, so that code reading a reply looks the same
/// whichever it holds. A view keeps its document alive.
public struct JSONView: @unchecked Sendable {
    @usableFromInline let document: JSONDocument
    @usableFromInline let index: Int

    @usableFromInline
    init(document: JSONDocument, index: Int) {
        self.document = document
        self.index = index
    }

    private var entry: JSONTapeEntry { document.tape[index] }

    public var isNull: Bool { entry.kind == .null }
    public var isObject: Bool { entry.kind == .object }
    public var isArray: Bool { entry.kind == .array }
    public var isString: Bool { entry.kind == .string }

    /// The member `key` of an object (the last one, should the name repeat); nil for
    /// anything else or a missing key.
    public subscript(key: String) -> JSONView? {
        var found: Int?
        var key = key
        key.withUTF8 { wanted in
            forEachMember { bytes, name, value in
                if Self.name(name, in: bytes, is: wanted) { found = value }
            }
        }
        return found.map { JSONView(document: document, index: $0) }
    }

    /// Several members of an object in one pass over it, found by their position in
    /// `keys` (nil where missing, or when this is not an object): reading a dozen
    /// fields of a server this way walks its members once instead of a dozen times.
    public func fields(_ keys: JSONKeys) -> JSONFields {
        var found = InlineArray<16, UInt32>(repeating: 0)
        // A repeated name: the last one counts, as with the subscript.
        matchMembers(keys) { key, value in found[key] = UInt32(truncatingIfNeeded: value) }
        return JSONFields(document: document, found: found, count: keys.count)
    }

    /// Calls `body` with the position in `keys` and the value of each member whose
    /// name is one of them, in document order; nothing when this is not an object.
    public func forEachMember(named keys: JSONKeys, _ body: (_ key: Int, _ value: JSONView) -> Void) {
        matchMembers(keys) { key, value in body(key, JSONView(document: document, index: value)) }
    }

    /// Calls `found` with the position in `keys` and the tape index of the value of
    /// each member whose name is one of them. A plain loop, inlined into its two
    /// callers: a 1,000-server listing passes some 40,000 members through here.
    @inline(__always)
    private func matchMembers(_ keys: JSONKeys, _ found: (_ key: Int, _ value: Int) -> Void) {
        let tape = document.tape
        guard tape[index].kind == .object else { return }
        let end = tape[index].next(at: index)
        keys.byLength.withUnsafeBufferPointer { byLength in
            document.bytes.withUnsafeBufferPointer { bytes in
                var k = index + 1
                while k < end {
                    let name = tape[k]
                    if name.escaped {
                        let decoded = Self.decodeString(bytes, name)
                        for n in 0..<keys.count where decoded == keys.name(n) { found(n, k + 1) }
                    } else {
                        // Only the names of the same length are compared: mostly none or one.
                        let length = name.end - name.start
                        var candidates = length < byLength.count ? byLength[length] : 0
                        while candidates != 0 {
                            let n = candidates.trailingZeroBitCount
                            candidates &= candidates - 1
                            // Byte by byte: most names differ in the first.
                            if memcmpEqual(bytes.baseAddress! + name.start, keys.starts[n], length) { found(n, k + 1) }
                        }
                    }
                    k = tape[k + 1].next(at: k + 1)
                }
            }
        }
    }

    /// Calls `body` with the document's bytes, each member's name entry and the index
    /// of its value, in document order; nothing when this is not an object.
    private func forEachMember(_ body: (UnsafeBufferPointer<UInt8>, JSONTapeEntry, Int) -> Void) {
        let tape = document.tape
        guard tape[index].kind == .object else { return }
        let end = tape[index].next(at: index)
        document.bytes.withUnsafeBufferPointer { bytes in
            var k = index + 1
            while k < end {
                body(bytes, tape[k], k + 1)
                k = tape[k + 1].next(at: k + 1)
            }
        }
    }

    /// Whether the member name `name` reads `wanted` (its bytes compared, or, when the
    /// name holds escapes, its decoded text compared as strings).
    private static func name(
        _ name: JSONTapeEntry, in bytes: UnsafeBufferPointer<UInt8>, is wanted: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        if name.escaped { return decodeString(bytes, name) == String(decoding: wanted, as: UTF8.self) }
        let length = name.end - name.start
        return length == wanted.count
            && (length == 0 || memcmpEqual(bytes.baseAddress! + name.start, wanted.baseAddress!, length))
    }

    /// The element at `position` of an array; nil when out of range or not an array.
    public subscript(position: Int) -> JSONView? {
        let tape = document.tape
        guard tape[index].kind == .array, position >= 0 else { return nil }
        let end = tape[index].next(at: index)
        var k = index + 1
        for _ in 0..<position where k < end { k = tape[k].next(at: k) }
        return k < end ? JSONView(document: document, index: k) : nil
    }

    /// The elements of an array, in order; nil for anything else.
    public var arrayValue: [JSONView]? {
        let tape = document.tape
        guard tape[index].kind == .array else { return nil }
        var elements: [JSONView] = []
        var k = index + 1
        let end = tape[index].next(at: index)
        while k < end {
            elements.append(JSONView(document: document, index: k))
            k = tape[k].next(at: k)
        }
        return elements
    }

    /// The elements of an array, in order, read off the document without collecting
    /// them; none for anything else.
    public var elements: JSONValues {
        let tape = document.tape
        let end = tape[index].kind == .array ? tape[index].next(at: index) : index + 1
        return JSONValues(document: document, position: index + 1, end: end, step: 0)
    }

    /// The values of an object's members, in document order, without their names;
    /// none for anything else.
    public var memberValues: JSONValues {
        let tape = document.tape
        let end = tape[index].kind == .object ? tape[index].next(at: index) : index + 1
        // Each value follows its name's entry.
        return JSONValues(document: document, position: index + 2, end: end, step: 1)
    }

    /// The members of an object, in document order (a repeated name appears twice).
    public var members: [(key: String, value: JSONView)]? {
        guard entry.kind == .object else { return nil }
        var result: [(key: String, value: JSONView)] = []
        forEachMember { bytes, name, value in
            result.append((JSONView.decodeString(bytes, name), JSONView(document: document, index: value)))
        }
        return result
    }

    public var stringValue: String? {
        let e = entry
        guard e.kind == .string else { return nil }
        return document.bytes.withUnsafeBufferPointer { JSONView.decodeString($0, e) }
    }

    /// Whether this is a string that reads `text`, found without making a `String`.
    public func isString(_ text: StaticString) -> Bool {
        let e = entry
        guard e.kind == .string else { return false }
        if e.escaped { return stringValue == text.description }
        let length = e.end - e.start
        guard length == text.utf8CodeUnitCount else { return false }
        return length == 0
            || document.bytes.withUnsafeBufferPointer { memcmpEqual($0.baseAddress! + e.start, text.utf8Start, length) }
    }

    public var boolValue: Bool? {
        switch entry.kind {
        case .true: return true
        case .false: return false
        default: return nil
        }
    }

    public var intValue: Int64? {
        switch entry.kind {
        case .integer: return integer
        case .number:
            guard let d = Double(text), d.rounded() == d, abs(d) < 9.0e15 else { return nil }
            return Int64(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch entry.kind {
        case .integer, .number: return Double(text)
        default: return nil
        }
    }

    /// A scalar as text: strings as they are, numbers in decimal, as `JSONValue`'s.
    public var scalarText: String? {
        switch entry.kind {
        case .string: return stringValue
        case .integer:
            // The builder let through only `-?(0|[1-9][0-9]*)` within Int64: that text
            // is already the number in decimal, but for "-0".
            let e = entry
            return document.bytes.withUnsafeBufferPointer { bytes in
                if bytes[e.start] == UInt8(ascii: "-") && bytes[e.start + 1] == UInt8(ascii: "0") { return "0" }
                return Self.string(UnsafeBufferPointer(rebasing: bytes[e.start..<e.end]))
            }
        case .number: return Double(text).map(JSONWriter.format)
        case .true: return "true"
        case .false: return "false"
        default: return nil
        }
    }

    /// The value as a `JSONValue` tree.
    public var value: JSONValue {
        switch entry.kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .integer: return .int(integer)
        case .number: return .double(Double(text) ?? 0)
        case .string: return .string(stringValue ?? "")
        case .array: return .array((arrayValue ?? []).map(\.value))
        case .object:
            // A repeated name: the last value counts, in the first one's place.
            let pairs = (members ?? []).map { ($0.key, $0.value.value) }
            return .object(JSONObject(pairs: pairs))
        }
    }

    /// The raw text of a scalar.
    private var text: String {
        let e = entry
        return document.bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[e.start..<e.end]), as: UTF8.self)
        }
    }

    /// An integer entry's value, read from its digits: the builder has checked that
    /// they fit an Int64.
    private var integer: Int64 {
        let e = entry
        return document.bytes.withUnsafeBufferPointer { bytes in
            let negative = bytes[e.start] == UInt8(ascii: "-")
            // Summed below zero, where Int64.min fits.
            var value: Int64 = 0
            for i in (negative ? e.start + 1 : e.start)..<e.end {
                value = value &* 10 &- Int64(bytes[i] &- UInt8(ascii: "0"))
            }
            return negative ? value : 0 &- value
        }
    }

    /// A `String` of bytes the builder has validated as UTF-8, copied without
    /// validating them again; only whether they are ASCII, which `String` keeps, is
    /// found out here.
    private static func string(_ utf8: UnsafeBufferPointer<UInt8>) -> String {
        String(copying: UTF8Span(unchecked: utf8.span, isKnownASCII: isASCII(utf8)))
    }

    /// Whether no byte is above 0x7F, eight at a time.
    private static func isASCII(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = utf8.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var high: UInt64 = 0
        var i = 0
        while i + 8 <= utf8.count {
            high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < utf8.count {
            high |= UInt64(base[i])
            i += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// A string entry's text, escapes decoded; the bytes were validated by the builder.
    static func decodeString(_ bytes: UnsafeBufferPointer<UInt8>, _ e: JSONTapeEntry) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[e.start..<e.end])
        guard e.escaped else { return string(raw) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            let b = raw[i]
            guard b == UInt8(ascii: "\\") else {
                out.append(b)
                i += 1
                continue
            }
            let e = raw[i + 1]
            i += 2
            switch e {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex4(raw, i)
                i += 4
                if (0xD800...0xDBFF).contains(scalar) {
                    let low = hex4(raw, i + 2)
                    i += 6
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                appendUTF8(scalar, to: &out)
            default: out.append(e)  // '"', '\\' and '/' stand for themselves
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Four hexadecimal digits at `at`, which the builder has checked.
    private static func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ at: Int) -> UInt32 {
        JSONTapeBuilder.hex4(UnsafeBufferPointer(rebasing: raw[at..<at + 4])) ?? 0
    }

    private static func appendUTF8(_ scalar: UInt32, to out: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            out.append(UInt8(scalar))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (scalar >> 6)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (scalar >> 12)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (scalar >> 18)))
            out.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    while i < n {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}

extension JSONDocument {
    /// The top-level value of a document held in a string.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONView {
        try JSONDocument(Array(text.utf8)).root
    }
}

/// Member names that `JSONView.fields(_:)` and `forEachMember(named:_:)` look for,
/// sorted by length once (kept in a `static let`), so that each member of an object
/// is compared with the few names of its own length, not with all of them.
public struct JSONKeys: @unchecked Sendable {
    /// At most this many names: `JSONFields` keeps what it finds without an allocation.
    public static let capacity = 16  // the size of `JSONFields.found`

    /// Where each name's UTF-8 starts: string literals, which never move or change.
    let starts: [UnsafePointer<UInt8>]
    private let names: [StaticString]
    /// Bit n of `byLength[k]` is set when name n is k bytes long.
    let byLength: [UInt16]

    public init(_ names: [StaticString]) {
        precondition(names.count <= Self.capacity, "JSONKeys holds at most \(Self.capacity) names")
        self.names = names
        starts = names.map(\.utf8Start)
        var byLength = [UInt16](repeating: 0, count: (names.map(\.utf8CodeUnitCount).max() ?? 0) + 1)
        for (n, name) in names.enumerated() { byLength[name.utf8CodeUnitCount] |= 1 << n }
        self.byLength = byLength
    }

    public var count: Int { names.count }

    func name(_ n: Int) -> String { names[n].description }
}

/// What `JSONView.fields(_:)` found, by the names' positions in its `JSONKeys`.
/// Not copyable: it is read where it is made, and a copy of it would cost more than
/// reading a field.
public struct JSONFields: ~Copyable, @unchecked Sendable {
    @usableFromInline let document: JSONDocument
    /// The tape index of each name's value; 0 (the root, never a member) where missing.
    @usableFromInline let found: InlineArray<16, UInt32>
    public let count: Int

    init(document: JSONDocument, found: InlineArray<16, UInt32>, count: Int) {
        self.document = document
        self.found = found
        self.count = count
    }

    /// The value of the `n`th name; nil when the object has no such member. Inlined
    /// where it is read, so that reading a field does not copy the whole struct.
    @inlinable
    public subscript(n: Int) -> JSONView? {
        precondition(n >= 0 && n < count, "no such field")
        let index = found[n]
        return index == 0 ? nil : JSONView(document: document, index: Int(index))
    }
}

/// The elements of an array or the member values of an object, one at a time.
public struct JSONValues: Sequence, IteratorProtocol, @unchecked Sendable {
    let document: JSONDocument
    /// The tape index of the next value.
    var position: Int
    let end: Int
    /// Entries to skip after each value: 1 over an object's next member name.
    let step: Int

    public mutating func next() -> JSONView? {
        guard position < end else { return nil }
        let view = JSONView(document: document, index: position)
        position = document.tape[position].next(at: position) + step
        return view
    }
}
