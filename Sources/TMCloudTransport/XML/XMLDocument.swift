import CLibXML2

#if canImport(Glibc)
import Glibc
#endif

/// Owns a parsed libxml2 document; the elements read from it keep it alive.
final class XMLTree: @unchecked Sendable {
    // Never changed after parsing, so reading it from several threads is safe.
    let document: xmlDocPtr

    init(_ document: xmlDocPtr) {
        self.document = document
    }

    deinit {
        tmc_xmlFreeDoc(document)
    }
}

/// An element of a parsed XML document, read from libxml2's tree when asked.
///
/// Nothing is copied out at parse time (copying a listing's 40,000 elements into
/// Swift values cost four times libxml2's own parse), and large listings are not
/// read through a tree at all (`XMLListing`). Elements are matched by namespace URI
/// and local name, never by prefix: the OpSource API names the same namespace `ns3`
/// in one reply and `ns2` in the next.
public struct XMLElement: @unchecked Sendable {
    let tree: XMLTree
    let node: xmlNodePtr

    public var localName: String { String(cString: node.pointee.name) }

    public var namespaceURI: String? {
        guard let href = node.pointee.ns?.pointee.href else { return nil }
        return String(cString: href)
    }

    /// The value of the attribute called `name` (by local name), when present.
    public func attribute(_ name: String) -> String? {
        var attribute = node.pointee.properties
        while let a = attribute {
            if XMLElement.equal(a.pointee.name, name) {
                guard let value = tmc_xmlNodeGetContent(UnsafeMutableRawPointer(a).assumingMemoryBound(to: xmlNode.self))
                else { return "" }
                defer { tmc_xml_free(value) }
                return String(cString: value)
            }
            attribute = a.pointee.next
        }
        return nil
    }

    /// Every attribute's value by local name.
    public var attributes: [String: String] {
        var found: [String: String] = [:]
        var attribute = node.pointee.properties
        while let a = attribute {
            let name = String(cString: a.pointee.name)
            found[name] = self.attribute(name)
            attribute = a.pointee.next
        }
        return found
    }

    /// The child elements, in document order.
    public var children: [XMLElement] {
        var found: [XMLElement] = []
        forEachChild { found.append($0) }
        return found
    }

    /// The element's own text (its text and CDATA children joined), trimmed of
    /// surrounding whitespace.
    public var text: String { XMLElement.text(of: node) }

