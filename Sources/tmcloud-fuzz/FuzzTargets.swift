import TMCloudJSON
import TMCloudKit
import TMCloudTransport

/// The parsers that read what the driver is given: argv, the credentials file, the
/// configuration file, and JSON and XML replies. Each must turn any bytes into a value
/// or an error, never a crash, a hang or unbounded memory.
enum FuzzTarget: String, CaseIterable {
    case argv, credentials, config, json, xml

    func run(_ bytes: [UInt8]) {
        switch self {
        case .argv:
            // NUL-separated arguments, as the kernel hands them over.
            let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false).map {
                String(decoding: $0, as: UTF8.self)
            }
            _ = try? Invocation.parse(arguments)
        case .credentials:
            guard let lines = try? TextFile.lines(bytes: bytes) else { return }
            _ = Credentials.values(fromLines: lines)
        case .config:
            guard let lines = try? TextFile.lines(bytes: bytes) else { return }
            if let config = try? DriverConfig.parse(lines: lines, path: "fuzz.cfg") {
                _ = try? config.endpoint(default: "api.example.com")
                _ = config.list("sshKeys")
            }
        case .json:
            if let value = try? JSONParser.parse(bytes) {
                // What was read can be written, and writing is stable: written, read and
                // written again gives the same bytes (62100.0 may come back as 62100).
                let written = JSONWriter.bytes(value)
                guard let again = try? JSONParser.parse(written) else {
                    preconditionFailure("the writer made JSON the parser refuses")
                }
                precondition(JSONWriter.bytes(again) == written, "JSON writing is not stable")
                // The reply writer escapes every string read as the general writer does.
                Self.checkStrings(value)
            }
        case .xml:
            if let root = try? XMLDocumentParser.parse(bytes) {
                // Read everything the tree offers, as the providers might.
                func visit(_ element: XMLElement) {
                    _ = (element.localName, element.namespaceURI, element.attributes, element.text)
                    for child in element.children { visit(child) }
                }
                visit(root)
            }
        }
    }

    /// Every string of `value`, names included, written by `JSONTextWriter` as
    /// `JSONWriter` writes it.
    private static func checkStrings(_ value: JSONValue) {
        switch value {
        case .string(let text): checkString(text)
        case .array(let elements): elements.forEach(checkStrings)
        case .object(let object):
            for (key, member) in object.pairs {
                checkString(key)
                checkStrings(member)
            }
        default: break
        }
    }

    private static func checkString(_ text: String) {
        var direct = JSONTextWriter(capacity: 0)
        direct.appendString(text)
        let written = direct.text()
        precondition(written == JSONWriter.quoted(text), "JSONTextWriter differs from JSONWriter")
    }

    /// The target named by TMCLOUD_FUZZ_TARGET (default json).
    static var selected: FuzzTarget {
        guard let name = getenv("TMCLOUD_FUZZ_TARGET").map({ String(cString: $0) }) else { return .json }
        guard let target = FuzzTarget(rawValue: name) else {
            fatalError("TMCLOUD_FUZZ_TARGET must be one of \(allCases.map(\.rawValue))")
        }
        return target
    }
}

#if canImport(Glibc)
import Glibc
#endif
