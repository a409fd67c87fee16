import CLibXML2

#if canImport(Glibc)
import Glibc
#endif

/// What to read of a listing without building a tree: the records are the root's
/// children named one of `records` in `namespace`; each field is a path below a
/// record, "name" (a child's text, trimmed, as `XMLElement.text` reads it),
/// "status/step/number" (the first match at each step, as `XMLElement.child` finds
/// it) or "@id" / "status/@id" (an attribute's value, by local name). Fields end
/// their paths: "status" and "status/action" cannot both be asked for.
public struct XMLListingQuery: Sendable {
    public let namespace: String
    public let records: [String]
    public let fields: [String]
    /// The names as the parser takes them, each NUL-terminated, back to back.
    let recordBytes: [CChar]
    let fieldBytes: [CChar]

    public init(namespace: String, records: [String], fields: [String]) {
        self.namespace = namespace
        self.records = records
        self.fields = fields
        recordBytes = records.flatMap { $0.utf8CString }
        fieldBytes = fields.flatMap { $0.utf8CString }
    }
}

/// A listing read from libxml2's parse events (see `XMLDocumentParser.listing`).
public final class XMLListing {
    private let listing: UnsafeMutablePointer<tmc_xml_listing>
    /// Per field, the last value made into a string, and where its bytes are: records
    /// often repeat one (every server on the same network, from the same image, in
    /// the same state), which then costs a compare instead of making a string. Held
    /// outside Swift's exclusivity checks, which cost as much again.
    private let last: UnsafeMutableBufferPointer<(span: tmc_xml_span, string: String)?>

    init(_ listing: UnsafeMutablePointer<tmc_xml_listing>) {
        self.listing = listing
        last = .allocate(capacity: Int(listing.pointee.field_count))
        last.initialize(repeating: nil)
    }

    deinit {
        last.deinitialize()
        last.deallocate()
        tmc_xml_listing_free(listing)
    }

    /// The root's local name, as `XMLElement.localName` gives it.
    public var rootName: String { string(listing.pointee.root_name) ?? "" }

    public var rootNamespace: String? { string(listing.pointee.root_namespace) }

    /// The value of the root's attribute called `name` (by local name), when present.
    public func rootAttribute(_ name: String) -> String? {
        let attributes = listing.pointee.root_attributes
        for i in 0..<Int(listing.pointee.root_attribute_count) where equal(attributes![2 * i], name) {
            return string(attributes![2 * i + 1])
        }
        return nil
    }

    /// How many records were read.
    public var count: Int { Int(listing.pointee.count) }

    /// The index in `XMLListingQuery.records` of the record's name.
    public func kind(_ record: Int) -> Int {
        precondition(record >= 0 && record < count)
        return Int(listing.pointee.kinds[record])
    }

    /// The record's field (by index in `XMLListingQuery.fields`); nil when absent.
    public func field(_ field: Int, of record: Int) -> String? {
        let fields = Int(listing.pointee.field_count)
        precondition(record >= 0 && record < count && field >= 0 && field < fields)
        let span = listing.pointee.fields[record * fields + field]
        guard span.length > 0 else { return string(span) }
        let text = listing.pointee.text!
        if let (was, string) = last[field], was.length == span.length,
            memcmp(text + Int(was.start), text + Int(span.start), Int(span.length)) == 0
        {
            return string
        }
        let made = string(span)!
        last[field] = (span, made)
        return made
    }

    private func string(_ span: tmc_xml_span) -> String? {
        guard span.start >= 0 else { return nil }
        guard span.length > 0 else { return "" }
        return String(decoding: UnsafeBufferPointer(start: listing.pointee.text + Int(span.start), count: Int(span.length)), as: UTF8.self)
    }

    private func equal(_ span: tmc_xml_span, _ name: String) -> Bool {
        guard span.start >= 0 else { return false }
        var name = name
        return name.withUTF8 { bytes in
            bytes.count == Int(span.length)
                && (bytes.isEmpty || memcmp(listing.pointee.text + Int(span.start), bytes.baseAddress!, bytes.count) == 0)
        }
    }
}

extension XMLDocumentParser {
    /// Reads a listing as `query` asks, without building a tree, with the same checks
    /// and errors as `parse` (declarations refused, no network, no entity
    /// substitution, the depth limit). Nil when a field holds markup: the tree reads
    /// the text around markup differently, so the caller reads the tree instead.
    public static func listing(_ bytes: [UInt8], _ query: XMLListingQuery) throws(XMLParseError) -> XMLListing? {
        try check(bytes)
        let read = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { text in
                tmc_xml_read_listing(
                    text, Int32(buffer.count), options, query.namespace, query.recordBytes,
                    Int32(query.records.count), query.fieldBytes, Int32(query.fields.count))
            }
        }
        guard let read else { throw XMLParseError(message: "out of memory reading XML") }
        let listing = XMLListing(read)
        precondition(read.pointee.bad_query == 0, "XMLListingQuery fields \(query.fields) cannot be read")
        guard read.pointee.failed == 0 else { throw XMLParseError(message: "out of memory reading XML") }
        guard read.pointee.well_formed != 0 else { throw malformed() }
        guard read.pointee.has_root != 0 else { throw noRoot }
        guard read.pointee.depth < maximumDepth else { throw tooDeep }
        return read.pointee.mixed != 0 ? nil : listing
    }
}