    static func text(of node: xmlNodePtr) -> String {
        // The usual case, one text child: read it in place.
        if let only = node.pointee.children, only.pointee.next == nil,
            only.pointee.type == XML_TEXT_NODE || only.pointee.type == XML_CDATA_SECTION_NODE
        {
            guard let content = only.pointee.content else { return "" }
            return trimmed(UnsafeBufferPointer(start: content, count: strlen(content)))
        }
        var bytes: [UInt8] = []
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_TEXT_NODE || c.pointee.type == XML_CDATA_SECTION_NODE, var p = c.pointee.content {
                while p.pointee != 0 {
                    bytes.append(p.pointee)
                    p += 1
                }
            }
            child = c.pointee.next
        }
        return bytes.withUnsafeBufferPointer { trimmed($0) }
    }

    /// The bytes as a string without surrounding blanks (space, tab, CR, LF).
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        guard let first = bytes.firstIndex(where: { !blank($0) }), let last = bytes.lastIndex(where: { !blank($0) }) else {
            return ""
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[first...last]), as: UTF8.self)
    }

    /// Whether this element is `name` in namespace `ns` (any namespace when nil).
    public func matches(_ name: String, ns: String? = nil) -> Bool {
        XMLElement.node(node, matches: name, ns: ns)
    }

    static func node(_ node: xmlNodePtr, matches name: String, ns: String?) -> Bool {
        guard equal(node.pointee.name, name) else { return false }
        guard let ns else { return true }
        guard let href = node.pointee.ns?.pointee.href else { return false }
        return equal(href, ns)
    }

    /// The first child element called `name` (in `ns`, when given).
    public func child(_ name: String, ns: String? = nil) -> XMLElement? {
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE {
                let element = XMLElement(tree: tree, node: c)
                if element.matches(name, ns: ns) { return element }
            }
            child = c.pointee.next
        }
        return nil
    }

    /// Every child element called `name` (in `ns`, when given).
    public func children(_ name: String, ns: String? = nil) -> [XMLElement] {
        var found: [XMLElement] = []
        forEachChild { if $0.matches(name, ns: ns) { found.append($0) } }
        return found
    }

    /// The text of the first child called `name`; nil when there is no such child.
    public func childText(_ name: String, ns: String? = nil) -> String? {
        child(name, ns: ns)?.text
    }

    /// The texts of the first children called each of `names` (in `ns`, when given),
    /// found in one pass over the children: reading a dozen fields of a server this
    /// way walks its children once instead of a dozen times.
    public func childTexts(_ names: [String], ns: String? = nil) -> [String?] {
        var found = [String?](repeating: nil, count: names.count)
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE {
                for n in 0..<names.count where found[n] == nil && XMLElement.node(c, matches: names[n], ns: ns) {
                    found[n] = XMLElement.text(of: c)
                }
            }
            child = c.pointee.next
        }
        return found
    }

    /// The value at `path` below this element, read as an `XMLListingQuery` field is:
    /// "a/b" is the text of the first `b` in the first `a` (each in `ns`), "@b" and
    /// "a/@b" an attribute's value; nil when a step is missing.
    public func value(atPath path: String, ns: String) -> String? {
        var steps = path.split(separator: "/", omittingEmptySubsequences: false)
        let last = steps.removeLast()
        var element = self
        for step in steps {
            guard let next = element.child(String(step), ns: ns) else { return nil }
            element = next
        }
        if last.first == "@" { return element.attribute(String(last.dropFirst())) }
        return element.child(String(last), ns: ns)?.text
    }

    /// Every element below this one called `name`, in document order.
    public func descendants(_ name: String, ns: String? = nil) -> [XMLElement] {
        var found: [XMLElement] = []
        forEachChild { c in
            if c.matches(name, ns: ns) { found.append(c) }
            found.append(contentsOf: c.descendants(name, ns: ns))
        }
        return found
    }

    private func forEachChild(_ body: (XMLElement) -> Void) {
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE { body(XMLElement(tree: tree, node: c)) }
            child = c.pointee.next
        }
    }

    /// A libxml2 string (UTF-8, NUL-terminated) against a Swift one, without copying.
    static func equal(_ c: UnsafePointer<xmlChar>?, _ s: String) -> Bool {
        guard let c else { return false }
        var s = s
        return s.withUTF8 { bytes in
            for i in 0..<bytes.count where c[i] != bytes[i] { return false }
            return c[bytes.count] == 0
        }
    }
}

/// Why a document could not be read as XML.
public struct XMLParseError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Parses XML replies with libxml2, safely: no network access, no DTD loading, no
/// entity substitution, and any document type declaration refused outright (cloud
/// replies never carry one; entity-expansion attacks need one).
public enum XMLDocumentParser {
    /// Deeper documents are refused; OpSource replies nest about six levels.
    public static let maximumDepth = 64

