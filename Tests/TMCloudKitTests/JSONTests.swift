@testable import TMCloudJSON
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

    /// A name given twice: the last value counts, in the first one's place, in small
    /// objects (scanned) and large ones (indexed) alike.
    @Test(arguments: [3, 40])
    func repeatedNames(_ size: Int) throws {
        let members = (0..<size).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let v = try JSONParser.parse("{\(members),\"k1\":\"again\",\"k0\":null}")
        let object = try #require(v.objectValue)
        #expect(object.count == size)
        #expect(object.keys == (0..<size).map { "k\($0)" })
        #expect(object["k1"] == "again" && object["k0"] == .null && object["k2"] == .int(2))
        #expect(object["k\(size - 1)"] == .int(Int64(size - 1)) && object["missing"] == nil)
        #expect(JSONWriter.string(v).hasPrefix(#"{"k0":null,"k1":"again","k2":2"#))
    }

    /// Setting and removing members keeps order and lookups right across the size at
    /// which an object starts to keep a key index; equality ignores order.
    @Test func editsAcrossTheIndexedSize() {
        var object = JSONObject()
        for n in 0..<50 { object["k\(n)"] = .int(Int64(n)) }
        object["k10"] = nil
        object["k45"] = "x"
        object["k10"] = true
        #expect(object.count == 50 && object.keys.last == "k10" && object["k45"] == "x" && object["k44"] == .int(44))
        for n in 0..<45 { object["k\(n)"] = nil }
        #expect(object.keys == ["k45", "k46", "k47", "k48", "k49"] && object["k47"] == .int(47))
        #expect(JSONObject(pairs: [("a", 1), ("b", 2)]) == JSONObject(pairs: [("b", 2), ("a", 1)]))
        #expect(JSONObject(pairs: [("a", 1)]) != JSONObject(pairs: [("a", 1), ("b", 2)]))
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

@Suite struct JSONDocumentTests {
    /// Every byte the 8-at-a-time string scan must stop at, placed at every offset of
    /// an 8-byte word: found, decoded or refused exactly as a byte-by-byte scan would.
    @Test(arguments: 0..<17)
    func stringScanStopsAtEveryOffset(_ offset: Int) throws {
        let pad = String(repeating: "a", count: offset)
        let cases: [(json: String, expected: String)] = [
            ("\"\(pad)\\\"\(pad)\"", pad + "\"" + pad),
            ("\"\(pad)\\\\x\"", pad + "\\x"),
            ("\"\(pad)é\(pad)\"", pad + "é" + pad),
            ("\"\(pad)\\u00e9\(pad)\"", pad + "é" + pad),
            ("\"\(pad)\"", pad),
        ]
        for (json, expected) in cases {
            let document = try JSONDocument(Array("[\(json),1]".utf8))
            #expect(document.root[0]?.stringValue == expected, "\(json)")
            #expect(document.root[1]?.intValue == 1)
        }
        for bad in [[UInt8(0x01)], [0x1F], [0xC3, 0x28], [0xFF], [0xED, 0xA0, 0x80]] {
            let bytes = [0x22] + Array(pad.utf8) + bad + Array("bbbbbbbbb\"".utf8)
            #expect(throws: JSONParseError.self, "\(bad) at \(offset)") { try JSONDocument(bytes) }
        }
    }

    /// Lookups read only what they are asked for, and read it as `JSONValue` would:
    /// the last of repeated names, escaped names, numbers as text, nested paths.
    @Test func lookups() throws {
        let text = #"{"id":512000001,"name":"web-1","n\u0061me2":"x","size":{"slug":"s-1"},"tags":["a","b"],"#
            + #""f":2.5,"big":9007199254740993,"ok":true,"gone":null,"id2":"7","name":"web-2"}"#
        let root = try JSONDocument(Array(text.utf8)).root
        #expect(root["id"]?.scalarText == "512000001" && root["id"]?.intValue == 512_000_001)
        #expect(root["name"]?.stringValue == "web-2")
        #expect(root["name2"]?.stringValue == "x")
        #expect(root["size"]?["slug"]?.stringValue == "s-1")
        #expect(root["tags"]?.arrayValue?.compactMap(\.stringValue) == ["a", "b"])
        #expect(root["tags"]?[1]?.stringValue == "b" && root["tags"]?[2] == nil)
        #expect(root["f"]?.doubleValue == 2.5 && root["f"]?.intValue == nil && root["f"]?.scalarText == "2.5")
        #expect(root["big"]?.intValue == 9_007_199_254_740_993)
        #expect(root["ok"]?.boolValue == true && root["gone"]?.isNull == true && root["missing"] == nil)
        #expect(root["id2"]?.scalarText == "7" && root["id2"]?.intValue == nil)
        #expect(root["tags"]?["name"] == nil && root["name"]?[0] == nil)
        #expect(root.value == (try JSONParser.parse(text)))
        // Several fields in one pass agree with the subscript, name for name.
        let names: [StaticString] = ["id", "name", "name2", "size", "missing", "", "gone"]
        let fields = root.fields(JSONKeys(names))
        for (n, name) in names.enumerated() {
            #expect(fields[n]?.value == root[name.description]?.value, "\(name)")
        }
        #expect(fields[1]?.stringValue == "web-2" && fields[2]?.stringValue == "x" && fields[4] == nil)
        let inArray = root["tags"]!.fields(JSONKeys(["a"]))
        #expect(inArray.count == 1 && inArray[0] == nil)
    }

    /// `fields` compares a member only with the names of its length: names that
    /// share a length, prefixes, escaped and non-ASCII names, the empty name and
    /// repeats are all found as the subscript finds them.
    @Test func fieldsAgreeWithTheSubscript() throws {
        let text = #"{"ab":1,"ba":2,"a":3,"abc":4,"":5,"\u0061b":6,"é":7,"\u00e9x":8,"OS-EXT-STS:task_state":9,"#
            + #""ab\"":10,"b":{"ab":11},"éx":12,"ba":13}"#
        let root = try JSONDocument(Array(text.utf8)).root
        let names: [StaticString] = ["ab", "ba", "a", "abc", "", "é", "éx", "OS-EXT-STS:task_state", "ab\"", "b", "x"]
        let fields = root.fields(JSONKeys(names))
        #expect(fields.count == names.count)
        for (n, name) in names.enumerated() {
            #expect(fields[n]?.value == root[name.description]?.value, "\(name)")
        }
        // The last of a repeated name, whether escaped or not.
        #expect(fields[0]?.intValue == 6 && fields[1]?.intValue == 13 && fields[6]?.intValue == 12)
        #expect(fields[8]?.intValue == 10 && fields[9]?["ab"]?.intValue == 11 && fields[10] == nil)
        // Not an object: nothing found.
        let scalar = try JSONDocument(Array("[1]".utf8)).root
        #expect(scalar.fields(JSONKeys(names))[0] == nil)
    }

    /// `forEachMember(named:)` sees every matching member in document order, repeats
    /// included, and nothing of an array or a scalar.
    @Test func forEachMemberNamed() throws {
        let root = try JSONDocument(Array(#"{"k":1,"x":2,"j":3,"k":4,"\u006a":5}"#.utf8)).root
        var seen: [String] = []
        root.forEachMember(named: JSONKeys(["j", "k"])) { key, value in seen.append("\(key):\(value.intValue ?? -1)") }
        #expect(seen == ["1:1", "0:3", "1:4", "0:5"])
        var none = 0
        try JSONDocument(Array(#"[{"k":1}]"#.utf8)).root.forEachMember(named: JSONKeys(["k"])) { _, _ in none += 1 }
        #expect(none == 0)
    }

    /// `elements` and `memberValues` walk what `arrayValue` and `members` list,
    /// nested containers skipped whole, and nothing of the other kinds.
    @Test func elementsAndMemberValues() throws {
        let text = #"{"a":[1,[2,{"x":[3]}],{},[],"s"],"b":{"c":{"d":1},"e":[],"f":null},"g":{},"h":[],"i":7}"#
        let root = try JSONDocument(Array(text.utf8)).root
        for path in ["a", "b", "g", "h", "i"] {
            let view = try #require(root[path])
            #expect(Array(view.elements).map(\.value) == (view.arrayValue ?? []).map(\.value), "\(path)")
            #expect(
                Array(view.memberValues).map(\.value) == (view.members ?? []).map(\.value.value), "\(path)")
        }
        #expect(Array(root.memberValues).count == 5 && Array(root.elements).isEmpty)
        #expect(Array(root["a"]!.elements).count == 5 && Array(root["b"]!.memberValues).count == 3)
    }

    /// `isString` compares a string's text without making it, escapes decoded.
    @Test func isStringComparesText() throws {
        let root = try JSONDocument(Array(#"["public","pub\u006cic","publi","publics","é","\u00e9","",1,null]"#.utf8)).root
        let values = Array(root.elements)
        #expect(values[0].isString("public") && values[1].isString("public"))
        #expect(!values[2].isString("public") && !values[3].isString("public") && !values[0].isString("publi"))
        #expect(values[4].isString("é") && values[5].isString("é") && !values[4].isString("e"))
        #expect(values[6].isString("") && !values[6].isString("x"))
        #expect(!values[7].isString("1") && !values[8].isString("null") && values[0].isString && !values[7].isString)
    }

    /// Strings made without validating the bytes again read exactly as the general
    /// decoder reads them: ASCII and not, short (kept inline by `String`) and long,
    /// with and without escapes; they compare and hash as strings made otherwise.
    @Test func stringsMatchTheGeneralDecoder() throws {
        let texts = [
            "", "a", "node-1", "exactly15bytes!", "sixteen bytes ok", "f4b5527a-5bfa-4ab7-ac56-f778a8977998",
            "é", "café", "naïve résumé déjà vu, longer than fifteen", "日本語のサーバー名", "😀 emoji 😀 and more text",
            #"tab\there"#, #"quote\"d and long enough to be stored on the heap"#, #"\u00e9t\u00e9"#, #"\ud83d\ude00"#,
        ]
        let json = "[" + texts.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        let values = try JSONDocument(Array(json.utf8)).root.arrayValue ?? []
        let decoded = try JSONParser.parse(json).arrayValue ?? []
        #expect(values.count == texts.count)
        for (n, view) in values.enumerated() {
            let fast = try #require(view.stringValue)
            // Built the ordinary way, from the same characters.
            let ordinary = String(decoding: Array(fast.utf8), as: UTF8.self)
            #expect(fast == ordinary && fast.hashValue == ordinary.hashValue && Set([fast]).contains(ordinary))
            #expect(fast.count == ordinary.count && fast.unicodeScalars.elementsEqual(ordinary.unicodeScalars))
            #expect(decoded[n].stringValue == fast, "\(texts[n])")
        }
        #expect(values[7].stringValue == "café" && values[10].stringValue == "😀 emoji 😀 and more text")
        #expect(values[13].stringValue == "été" && values[14].stringValue == "😀")
    }

    /// Integers are read from their digits: the extremes of Int64, "-0", and their
    /// text as `scalarText` gives it.
    @Test func integersFromDigits() throws {
        let text = "[0,-0,7,-7,9223372036854775807,-9223372036854775808,123456789012345678,-12345678901234567,1.0,-0.5]"
        let values = try JSONDocument(Array(text.utf8)).root.arrayValue ?? []
        #expect(
            values.map(\.intValue) == [
                0, 0, 7, -7, .max, .min, 123_456_789_012_345_678, -12_345_678_901_234_567, 1, nil,
            ])
        #expect(
            values.map(\.scalarText) == [
                "0", "0", "7", "-7", "9223372036854775807", "-9223372036854775808", "123456789012345678",
                "-12345678901234567", "1", "-0.5",
            ])
        #expect(values.map(\.value) == (try JSONParser.parse(text).arrayValue ?? []))
        #expect(values[5].value == .int(.min) && values[1].value == .int(0))
    }
}

@Suite struct JSONTextWriterTests {
    /// What needs an escape, `escape`'s rules: control characters, quote, backslash, DEL.
    static func needsEscape(_ b: UInt8) -> Bool { b < 0x20 || b == 0x22 || b == 0x5C || b == 0x7F }

    /// The eight-at-a-time test flags a word exactly when one of its bytes needs an
    /// escape: every byte value, at every place in the word, among bytes that do not.
    @Test func wordTestIsExact() {
        for filler: UInt8 in [0x41, 0x20, 0x21, 0x7E, 0x80, 0xFF] {
            for b in 0...255 {
                for place in 0..<8 {
                    var bytes = [UInt8](repeating: filler, count: 8)
                    bytes[place] = UInt8(b)
                    let word = bytes.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
                    #expect(JSONWriter.needsEscape(word: word) == Self.needsEscape(UInt8(b)), "\(b) at \(place)")
                }
            }
        }
    }

    /// Strings are written as `JSONWriter.quoted` writes them: each byte that needs an
    /// escape at every offset of the eight-byte words, among ASCII and non-ASCII text.
    @Test(arguments: 0..<18)
    func stringsMatchQuoted(_ offset: Int) {
        let pads = [String(repeating: "a", count: offset), String(repeating: "é", count: offset / 2 + 1)]
        var specials = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) } + ["\"", "\\", "\u{7F}"]
        specials += ["", "/", "é", "😀", "~"]
        for pad in pads {
            for special in specials {
                for text in [pad + special, special + pad, pad + special + pad] {
                    var out = JSONTextWriter(capacity: 1)
                    out.appendString(text)
                    let written = out.text()
                    #expect(written == JSONWriter.quoted(text), "\(Array(text.utf8))")
                    // Told whether it is ASCII: compares and hashes as any other string.
                    let ordinary = String(decoding: Array(written.utf8), as: UTF8.self)
                    #expect(written.hashValue == ordinary.hashValue && Set([ordinary]).contains(written))
                }
            }
        }
    }

    /// Literals, integers and strings in a row, the buffer grown from one byte.
    @Test func mixedPiecesAndGrowth() {
        var out = JSONTextWriter(capacity: 1)
        var expected = ""
        for n in [0, 7, -1, 100, 1234567890, Int.max, Int.min] {
            out.append("{\"n\":")
            out.append(n)
            out.append(",\"s\":")
            out.appendString("node-\(n) é")
            out.append("}")
            expected += "{\"n\":\(n),\"s\":\"node-\(n) é\"}"
        }
        out.appendString(String(repeating: "x", count: 1000))
        expected += "\"" + String(repeating: "x", count: 1000) + "\""
        #expect(out.text() == expected)
        #expect(JSONTextWriter(capacity: 0).text() == "")
    }
}
