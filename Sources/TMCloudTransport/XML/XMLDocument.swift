import CLibXML2

/// An element of a parsed XML document, copied out of libxml2's tree.
///
/// Elements are matched by namespace URI and local name, never by prefix: the OpSource
/// API names the same namespace `ns3` in one reply and `ns2` in the next.
public struct XMLElement: Sendable, Equatable {
    public var localName: String
    public var namespaceURI: String?
    /// Attribute values by local name.
    public var attributes: [String: String]
    public var children: [XMLElement]
    /// The element's own text (its text and CDATA children joined), trimmed of
    /// surrounding whitespace.
    public var text: String

    public init(
        localName: String, namespaceURI: String? = nil, attributes: [String: String] = [:],
        children: [XMLElement] = [], text: String = ""
    ) {
        self.localName = localName
        self.namespaceURI = namespaceURI
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// Whether this element is `name` in namespace `ns` (any namespace when nil).
    public func matches(_ name: String, ns: String? = nil) -> Bool {
        localName == name && (ns == nil || namespaceURI == ns)
    }

    /// The first child element called `name` (in `ns`, when given).
    public func child(_ name: String, ns: String? = nil) -> XMLElement? {
        children.first { $0.matches(name, ns: ns) }
    }

    /// Every child element called `name` (in `ns`, when given).
    public func children(_ name: String, ns: String? = nil) -> [XMLElement] {
        children.filter { $0.matches(name, ns: ns) }
    }

    /// The text of the first child called `name`; nil when there is no such child.
    public func childText(_ name: String, ns: String? = nil) -> String? {
        child(name, ns: ns)?.text
    }

    /// Every element below this one called `name`, in document order.
    public func descendants(_ name: String, ns: String? = nil) -> [XMLElement] {
        var found: [XMLElement] = []
        for c in children {
            if c.matches(name, ns: ns) { found.append(c) }
            found.append(contentsOf: c.descendants(name, ns: ns))
        }
        return found
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
        if containsDeclaration(bytes) {
            throw XMLParseError(message: "XML with a document type declaration is refused")
        }
        guard !bytes.isEmpty else { throw XMLParseError(message: "empty XML document") }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
            | XML_PARSE_NOCDATA.rawValue)
        let document: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                tmc_xmlReadMemory($0, Int32(buffer.count), "reply.xml", nil, options)
            }
        }
        guard let document else {
            var reason = "not well-formed XML"
            var line: Int32 = 0
            if let message = tmc_xml_last_error(&line) {
                let text = String(cString: message).trimmingCharacters(in: " \n\t")
                reason = "not well-formed XML (line \(line): \(text))"
            }
            tmc_xml_reset_last_error()
            throw XMLParseError(message: reason)
        }
        defer { tmc_xmlFreeDoc(document) }
        guard let root = tmc_xmlDocGetRootElement(document) else {
            throw XMLParseError(message: "XML document has no root element")
        }
        return try convert(root, depth: 0)
    }

    /// Parses a document held in a string.
    public static func parse(_ text: String) throws(XMLParseError) -> XMLElement {
        try parse(Array(text.utf8))
    }

    private static func convert(_ node: xmlNodePtr, depth: Int) throws(XMLParseError) -> XMLElement {
        guard depth < maximumDepth else { throw XMLParseError(message: "XML nested deeper than \(maximumDepth)") }
        var element = XMLElement(localName: string(node.pointee.name))
        if let ns = node.pointee.ns, let href = ns.pointee.href {
            element.namespaceURI = string(href)
        }
        var attribute = node.pointee.properties
        while let a = attribute {
            if let value = tmc_xmlNodeGetContent(UnsafeMutableRawPointer(a).assumingMemoryBound(to: xmlNode.self)) {
                element.attributes[string(a.pointee.name)] = string(value)
                tmc_xml_free(value)
            }
            attribute = a.pointee.next
        }
        var text: [UInt8] = []
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE:
                element.children.append(try convert(c, depth: depth + 1))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = c.pointee.content {
                    var p = content
                    while p.pointee != 0 {
                        text.append(p.pointee)
                        p += 1
                    }
                }
            default:
                break
            }
            child = c.pointee.next
        }
        element.text = String(decoding: text, as: UTF8.self).trimmingCharacters(in: " \t\r\n")
        return element
    }

    private static func string(_ p: UnsafePointer<xmlChar>?) -> String {
        guard let p else { return "" }
        return String(cString: p)
    }

    private static func string(_ p: UnsafeMutablePointer<xmlChar>) -> String {
        String(cString: p)
    }

    /// Whether the bytes contain `<!DOCTYPE` or `<!ENTITY` anywhere (any case).
    static func containsDeclaration(_ bytes: [UInt8]) -> Bool {
        let lt = UInt8(ascii: "<"), bang = UInt8(ascii: "!")
        var i = 0
        while i + 8 < bytes.count {
            if bytes[i] == lt, bytes[i + 1] == bang {
                let word = bytes[(i + 2)..<min(bytes.count, i + 9)].map { $0 | 0x20 }
                if word.starts(with: Array("doctype".utf8)) || word.starts(with: Array("entity".utf8)) {
                    return true
                }
            }
            i += 1
        }
        return false
    }
}

/// Escapes text for XML documents that tmcloud writes.
public enum XMLEscape {
    /// `s` with &, <, >, " and ' escaped, and control characters other than tab and
    /// newline dropped (XML 1.0 cannot carry them).
    public static func text(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                if scalar.value >= 0x20 { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