    /// Parses a document and returns its root element.
    public static func parse(_ bytes: [UInt8]) throws(XMLParseError) -> XMLElement {
        try check(bytes)
        let document: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                tmc_xmlReadMemory($0, Int32(buffer.count), "reply.xml", nil, options)
            }
        }
        guard let document else { throw malformed() }
        let tree = XMLTree(document)
        guard let root = tmc_xmlDocGetRootElement(document) else { throw noRoot }
        guard depth(below: root) < maximumDepth else { throw tooDeep }
        return XMLElement(tree: tree, node: root)
    }

    // COMPACT keeps short texts inside their nodes, NOBLANKS drops whitespace-only
    // texts between elements: fewer allocations for a large listing, same reading.
    static let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
        | XML_PARSE_NOCDATA.rawValue | XML_PARSE_COMPACT.rawValue | XML_PARSE_NOBLANKS.rawValue)

    /// What is refused before libxml2 sees it: a declaration, an empty document.
    static func check(_ bytes: [UInt8]) throws(XMLParseError) {
        if containsDeclaration(bytes) {
            throw XMLParseError(message: "XML with a document type declaration is refused")
        }
        guard !bytes.isEmpty else { throw XMLParseError(message: "empty XML document") }
        guard bytes.count <= Int(Int32.max) else { throw XMLParseError(message: "XML document too large") }
    }

    /// The error for a document libxml2 found not well-formed, with its reason.
    static func malformed() -> XMLParseError {
        var reason = "not well-formed XML"
        var line: Int32 = 0
        if let message = tmc_xml_last_error(&line) {
            let text = String(cString: message).trimmingCharacters(in: " \n\t")
            reason = "not well-formed XML (line \(line): \(text))"
        }
        tmc_xml_reset_last_error()
        return XMLParseError(message: reason)
    }

    static let noRoot = XMLParseError(message: "XML document has no root element")
    static let tooDeep = XMLParseError(message: "XML nested deeper than \(maximumDepth)")

    /// Parses a document held in a string.
    public static func parse(_ text: String) throws(XMLParseError) -> XMLElement {
        try parse(Array(text.utf8))
    }

    /// How deep elements nest below `root`, walked without recursion.
    private static func depth(below root: xmlNodePtr) -> Int {
        var deepest = 0
        var depth = 0
        var node: xmlNodePtr? = root
        while let n = node {
            deepest = max(deepest, depth)
            if let child = firstElement(n.pointee.children) {
                node = child
                depth += 1
                continue
            }
            // Up until a parent has a next element sibling.
            var current: xmlNodePtr? = n
            node = nil
            while let c = current, c != root {
                if let sibling = firstElement(c.pointee.next) {
                    node = sibling
                    break
                }
                current = c.pointee.parent
                depth -= 1
            }
        }
        return deepest
    }

    private static func firstElement(_ start: xmlNodePtr?) -> xmlNodePtr? {
        var node = start
        while let n = node, n.pointee.type != XML_ELEMENT_NODE { node = n.pointee.next }
        return node
    }

    /// Whether the bytes contain `<!DOCTYPE` or `<!ENTITY` anywhere (any case).
    static func containsDeclaration(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, buffer.count > 8 else { return false }
            let end = base + buffer.count
            // From one '!' to the next with memchr: a listing holds 40,000 '<' and
            // next to no '!'.
            var p = base + 1
            while p < end, let found = memchr(p, Int32(UInt8(ascii: "!")), end - p) {
                let bang = UnsafePointer(found.assumingMemoryBound(to: UInt8.self))
                let lt = bang - 1
                guard lt + 8 < end else { return false }
                if lt[0] == UInt8(ascii: "<") {
                    let word = (2..<9).map { lt[$0] | 0x20 }
                    if word.starts(with: Array("doctype".utf8)) || word.starts(with: Array("entity".utf8)) {
                        return true
                    }
                }
                p = bang + 1
            }
            return false
        }
    }
}

/// Escapes text for XML documents that tmcloud writes.
public enum XMLEscape {
    /// `s` with &, <, >, " and ' escaped, and control characters other than tab and
    /// newline dropped (XML 1.0 cannot carry them).
    public static func text(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        escape(s) { out.append(contentsOf: $0) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The escaped text of `s` handed to `emit` in pieces: runs that need nothing as
    /// they are, an entity for each markup character, nothing for a dropped control
    /// character. The one definition of the driver's and the emulators' escapes; all
    /// the characters it touches are ASCII, so it works on the UTF-8 bytes.
    public static func escape(_ s: String, _ emit: (UnsafeBufferPointer<UInt8>) -> Void) {
        var s = s
        s.withUTF8 { bytes in
            var run = 0
            for i in 0..<bytes.count {
                let entity: StaticString
                switch bytes[i] {
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                case UInt8(ascii: "\""): entity = "&quot;"
                case UInt8(ascii: "'"): entity = "&apos;"
                case 0x09, 0x0A, 0x0D: continue
                case 0x00..<0x20: entity = ""
                default: continue
                }
                if run < i { emit(UnsafeBufferPointer(rebasing: bytes[run..<i])) }
                run = i + 1
                if entity.utf8CodeUnitCount > 0 { entity.withUTF8Buffer(emit) }
            }
            if run < bytes.count { emit(UnsafeBufferPointer(rebasing: bytes[run..<bytes.count])) }
        }
    }
}
