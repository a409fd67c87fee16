#if canImport(Glibc)
import Glibc
#endif

/// The pool as the last listing saw it, kept in
/// `$ZEUSHOME/zxtm/internal/tmcloud.<stateName>.nodes` (mode 0600), so that a
/// `createnode` or `destroynode` soon after a `status` (the Traffic Manager polls every
/// 30 s) can skip the look it would otherwise take first:
///
///     tmcloud-nodes 1 5f1d3c2b9a8e7d6c     the format, and a hash of the configuration
///     node 4711 normal - web-1             id, state (normal, stopped, failed), hint ("-": none), name
///
/// The file's modification time says when a listing last confirmed it: `status`
/// rewrites the file only when the pool changed and otherwise renews the time alone;
/// `createnode` and `destroynode` edit it without renewing the time. A snapshot of
/// another configuration, or older than `freshFor`, is not used.
struct PoolSnapshot: Equatable {
    /// How long a listing is trusted: twenty status polls at the default interval.
    static let freshFor: Double = 600
    static let header = "tmcloud-nodes 1 "

    var scope: String
    var nodes: [ListedNode]
    /// Seconds since a listing confirmed the nodes.
    var age: Double = .infinity

    var isFresh: Bool { age > -60 && age < Self.freshFor }

    func node(id: String) -> ListedNode? { nodes.first { $0.id == id } }

    func contains(name: String) -> Bool { nodes.contains { $0.name == name } }

    // MARK: - The file

    /// The file's text; nil when a node's id cannot be kept on a line (then no
    /// snapshot is kept at all, since one that missed a node could mislead a create).
    static func text(scope: String, nodes: [ListedNode]) -> [UInt8]? {
        var bytes = Array((header + scope + "\n").utf8)
        bytes.reserveCapacity(bytes.count + nodes.count * 80)
        for node in nodes {
            guard storable(node.id) else { return nil }
            append("node ", to: &bytes)
            append(node.id, to: &bytes)
            bytes.append(0x20)
            append(node.state.rawValue, to: &bytes)
            bytes.append(0x20)
            if storable(node.hint) { append(node.hint, to: &bytes) } else { bytes.append(UInt8(ascii: "-")) }
            bytes.append(0x20)
            // Names are only compared with --name, which has no spaces or control
            // characters: such a character becomes '?', which --name cannot hold either.
            if hasSeparator(node.name) {
                for unit in node.name.utf8 { bytes.append(isSeparator(unit) ? UInt8(ascii: "?") : unit) }
            } else {
                append(node.name, to: &bytes)
            }
            bytes.append(0x0A)
        }
        return bytes
    }

    /// Appends the UTF-8 of `text` in one copy (a `String`'s own `utf8` is appended
    /// a piece at a time).
    private static func append(_ text: String, to bytes: inout [UInt8]) {
        if text.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes += text.utf8
        }
    }

    var text: [UInt8]? { Self.text(scope: scope, nodes: nodes) }

    /// The snapshot at `path`, or nil when it is missing, unreadable, of another
    /// configuration or format, or holds a line that does not read.
    static func load(_ path: String, scope: String, now: Double) -> PoolSnapshot? {
        guard let modified = StateFile.modified(path), let bytes = StateFile.read(path, limit: 4 << 20) else {
            return nil
        }
        let lines = bytes.split(separator: 0x0A)
        guard let first = lines.first, String(decoding: first, as: UTF8.self) == header + scope else { return nil }
        var nodes: [ListedNode] = []
        nodes.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() {
            let words = line.split(separator: 0x20, maxSplits: 4, omittingEmptySubsequences: false)
            guard words.count == 5, String(decoding: words[0], as: UTF8.self) == "node",
                let state = ListedNode.State(rawValue: String(decoding: words[2], as: UTF8.self))
            else { return nil }
            let hint = String(decoding: words[3], as: UTF8.self)
            nodes.append(
                ListedNode(
                    id: String(decoding: words[1], as: UTF8.self), name: String(decoding: words[4], as: UTF8.self),
                    state: state, hint: hint == "-" ? "" : hint))
        }
        let age = now - (Double(modified.tv_sec) + Double(modified.tv_nsec) / 1e9)
        return PoolSnapshot(scope: scope, nodes: nodes, age: age)
    }

    /// Whether a value can be one word of a line.
    static func storable(_ value: String) -> Bool {
        !value.isEmpty && value != "-" && !hasSeparator(value)
    }

    /// A byte that cannot be part of a word: a space, a control character or DEL.
    static func isSeparator(_ b: UInt8) -> Bool { b <= 0x20 || b == 0x7F }

    /// Whether `value` holds a separator, eight bytes at a time: every id and name of
    /// a listing is checked.
    static func hasSeparator(_ value: String) -> Bool {
        value.utf8.withContiguousStorageIfAvailable { bytes in
            guard let base = bytes.baseAddress else { return false }
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101
            var i = 0
            while i + 8 <= bytes.count {
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                // A byte below 0x21, or one that is 0x7F, sets its high bit here (or a
                // lower one's does): exact as a yes or no.
                let del = w ^ (ones &* 0x7F)
                if ((w &- ones &* 0x21) & ~w | (del &- ones) & ~del) & (ones &* 0x80) != 0 { return true }
                i += 8
            }
            while i < bytes.count {
                if isSeparator(bytes[i]) { return true }
                i += 1
            }
            return false
        } ?? value.utf8.contains(where: isSeparator)
    }

    /// A hash of everything in the configuration, so that a snapshot taken under
    /// another `tag`, `vlanID`, endpoint or account is never used.
    static func scope(of config: DriverConfig) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for b in text.utf8 {
                hash ^= UInt64(b)
                hash = hash &* 0x100_0000_01b3
            }
            hash ^= 0x0A
            hash = hash &* 0x100_0000_01b3
        }
        mix(config.provider.rawValue)
        for key in config.entries.keys.sorted() {
            mix(key)
            mix(config.entries[key]?.value ?? "")
        }
        return String(hash, radix: 16)
    }
}

/// Names `createnode` has sent a create for, with the time, in
/// `$ZEUSHOME/zxtm/internal/tmcloud.<stateName>.creating`: a later createnode of a
/// name written here (a retry after a lost reply, a crash or a timeout) looks the name
/// up in the cloud however fresh the pool snapshot is, so that it finds the node the
/// first attempt made. Written before the create is sent, under the createnode lock.
///
///     1767225600 web-7
///
/// An entry is kept for `keptFor`, longer than a snapshot listed before that create
/// can stay fresh (its age plus the longest action), and then dropped.
struct CreateJournal: Equatable {
    static let keptFor: Int64 = 1800

    struct Entry: Equatable {
        var time: Int64
        var name: String
    }

    var entries: [Entry] = []

    /// The journal at `path` without the entries that have expired by `now`.
    static func load(_ path: String, now: Int64) -> CreateJournal {
        guard let bytes = StateFile.read(path, limit: 256 << 10) else { return CreateJournal() }
        var journal = CreateJournal()
        for line in bytes.split(separator: 0x0A) {
            let words = line.split(separator: 0x20, maxSplits: 1)
            guard words.count == 2, let time = Int64(String(decoding: words[0], as: UTF8.self)),
                time > now - keptFor
            else { continue }
            journal.entries.append(Entry(time: time, name: String(decoding: words[1], as: UTF8.self)))
        }
        return journal
    }

    func contains(_ name: String) -> Bool { entries.contains { $0.name == name } }

    var text: [UInt8] {
        Array(entries.map { "\($0.time) \($0.name)\n" }.joined().utf8)
    }
}
