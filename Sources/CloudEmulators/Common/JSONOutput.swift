import TMCloudJSON

/// Writes JSON text straight into bytes, for the documents that repeat per node.
///
/// Building a `JSONValue` tree for each of 1,000 servers and then writing it was
/// most of the cost of serving a listing (tens of milliseconds, which every client in
/// the benchmark paid). The output is byte for byte what `JSONWriter` writes for the
/// same members: compact, keys in order, the same string escapes and numbers.
struct JSONOutput {
    private let buffer: ByteBuffer
    /// Whether the next member or element is the first of its container (no comma).
    private var first = true

    init(capacity: Int = 256) { buffer = ByteBuffer(capacity: capacity) }

    var bytes: [UInt8] { buffer.bytes }

    // MARK: - Containers

    mutating func object(_ members: (inout JSONOutput) -> Void) {
        open(UInt8(ascii: "{"))
        members(&self)
        close(UInt8(ascii: "}"))
    }

    mutating func array(_ elements: (inout JSONOutput) -> Void) {
        open(UInt8(ascii: "["))
        elements(&self)
        close(UInt8(ascii: "]"))
    }

    /// A member's key; its value is whatever is written next.
    mutating func key(_ name: StaticString) {
        separate()
        buffer.append(UInt8(ascii: "\""))
        buffer.append(name)
        buffer.append("\":" as StaticString)
        first = true
    }

    /// A member whose key is only known at run time (metadata, network names).
    mutating func key(_ name: String) {
        separate()
        appendQuoted(name)
        buffer.append(UInt8(ascii: ":"))
        first = true
    }

    // MARK: - Values

    mutating func string(_ text: String) {
        separate()
        appendQuoted(text)
    }

    /// `prefix` and `text` as one string (a URL and an id), without joining them first.
    mutating func string(_ prefix: String, _ text: String) {
        separate()
        buffer.append(UInt8(ascii: "\""))
        appendEscaped(prefix)
        appendEscaped(text)
        buffer.append(UInt8(ascii: "\""))
    }

    mutating func string(_ text: String?) {
        if let text { string(text) } else { null() }
    }

    /// A `Timestamp` as a string: `2026-11-23T10:00:00Z`, or with a fraction of a
    /// second and without the zone when asked.
    mutating func timestamp(_ epoch: Double, fractionDigits: Int = 0, zone: Bool = true) {
        separate()
        buffer.append(UInt8(ascii: "\""))
        Timestamp.append(epoch, fractionDigits: fractionDigits, zone: zone, to: buffer)
        buffer.append(UInt8(ascii: "\""))
    }

    mutating func int(_ number: Int) {
        separate()
        buffer.append(decimal: number)
    }

    mutating func bool(_ flag: Bool) {
        separate()
        buffer.append(flag ? "true" : "false" as StaticString)
    }

    mutating func null() {
        separate()
        buffer.append("null" as StaticString)
    }

    /// Any value, through `JSONWriter`: for the small parts that are not per node.
    mutating func value(_ value: JSONValue) {
        separate()
        buffer.append(JSONWriter.bytes(value))
    }

    /// A value written before (a catalog entry every node shares).
    mutating func raw(_ json: [UInt8]) {
        separate()
        buffer.append(json)
    }

    // MARK: - Members in one call

    mutating func field(_ name: StaticString, _ text: String) {
        key(name)
        string(text)
    }

    mutating func field(_ name: StaticString, _ text: String?) {
        key(name)
        string(text)
    }

    mutating func field(_ name: StaticString, _ number: Int) {
        key(name)
        int(number)
    }

    mutating func field(_ name: StaticString, _ flag: Bool) {
        key(name)
        bool(flag)
    }

    mutating func field(_ name: StaticString, _ value: JSONValue) {
        key(name)
        self.value(value)
    }

    // MARK: - Bytes

    private mutating func separate() {
        if !first { buffer.append(UInt8(ascii: ",")) }
        first = false
    }

    private mutating func open(_ bracket: UInt8) {
        separate()
        buffer.append(bracket)
        first = true
    }

    private mutating func close(_ bracket: UInt8) {
        buffer.append(bracket)
        first = false
    }

    private func appendQuoted(_ text: String) {
        buffer.append(UInt8(ascii: "\""))
        appendEscaped(text)
        buffer.append(UInt8(ascii: "\""))
    }

    /// The escapes of `JSONWriter`, from `JSONWriter` itself.
    private func appendEscaped(_ text: String) {
        JSONWriter.escape(text) { buffer.append($0) }
    }
}
