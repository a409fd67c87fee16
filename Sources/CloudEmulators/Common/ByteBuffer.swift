/// A growable run of bytes with cheap appends, which `JSONOutput` and `XMLOutput`
/// write documents into.
///
/// `Array.append(contentsOf:)` costs about a hundred instructions a call, whatever the
/// length; a listing page is tens of thousands of keys and short values, so that
/// overhead was most of the cost of writing one. Here an append is a bounds check and
/// a copy. Used by one request at a time, never shared.
final class ByteBuffer {
    private var start: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        start = .allocate(capacity: self.capacity)
    }

    deinit { start.deallocate() }

    /// A copy of the bytes written.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: start, count: count)) }

    func append(_ byte: UInt8) {
        if count == capacity { grow(toFit: 1) }
        start[count] = byte
        count += 1
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        if count + bytes.count > capacity { grow(toFit: bytes.count) }
        (start + count).initialize(from: source, count: bytes.count)
        count += bytes.count
    }

    func append(_ literal: StaticString) {
        literal.withUTF8Buffer { append($0) }
    }

    func append(_ text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ append($0) }) == nil {
            for byte in text.utf8 { append(byte) }
        }
    }

    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// `number` in decimal, with leading zeros up to `width` digits.
    func append(decimal number: Int, width: Int = 1) {
        guard number >= 0 else {
            append(String(number))
            return
        }
        var divisor = 1
        var digits = 1
        while digits < width || divisor <= number / 10 {
            divisor *= 10
            digits += 1
        }
        var rest = number
        while divisor > 0 {
            append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    private func grow(toFit extra: Int) {
        let newCapacity = max(capacity * 2, count + extra)
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        larger.initialize(from: start, count: count)
        start.deallocate()
        start = larger
        capacity = newCapacity
    }
}
