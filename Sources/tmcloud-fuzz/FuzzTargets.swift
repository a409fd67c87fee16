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
            let root: XMLElement
            do {
                root = try XMLDocumentParser.parse(bytes)
            } catch {
                // The listing reader refuses what the tree refuses, with the same words.
                do {
                    _ = try XMLDocumentParser.listing(bytes, Self.listing)
                    preconditionFailure("the listing reader took XML the tree refuses (\(error.message))")
                } catch let listingError {
                    precondition(listingError.message == error.message, "\(listingError.message) != \(error.message)")
                }
                return
            }
            // Read everything the tree offers, as the providers might.
            func visit(_ element: XMLElement) {
                _ = (element.localName, element.namespaceURI, element.attributes, element.text)
                for child in element.children { visit(child) }
            }
            visit(root)
            // And the listing reader reads what the tree reads (unless it leaves the
            // document to the tree).
            let read: XMLListing?
            do {
                read = try XMLDocumentParser.listing(bytes, Self.listing)
            } catch {
                preconditionFailure("the listing reader refused XML the tree read (\(error.message))")
            }
            guard let listing = read else { return }
            let query = Self.listing
            precondition(listing.rootName == root.localName && listing.rootNamespace == root.namespaceURI)
            for (name, value) in root.attributes { precondition(listing.rootAttribute(name) == value) }
            let records = root.children.filter { child in query.records.contains { child.matches($0, ns: query.namespace) } }
            precondition(listing.count == records.count, "\(listing.count) records, the tree \(records.count)")
            for (n, record) in records.enumerated() {
                precondition(query.records[listing.kind(n)] == record.localName)
                for (f, path) in query.fields.enumerated() {
                    precondition(listing.field(f, of: n) == record.value(atPath: path, ns: query.namespace), "\(path)")
                }
            }
        }
    }

    /// A listing query like the OpSource provider's, in the namespace the seeds use.
    static let listing = XMLListingQuery(
        namespace: "http://oec.api.opsource.net/schemas/server",
        records: ["serverWithState", "DeployedServer", "PendingDeployServer"],
        fields: [
            "@id", "id", "name", "privateIp", "isDeployed", "status/action", "status/step/number",
            "status/step/percentComplete", "status/@code",
        ])

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
