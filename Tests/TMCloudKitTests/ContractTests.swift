import TMCloudJSON
import TMCloudKit
import TMCloudTransport
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct EnvelopeTests {
    /// The three envelopes print exactly as the contract shows, every field present.
    @Test func shapes() throws {
        let node = NodeRecord(
            uniqID: "42", name: "web-1", status: .pending, complete: 33, created: "2026-11-23T10:00:00Z",
            imageID: "img", sizeID: "s-1")
        #expect(
            Envelope.nodeStatus.render([node])
                == #"{"NodeStatusResponse":{"version":1,"code":200,"nodes":[{"uniq_id":"42","name":"web-1","status":"pending","complete":33,"public_ip":"","private_ip":"","created":"2026-11-23T10:00:00Z","imageid":"img","sizeid":"s-1"}]}}"#
                + "\n")
        let create = try JSONParser.parse(Envelope.createNode.render([node]))
        #expect(create["CreateNodeResponse"]?["code"] == 202)
        #expect(Envelope.destroyNode.render([]) == #"{"DestroyNodeResponse":{"version":1,"code":202,"nodes":[]}}"# + "\n")
    }

    /// The direct writer prints exactly what the generic writer makes of the same
    /// document, escapes and non-ASCII included, for one node and for many.
    @Test func directWriterMatchesTheTree() throws {
        let odd = NodeRecord(
            uniqID: "a\"b\\c", name: "tab\there\u{01}\u{7F}é😀", status: .destroyed, complete: 100,
            publicIP: "198.51.100.7", privateIP: "10.0.0.1", created: "", imageID: "/x/", sizeID: "")
        let plain = NodeRecord(uniqID: "1", name: "n", status: .active, complete: 100)
        for nodes in [[odd], [plain, odd, plain], Array(repeating: plain, count: 300)] {
            for envelope in [Envelope.nodeStatus, .createNode, .destroyNode] {
                #expect(envelope.render(nodes) == JSONWriter.string(envelope.document(nodes)) + "\n")
            }
        }
        let parsed = try JSONParser.parse(Envelope.nodeStatus.render([odd]))
        #expect(parsed["NodeStatusResponse"]?["nodes"]?[0]?["name"]?.stringValue == odd.name)
    }

    /// complete is clamped to 0...100.
    @Test func clampsComplete() {
        #expect(NodeRecord(uniqID: "a", name: "b", status: .active, complete: 150).complete == 100)
        #expect(NodeRecord(uniqID: "a", name: "b", status: .active, complete: -5).complete == 0)
    }
}

@Suite struct TimestampTests {
    /// Cloud timestamp forms normalise to RFC 3339 UTC seconds.
    @Test(arguments: [
        ("2020-07-21T18:37:44Z", "2020-07-21T18:37:44Z"), ("2010-03-22T18:36:21.000Z", "2010-03-22T18:36:21Z"),
        ("2013-09-03T04:01:32+02:00", "2013-09-03T02:01:32Z"), ("2013-09-03T04:01:32-0130", "2013-09-03T05:31:32Z"),
        ("2013-09-03T04:01:32", "2013-09-03T04:01:32Z"), ("garbage", ""), ("2013-13-03T04:01:32Z", ""),
    ])
    func normalize(_ input: String, _ expected: String) {
        #expect(Timestamp.normalize(input) == expected)
    }

    /// The calendar arithmetic agrees with glibc's gmtime_r and timegm, second for
    /// second, across leap years, century rules and both sides of 1970.
    @Test func agreesWithGlibc() {
        var seconds: Int64 = -2_208_988_800  // 1900-01-01
        while seconds < 7_258_118_400 {  // 2200-01-01
            var t = time_t(seconds)
            var parts = tm()
            gmtime_r(&t, &parts)
            let glibc = String(
                format4: Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
                Int(parts.tm_min), Int(parts.tm_sec))
            let ours = Timestamp.format(Double(seconds))
            #expect(ours == glibc)
            #expect(Timestamp.parse(ours) == Double(seconds))
            if ours != glibc { break }
            seconds += 86_400 * 37 + 3_607
        }
        // Days past a month's end roll over as timegm's do; fractions round down.
        #expect(Timestamp.normalize("2023-02-30T00:00:00Z") == "2023-03-02T00:00:00Z")
        #expect(Timestamp.format(1_700_000_000.9) == "2023-11-14T22:13:20Z")
    }

    /// A timestamp already in contract form is kept as it is: exactly when converting
    /// it would give it back. Every day number of every month (31 April, 29 February
    /// of leap and other years, century years), the first and last second of a day
    /// and a leap second, from year 0 to 9999.
    @Test func contractFormKeptAsItIs() {
        for year in [0, 1, 4, 100, 1582, 1900, 1969, 1970, 2000, 2023, 2024, 2026, 2100, 2400, 9999] {
            for month in 0...13 {
                for day in 0...32 {
                    for time in ["00:00:00", "23:59:59", "23:59:60", "24:00:00", "12:60:00"] {
                        let text =
                            "\(zeroPadded(year, 4))-\(zeroPadded(month, 2))-\(zeroPadded(day, 2))T\(time)Z"
                        let converted = Timestamp.parse(text).map(Timestamp.format) ?? ""
                        #expect(Timestamp.normalize(text) == converted, "\(text)")
                    }
                }
            }
        }
        for odd in ["2026-11-23t10:00:00Z", "2026-11-23T10:00:00z", "2026-11-23 10:00:00Z", "2026-11-23T10:00:00ZZ"] {
            #expect(Timestamp.normalize(odd) == (Timestamp.parse(odd).map(Timestamp.format) ?? ""), "\(odd)")
        }
    }
}

extension String {
    /// `YYYY-MM-DDTHH:MM:SSZ` from the parts, zero-padded.
    fileprivate init(format4 y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int) {
        self = "\(zeroPadded(y, 4))-\(zeroPadded(mo, 2))-\(zeroPadded(d, 2))T\(zeroPadded(h, 2)):\(zeroPadded(mi, 2)):\(zeroPadded(s, 2))Z"
    }
}

private func zeroPadded(_ n: Int, _ width: Int) -> String {
    let text = String(n)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}

@Suite struct RedactorTests {
    /// Secrets and their Basic-auth form become ***, longest first.
    @Test func redacts() {
        let r = Redactor()
        r.addBasicAuth(user: "bob", password: "hunter2")
        r.add("hunter2-long")
        #expect(r.redact("pw hunter2-long and hunter2") == "pw *** and ***")
        #expect(r.redact("Basic \(Base64.encode("bob:hunter2"))") == "Basic ***")
        #expect(r.redact("nothing here") == "nothing here")
    }
}

@Suite struct Base64Tests {
    /// Encoding and decoding agree with RFC 4648's test vectors.
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")])
    func vectors(_ plain: String, _ encoded: String) {
        #expect(Base64.encode(plain) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }
}
