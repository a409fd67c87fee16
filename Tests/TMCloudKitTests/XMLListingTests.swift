import TMCloudTransport
import Testing

/// The listing reader against the tree reader: on the same bytes both must give the
/// same error, or the same root and the same value for every field of every record.
@Suite struct XMLListingTests {
    static let ns = "urn:test:server"
    static let query = XMLListingQuery(
        namespace: ns, records: ["server", "pending"],
        fields: ["@id", "id", "name", "ip", "status/action", "status/step/number", "status/step/@kind", "status/@code"])

    enum Reading: Equatable {
        case error(String)
        /// Root name, namespace, attributes asked for, and each record's kind and fields.
        case listing(String, String?, [String?], [[String?]])
    }

    static let rootAttributes = ["totalCount", "pageSize", "id", "missing"]

    static func tree(_ bytes: [UInt8], _ query: XMLListingQuery = query) -> Reading {
        do {
            let root = try XMLDocumentParser.parse(bytes)
            let records = root.children.filter { child in
                query.records.contains { child.matches($0, ns: query.namespace) }
            }
            return .listing(
                root.localName, root.namespaceURI, rootAttributes.map { root.attribute($0) },
                records.map { record in
                    [query.records.firstIndex(of: record.localName).map { "\($0)" }]
                        + query.fields.map { record.value(atPath: $0, ns: query.namespace) }
                })
        } catch {
            return .error(error.message)
        }
    }

    /// Nil when the listing reader leaves the document to the tree.
    static func listing(_ bytes: [UInt8], _ query: XMLListingQuery = query) -> Reading? {
        do {
            guard let listing = try XMLDocumentParser.listing(bytes, query) else { return nil }
            return .listing(
                listing.rootName, listing.rootNamespace, rootAttributes.map { listing.rootAttribute($0) },
                (0..<listing.count).map { record in
                    ["\(listing.kind(record))"] + query.fields.indices.map { listing.field($0, of: record) }
                })
        } catch {
            return .error(error.message)
        }
    }

