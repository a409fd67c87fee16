import TMCloudJSON
import Testing

@Suite struct JSONParserTests {
    /// A document with every kind of value reads back as the same tree.
    @Test func parsesEveryKind() throws {
        let v = try JSONParser.parse(#"{"a":1,"b":-2.5e3,"c":"x\ny\u00e9\ud83d\ude00","d":[true,false,null],"e":{}}"#)
        #expect(v["a"] == .int(1))
        #expect(v["b"] == .double(-2500))
        #expect(v["c"]?.stringValue == "x\nyé😀")
        #expect(v["d"] == [true, false, nil])
        #expect(v["e"] == .object(JSONObject()))
    }

    /// Object keys keep the order they were read in.
    @Test func keepsKeyOrder() throws {
        let v = try JSONParser.parse(#"{"z":1,"a":2,"m":3}"#)
        #expect(v.objectValue?.keys == ["z", "a", "m"])
    }

    /// Malformed documents are errors with an offset, never a guess.
    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "-", "\"abc", "tru", "{\"a\" 1}", "[1] x", "\"\\x\"",
        "\"\\ud800\"", "nul", "[\"a\u{01}\"]", "1e", "{1:2}",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    /// Invalid UTF-8 inside a string is refused.
    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
    }

    /// Deep nesting stops at the limit instead of exhausting the stack.
    @Test func boundsNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect((try? JSONParser.parse(fine)) != nil)
    }

    /// Large integers stay exact; integral doubles print without a fraction.
    @Test func numbers() throws {
        #expect(try JSONParser.parse("9007199254740993") == .int(9_007_199_254_740_993))
        #expect(throws: JSONParseError.self) { try JSONParser.parse("1e400") }
        #expect(JSONWriter.string(.double(3)) == "3")
        #expect(JSONWriter.string(.double(0.25)) == "0.25")
    }
}

@Suite struct JSONWriterTests {
    /// Escapes what JSON requires and nothing else (no escaped slashes).
    @Test func escaping() {
        let s = JSONWriter.string(["k": "a\"b\\c/d\n\u{01}é"])
        #expect(s == #"{"k":"a\"b\\c/d\n\u0001é"}"#)
    }

    /// What the writer prints, the parser reads back unchanged.
    @Test func roundTrip() throws {
        let v: JSONValue = ["x": [1, 2.5, "s", nil, true], "y": ["z": "w"]]
        #expect(try JSONParser.parse(JSONWriter.string(v)) == v)
    }
}
