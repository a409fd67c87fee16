import TMCloudTransport
import Testing

@Suite struct XMLDocumentTests {
    static let serverNS = "http://oec.api.opsource.net/schemas/server"
    static let generalNS = "http://oec.api.opsource.net/schemas/general"

    /// Elements are found by namespace URI whatever prefix a reply uses.
    @Test(arguments: ["ns4", "ns12", "x"])
    func matchesByNamespaceNotPrefix(_ prefix: String) throws {
        let doc = """
            <?xml version="1.0"?>
            <\(prefix):Status xmlns:\(prefix)="\(Self.generalNS)">
              <\(prefix):result> ERROR </\(prefix):result>
              <\(prefix):resultCode>REASON_392</\(prefix):resultCode>
            </\(prefix):Status>
            """
        let root = try XMLDocumentParser.parse(doc)
        #expect(root.matches("Status", ns: Self.generalNS))
        #expect(root.childText("result", ns: Self.generalNS) == "ERROR")
        #expect(root.childText("resultCode", ns: Self.generalNS) == "REASON_392")
        #expect(root.childText("resultCode", ns: Self.serverNS) == nil)
    }

    /// Default namespaces, attributes and nested lists are read.
    @Test func defaultNamespaceAndAttributes() throws {
        let doc = """
            <ServersWithState xmlns="\(Self.serverNS)" totalCount="2" pageSize="250">
              <serverWithState id="a"><name>web-1</name></serverWithState>
              <serverWithState id="b"><name>web-2</name></serverWithState>
            </ServersWithState>
            """
        let root = try XMLDocumentParser.parse(doc)
        #expect(root.attributes["totalCount"] == "2")
        let servers = root.children("serverWithState", ns: Self.serverNS)
        #expect(servers.map { $0.attributes["id"] } == ["a", "b"])
        #expect(root.descendants("name").map(\.text) == ["web-1", "web-2"])
    }

    /// A document type declaration (the road to entity expansion) is refused.
    @Test func refusesDoctype() {
        let bomb = """
            <?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>
            <lolz>&lol2;</lolz>
            """
        #expect(throws: XMLParseError.self) { try XMLDocumentParser.parse(bomb) }
    }

    /// A declaration is found wherever it is and however it is spelt, by both readers;
    /// comments, CDATA sections and exclamation marks elsewhere are no declaration.
    @Test func findsDeclarationsAnywhere() {
        let refused = "XML with a document type declaration is refused"
        let query = XMLListingQuery(namespace: "urn:x", records: ["r"], fields: ["f"])
        for declaration in ["<!DOCTYPE a>", "<!doctype a>", "<!DocType a>", "<!ENTITY x \"y\">", "<!entity  "] {
            for text in ["\(declaration)<a/>", "<a/>\(declaration)", "<a>!\(declaration)</a>", "<a>!!<\(declaration)</a>"] {
                let tree = #expect(throws: XMLParseError.self) { try XMLDocumentParser.parse(text) }
                let listing = #expect(throws: XMLParseError.self) { try XMLDocumentParser.listing(Array(text.utf8), query) }
                #expect(tree?.message == refused && listing?.message == refused, "\(text)")
            }
        }
        for text in ["<a>Hi!</a>", "<!--!--><a/>", "<a><![CDATA[!]]></a>", "<a b=\"!DOCTYPE\"/>", "<a>!ENTITY</a>", "<a/><!-- <!DOCTYP -->"] {
            #expect(throws: Never.self) { try XMLDocumentParser.parse(text) }
        }
        #expect((#expect(throws: XMLParseError.self) { try XMLDocumentParser.parse("<!DOCTYPE") })?.message == refused)
    }

    /// Broken documents are one clear error, with nothing printed by libxml2.
    @Test(arguments: ["", "<a><b></a>", "not xml", "<a>", "<html><body>502 Bad Gateway</body>"])
    func rejectsMalformed(_ text: String) {
        #expect(throws: XMLParseError.self) { try XMLDocumentParser.parse(text) }
    }

    /// Escaping keeps markup characters out of element text.
    @Test func escapes() {
        #expect(XMLEscape.text("a<b>&\"'\u{01}") == "a&lt;b&gt;&amp;&quot;&apos;")
    }
}