    /// Both readers agree on `text`; returns what they read.
    @discardableResult
    static func agree(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Reading? {
        let bytes = Array(text.utf8)
        let tree = tree(bytes)
        guard let listing = listing(bytes) else {
            // Left to the tree only for documents the tree reads.
            if case .error(let message) = tree { Issue.record("tree failed (\(message)), listing deferred", sourceLocation: sourceLocation) }
            return nil
        }
        #expect(listing == tree, "\(text)", sourceLocation: sourceLocation)
        return listing
    }

    static let sample = """
        <?xml version="1.0" encoding="UTF-8"?>
        <L xmlns="\(ns)" xmlns:o="urn:other" totalCount="3" pageSize="250">
          <server id="s-1" location="NA1">
            <name>  web-1 </name><description>skipped</description><ip>10.0.0.1</ip>
            <status code="7"><action>DEPLOY</action><step kind="k"><name>x</name><number>2</number></step></status>
          </server>
          <pending><id>p-1</id><name>web-2</name></pending>
          <o:server id="other"/>
          <server/>
        </L>
        """

    @Test func readsWhatTheTreeReads() throws {
        let read = try #require(Self.agree(Self.sample))
        guard case .listing(let root, let ns, let attributes, let records) = read else {
            Issue.record("not read: \(read)")
            return
        }
        #expect(root == "L" && ns == Self.ns && attributes == ["3", "250", nil, nil])
        #expect(records.count == 3)
        #expect(records[0] == ["0", "s-1", nil, "web-1", "10.0.0.1", "DEPLOY", "2", "k", "7"])
        #expect(records[1] == ["1", nil, "p-1", "web-2", nil, nil, nil, nil, nil])
        #expect(records[2] == ["0"] + [String?](repeating: nil, count: 8))
    }

    /// Namespaces are matched by URI: the prefix may change from reply to reply, and
    /// a default namespace may be undeclared below.
    @Test(arguments: ["", "ns2:", "ns9:", "a:"])
    func prefixesDoNotMatter(_ p: String) {
        let declaration = p.isEmpty ? "xmlns=\"\(Self.ns)\"" : "xmlns:\(p.dropLast())=\"\(Self.ns)\""
        let text = """
            <\(p)L \(declaration) xmlns:x="urn:other"><\(p)server \(p.isEmpty ? "" : p)id="a">
            <x:name>wrong</x:name><\(p)name>right</\(p)name><name xmlns="">none</name>
            <\(p)status><x:action>no</x:action><\(p)action>yes</\(p)action></\(p)status></\(p)server></\(p)L>
            """
        let read = Self.agree(text)
        guard case .listing(_, _, _, let records) = read else {
            Issue.record("not read: \(String(describing: read))")
            return
        }
        #expect(records.first?[3] == "right" && records.first?[5] == "yes")
        #expect(records.first?[1] == "a")
    }

    /// Only the first match of each step counts, as `XMLElement.child` finds it.
    @Test func firstMatchAtEachStep() {
        Self.agree(
            """
            <L xmlns="\(Self.ns)"><server><name>one</name><name>two</name>
            <status><step><kind/></step></status><status><action>later</action><step><number>9</number></step></status>
            </server></L>
            """)
    }

    /// Entities, character references, CDATA and blanks read as the tree reads them.
    @Test(arguments: [
        "<name>a&amp;b &lt;c&gt; &#38; &#x41;&quot;</name>", "<name><![CDATA[ <x> ]]></name>",
        "<name>\n\t a b \r\n</name>", "<name></name>", "<name/>", "<name>   </name>", "<ip> x <![CDATA[y]]> z </ip>",
    ])
    func texts(_ field: String) {
        Self.agree("<L xmlns=\"\(Self.ns)\"><server id=\"i\">\(field)</server></L>")
    }

    @Test(arguments: [
        "a&amp;b", "a&#38;b", "&amp;#38;", "&lt;&gt;&quot;&apos;", "a\tb\nc", "", "&#38;&#38;", "x&#60;y",
    ])
    func attributeValues(_ value: String) {
        Self.agree("<L xmlns=\"\(Self.ns)\" id=\"\(value)\"><server id=\"\(value)\"/></L>")
    }

    /// An undeclared prefix is a namespace error libxml2 reads past: the tree names
    /// such an element or attribute "p:name", and so does the listing.
    @Test func undeclaredPrefixes() {
        Self.agree("<L xmlns=\"\(Self.ns)\" p:totalCount=\"1\"><server p:id=\"x\" id=\"y\"><p:name>n</p:name></server></L>")
        let root = Self.agree("<p:L p:id=\"1\"><server/></p:L>")
        #expect(root == .listing("p:L", nil, [nil, nil, nil, nil], []))
    }

    /// Markup inside a field (around which the tree drops blanks) leaves the document
    /// to the tree; markup elsewhere does not.
    @Test func markupInAFieldDefers() {
        for field in ["<name>a<b/> <c/>b</name>", "<name><!--c--> x</name>", "<name>x<?pi y?></name>"] {
            let text = "<L xmlns=\"\(Self.ns)\"><server>\(field)</server></L>"
            #expect(Self.listing(Array(text.utf8)) == nil)
            #expect(throws: Never.self) { try XMLDocumentParser.parse(text) }
        }
        let outside = "<L xmlns=\"\(Self.ns)\"><!--c--><server><?pi?><status><!--x--><action>a</action></status></server></L>"
        #expect(Self.agree(outside) != nil)
    }

    /// The same errors as the tree: malformed replies, declarations, depth.
    @Test(arguments: [
        "", "not xml", "<L>", "<L><server></L>", "<L xmlns=\"\(ns)\"><server id=\"a\" id=\"b\"/></L>",
        "<L>&undefined;</L>", "<L a=\"&undefined;\"/>", "<L/><M/>", "<?xml version=\"1.0\"?><!DOCTYPE L><L/>",
        "<L><!ENTITY x \"y\"></L>", "<L>\u{01}</L>", "<L><server>text</server>trailing", "<?xml version=\"1.0\" encoding=\"bogus\"?><L/>",
    ])
    func errors(_ text: String) {
        let bytes = Array(text.utf8)
        guard case .error(let message) = Self.tree(bytes) else {
            Issue.record("the tree read \(text)")
            return
        }
        #expect(Self.listing(bytes) == .error(message))
    }

    @Test func depthLimit() {
        func nested(_ depth: Int) -> [UInt8] {
            Array((String(repeating: "<a>", count: depth + 1) + String(repeating: "</a>", count: depth + 1)).utf8)
        }
        let limit = XMLDocumentParser.maximumDepth
        #expect(Self.listing(nested(limit - 1)) == Self.tree(nested(limit - 1)))
        #expect(Self.listing(nested(limit - 1)) != .error("XML nested deeper than \(limit)"))
        #expect(Self.listing(nested(limit)) == .error("XML nested deeper than \(limit)"))
        #expect(Self.tree(nested(limit)) == .error("XML nested deeper than \(limit)"))
        // Past libxml2's own limit the parse fails, the same way for both.
        #expect(Self.listing(nested(300)) == Self.tree(nested(300)))
    }

    /// Thousands of changed copies of the sample: cut, with parts doubled, with markup
    /// characters or whole well-formed snippets dropped in. Whatever comes of each,
    /// both readers agree.
    @Test func damagedDocumentsReadAlike() {
        var random = SplitMix(seed: 0x5eed)
        let sample = Array(Self.sample.utf8)
        let pieces = Array("<>/&;=\"' !-?[]#x:ns".utf8)
        let snippets = [
            "<name>z</name>", "<!--c-->", " \n ", "<status><action>q</action></status>", "<server id='q'/>", "&amp;",
            "<o:name>o</o:name>", "<step><number>3</number></step>", "<![CDATA[&]]>", "<?p i?>", "<id>7</id>", "&#38;",
        ].map { Array($0.utf8) }
        func after(_ bytes: [UInt8], _ byte: UInt8) -> Int {
            let at = random.next(bytes.count)
            return (bytes[at...].firstIndex(of: byte) ?? bytes.count - 1) + 1
        }
        var deferred = 0, refused = 0, read = 0
        for _ in 0..<3000 {
            var bytes = sample
            for _ in 0..<(1 + random.next(2)) {
                let at = random.next(bytes.count)
                switch random.next(6) {
                case 0: bytes.removeSubrange(at..<min(bytes.count, at + 1 + random.next(12)))
                case 1:
                    // From one tag's end to a later one's: often whole elements.
                    let start = after(bytes, UInt8(ascii: ">")), end = after(bytes, UInt8(ascii: ">"))
                    if start < end { bytes.insert(contentsOf: Array(bytes[start..<end]), at: after(bytes, UInt8(ascii: ">"))) }
                case 2: bytes.insert(pieces[random.next(pieces.count)], at: at)
                case 3: if at < bytes.count { bytes[at] = pieces[random.next(pieces.count)] }
                default: bytes.insert(contentsOf: snippets[random.next(snippets.count)], at: after(bytes, UInt8(ascii: ">")))
                }
            }
            let tree = Self.tree(bytes)
            guard let listing = Self.listing(bytes) else {
                deferred += 1
                if case .error = tree { Issue.record("deferred a document the tree refuses: \(String(decoding: bytes, as: UTF8.self))") }
                continue
            }
            #expect(listing == tree, "\(String(decoding: bytes, as: UTF8.self))")
            if case .error = listing { refused += 1 } else { read += 1 }
        }
        // Damage of every kind: refused, read, left to the tree.
        print("damaged documents: \(refused) refused, \(read) read, \(deferred) deferred")
        #expect(refused > 300 && read > 300 && deferred > 0 && deferred < 300)
    }
}

/// A small deterministic generator, so that a failure can be replayed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        guard bound > 0 else { return 0 }
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int((z ^ (z >> 31)) % UInt64(bound))
    }
}
