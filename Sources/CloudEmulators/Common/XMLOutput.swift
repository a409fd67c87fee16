import TMCloudTransport

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

    /// Character data, escaped by `XMLEscape` itself: the five entities, and control
    /// characters other than tab, newline and carriage return dropped.
    func text(_ text: String) {
        XMLEscape.escape(text) { buffer.append($0) }
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

}
