/// Writes XML text straight into bytes, for the OEC server listings: concatenating
/// Strings element by element cost more than everything else in serving a page.
struct XMLOutput {
    private let buffer: ByteBuffer

    init(capacity: Int = 256) { buffer = ByteBuffer(capacity: capacity) }

    var bytes: [UInt8] { buffer.bytes }

    /// Markup, written as it is.
    func markup(_ text: String) {
        buffer.append(text)
    }

    /// `<tag>text</tag>`, the text escaped.
    func element(_ tag: StaticString, _ text: String) {
        open(tag)
        self.text(text)
        close(tag)
    }

    func element(_ tag: StaticString, _ number: Int) {
        open(tag)
        buffer.append(decimal: number)
        close(tag)
    }

    func element(_ tag: StaticString, _ flag: Bool) {
        element(tag, flag ? "true" : "false")
    }

    /// An xs:dateTime as OEC writes it, `2026-11-23T10:00:00.000Z`.
    func element(_ tag: StaticString, time epoch: Double) {
        open(tag)
        Timestamp.append(epoch, fractionDigits: 3, to: buffer)
        close(tag)
    }

    /// Character data, escaped as `XMLEscape.text` does: the five entities, and control
    /// characters other than tab, newline and carriage return dropped.
    func text(_ text: String) {
        let clean = text.utf8.withContiguousStorageIfAvailable { utf8 in
            for byte in utf8 where Self.needsEscape(byte) { return false }
            buffer.append(utf8)
            return true
        }
        if clean == true { return }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): buffer.append("&amp;" as StaticString)
            case UInt8(ascii: "<"): buffer.append("&lt;" as StaticString)
            case UInt8(ascii: ">"): buffer.append("&gt;" as StaticString)
            case UInt8(ascii: "\""): buffer.append("&quot;" as StaticString)
            case UInt8(ascii: "'"): buffer.append("&apos;" as StaticString)
            case 0x09, 0x0A, 0x0D: buffer.append(byte)
            case 0x00..<0x20: break
            default: buffer.append(byte)
            }
        }
    }

    private func open(_ tag: StaticString) {
        buffer.append(UInt8(ascii: "<"))
        buffer.append(tag)
        buffer.append(UInt8(ascii: ">"))
    }

    private func close(_ tag: StaticString) {
        buffer.append("</" as StaticString)
        buffer.append(tag)
        buffer.append(UInt8(ascii: ">"))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "&"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: "'"): true
        case 0x09, 0x0A, 0x0D: false
        default: byte < 0x20
        }
    }
}
