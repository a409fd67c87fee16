import TMCloudTestSupport
import Testing

@testable import TMCloudKit

#if canImport(Glibc)
import Glibc
#endif

/// The pool snapshot and the create journal: their files, and when they are trusted.
@Suite struct PoolSnapshotTests {
    static let nodes = [
        ListedNode(id: "4711", name: "web-1", state: .normal, hint: "203.0.113.7"),
        ListedNode(id: "4712", name: "web 2\nx", state: .stopped),
        ListedNode(id: "4713", name: "", state: .failed, hint: "has space"),
    ]

    @Test func roundTripsAndTellsAgeAndScope() throws {
        let home = ZeusHomeFixture()
        let path = home.internalDirectory + "/tmcloud.pool.nodes"
        let text = try #require(PoolSnapshot.text(scope: "abc", nodes: Self.nodes))
        #expect(
            String(decoding: text, as: UTF8.self)
                == "tmcloud-nodes 1 abc\n" + "node 4711 normal 203.0.113.7 web-1\n" + "node 4712 stopped - web?2?x\n"
                + "node 4713 failed - \n")
        try StateFile.write(text, to: path)
        let now = Double(time(nil))
        let loaded = try #require(PoolSnapshot.load(path, scope: "abc", now: now))
        #expect(loaded.nodes.map(\.id) == ["4711", "4712", "4713"])
        #expect(loaded.nodes.map(\.hint) == ["203.0.113.7", "", ""])
        #expect(loaded.nodes.map(\.state) == [.normal, .stopped, .failed])
        // A name with spaces or control characters can never equal a --name.
        #expect(loaded.contains(name: "web-1") && !loaded.contains(name: "web 2\nx"))
        #expect(loaded.isFresh && loaded.node(id: "4712")?.name == "web?2?x")
        #expect(PoolSnapshot.load(path, scope: "another", now: now) == nil)
        #expect(setAge(of: path, seconds: 599))
        #expect(PoolSnapshot.load(path, scope: "abc", now: Double(time(nil)))?.isFresh == true)
        #expect(setAge(of: path, seconds: 601))
        #expect(PoolSnapshot.load(path, scope: "abc", now: Double(time(nil)))?.isFresh == false)
    }

    /// The eight-at-a-time separator test agrees with the byte-by-byte rule: every
    /// byte value at every offset, in ASCII and non-ASCII words; names with a
    /// separator get '?' for it, long ones included.
    @Test func separatorsFoundAtEveryOffset() throws {
        for offset in 0..<17 {
            for pad in [String(repeating: "a", count: offset), String(repeating: "é", count: offset / 2)] {
                for b in UInt8(0)...UInt8(0x7F) {
                    let value = pad + String(UnicodeScalar(b)) + pad
                    let expected = b <= 0x20 || b == 0x7F
                    #expect(PoolSnapshot.hasSeparator(value) == expected, "\(b) at \(offset)")
                    #expect(PoolSnapshot.storable(value) == (!expected && value != "-"))
                }
                #expect(!PoolSnapshot.hasSeparator(pad + "é😀~!" + pad))
            }
        }
        let long = ListedNode(id: "f4b5527a-5bfa-4ab7-ac56-f778a8977998", name: "a long name\twith tabs and é", state: .normal)
        let text = try #require(PoolSnapshot.text(scope: "s", nodes: [long]))
        #expect(
            String(decoding: text, as: UTF8.self)
                == "tmcloud-nodes 1 s\nnode f4b5527a-5bfa-4ab7-ac56-f778a8977998 normal - a?long?name?with?tabs?and?é\n")
        #expect(!PoolSnapshot.storable("") && !PoolSnapshot.storable("-") && PoolSnapshot.storable("--"))
    }

    @Test func refusesWhatItCannotKeepOrRead() throws {
        #expect(PoolSnapshot.text(scope: "s", nodes: [ListedNode(id: "a b", name: "x", state: .normal)]) == nil)
        let home = ZeusHomeFixture()
        let path = home.internalDirectory + "/tmcloud.pool.nodes"
        for bad in ["tmcloud-nodes 1 s\nnode 1 running - x\n", "tmcloud-nodes 1 s\nnode 1\n", "tmcloud-nodes 2 s\n"] {
            try StateFile.write(Array(bad.utf8), to: path)
            #expect(PoolSnapshot.load(path, scope: "s", now: Double(time(nil))) == nil, "\(bad)")
        }
        StateFile.remove(path)
        #expect(PoolSnapshot.load(path, scope: "s", now: 0) == nil)
    }

    /// The scope changes with any key of the configuration, so a snapshot taken for
    /// another tag or VLAN is never used.
    @Test func scopeFollowsTheConfiguration() throws {
        let a = try DriverConfig.parse(lines: ["provider digitalocean", "region lon1", "tag a"], path: "a.cfg")
        let b = try DriverConfig.parse(lines: ["provider digitalocean", "region lon1", "tag b"], path: "a.cfg")
        let a2 = try DriverConfig.parse(lines: ["tag a", "region lon1", "provider digitalocean"], path: "b.cfg")
        #expect(PoolSnapshot.scope(of: a) != PoolSnapshot.scope(of: b))
        #expect(PoolSnapshot.scope(of: a) == PoolSnapshot.scope(of: a2))
    }

    @Test func journalEntriesExpire() throws {
        let home = ZeusHomeFixture()
        let path = home.internalDirectory + "/tmcloud.pool.creating"
        try StateFile.write(Array("1000 old\n2700 web-1\nnot a line\n2799 web-2\n".utf8), to: path)
        let journal = CreateJournal.load(path, now: 1000 + CreateJournal.keptFor)
        #expect(journal.entries.map(\.name) == ["web-1", "web-2"])
        #expect(journal.contains("web-1") && !journal.contains("old"))
        #expect(String(decoding: journal.text, as: UTF8.self) == "2700 web-1\n2799 web-2\n")
    }
}
