#if canImport(Glibc)
import Glibc
#endif

/// The pool snapshot and the create journal (see `PoolSnapshot`): written from every
/// full listing, read by the changes. A file that cannot be read or written costs
/// requests later, never the action.
extension ActionRun {
    var snapshotPath: String { context.home.internalDirectory + "/tmcloud.\(context.stateName).nodes" }
    var journalPath: String { context.home.internalDirectory + "/tmcloud.\(context.stateName).creating" }

    static func now() -> Double { Double(time(nil)) }

    /// The snapshot of this configuration, fresh or not; nil when there is none.
    func loadSnapshot() -> PoolSnapshot? {
        PoolSnapshot.load(snapshotPath, scope: PoolSnapshot.scope(of: config), now: Self.now())
    }

    /// Keeps what a full listing saw. The file is rewritten only when the pool changed;
    /// otherwise only its time is renewed (one system call), so a steady `status`
    /// writes nothing.
    func recordListing(_ nodes: [CloudNode]) {
        let path = snapshotPath
        guard let text = PoolSnapshot.text(scope: PoolSnapshot.scope(of: config), nodes: nodes.map(ListedNode.init))
        else {
            context.note("a node id cannot be kept in the pool snapshot: changes look the pool up first")
            StateFile.remove(path)
            return
        }
        if let old = StateFile.read(path, limit: 4 << 20), old == text {
            StateFile.touch(path)
            return
        }
        do {
            try StateFile.write(text, to: path)
        } catch {
            context.note(error.message)
        }
        // Earlier releases noted failed nodes here; the snapshot says it now.
        StateFile.remove(context.home.internalDirectory + "/tmcloud.\(context.stateName).failed")
    }

    /// Changes the snapshot after a change of this run's own, keeping its time: the
    /// file still says when a listing last confirmed it.
    func editSnapshot(_ change: (inout PoolSnapshot) -> Void) {
        guard let modified = StateFile.modified(snapshotPath), var snapshot = loadSnapshot() else { return }
        let before = snapshot
        change(&snapshot)
        guard snapshot != before else { return }
        guard let text = snapshot.text else {
            StateFile.remove(snapshotPath)
            return
        }
        do {
            try StateFile.write(text, to: snapshotPath, modified: modified)
        } catch {
            context.note(error.message)
        }
    }

    /// Writes `name` into the create journal before its create is sent; false when the
    /// journal cannot be written.
    @discardableResult
    func journalCreate(_ name: String) -> Bool {
        let now = Int64(Self.now())
        var journal = CreateJournal.load(journalPath, now: now)
        journal.entries.removeAll { $0.name == name }
        journal.entries.append(CreateJournal.Entry(time: now, name: name))
        do {
            try StateFile.write(journal.text, to: journalPath)
            return true
        } catch {
            context.note(error.message)
            return false
        }
    }
}

extension PoolSnapshot {
    /// Puts `node` in, in place of what was listed under its id.
    mutating func replace(with node: CloudNode) {
        let listed = ListedNode(node)
        if let index = nodes.firstIndex(where: { $0.id == node.id }) {
            nodes[index] = listed
        } else {
            nodes.append(listed)
        }
    }

    mutating func remove(id: String) {
        nodes.removeAll { $0.id == id }
    }
}
