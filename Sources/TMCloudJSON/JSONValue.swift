/// A JSON value.
///
/// tmcloud parses cloud replies and writes its envelope with this type instead of
/// Foundation's Codable: the driver is a fresh process on every poll, and leaving
/// Foundation out saves startup time and megabytes of binary (see docs/performance.md).
/// Objects keep their keys in insertion order, so what tmcloud writes is stable.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number that fits an integer exactly (ids, counts, timestamps).
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// A JSON object with its keys in the order they were read or set.
///
/// The members are one array, looked up by scanning: objects in cloud replies hold a
/// few dozen members at most, and a hash table per object was most of the memory of a
/// 1,000-server listing (docs/performance.md). Objects larger than `indexedSize` get
/// a key index, so that a large one never costs quadratic time.
public struct JSONObject: Sendable, Equatable {
    private var members: [(key: String, value: JSONValue)]
    private var index: [String: Int]?

    /// Above this many members an object keeps a key index.
    static let indexedSize = 32

    public init() {
        members = []
    }

    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        members = []
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    public init(pairs: [(String, JSONValue)]) {
        members = []
        members.reserveCapacity(pairs.count)
        for (key, value) in pairs { self[key] = value }
    }

    /// Where `key` is in `members`.
    private func position(of key: String) -> Int? {
        if let index { return index[key] }
        return members.firstIndex { $0.key == key }
    }

    private mutating func rebuildIndex() {
        var index: [String: Int] = [:]
        index.reserveCapacity(members.count)
        for (n, member) in members.enumerated() { index[member.key] = n }
        self.index = index
    }

    public subscript(key: String) -> JSONValue? {
        get { position(of: key).map { members[$0].value } }
        set {
            if let newValue {
                if let n = position(of: key) {
                    members[n].value = newValue
                } else {
                    members.append((key, newValue))
                    if index != nil {
                        index![key] = members.count - 1
                    } else if members.count > Self.indexedSize {
                        rebuildIndex()
                    }
                }
            } else if let n = position(of: key) {
                members.remove(at: n)
                if index != nil { rebuildIndex() }
            }
        }
    }

    public var keys: [String] { members.map(\.key) }
    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    /// The pairs in key order.
    public var pairs: [(key: String, value: JSONValue)] { members }

    /// Equal when both hold the same keys with equal values, in any order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.members.allSatisfy { rhs[$0.key] == $0.value }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(pairs: elements))
    }
}

// MARK: - Reading

extension JSONValue {
    /// The member `key` of an object; nil for anything else or a missing key.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The element at `index` of an array; nil when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e15: return Int64(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// A scalar as text: strings as they are, numbers in decimal (cloud ids come as
    /// either: DigitalOcean droplet ids are numbers, Nova server ids strings).
    public var scalarText: String? {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return JSONWriter.format(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }
}
