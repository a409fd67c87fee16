import TMCloudJSON
import TMCloudTransport

extension ActionRun {
    /// Performs the action and returns what to print.
    func perform() throws(DriverError) -> ActionOutput {
        switch action {
        case .status, .listnodes:
            var nodes = try provider.listNodes()
            recordListing(nodes)
            if action == .status, let name = invocation.value("name") {
                nodes = nodes.filter { $0.name == name }
            }
            return ActionOutput(
                text: Envelope.nodeStatus.render(nodes.map(\.record)), logSummary: "ok nodes=\(nodes.count)")
        case .statusnode:
            let record = try statusNode()
            return ActionOutput(
                text: Envelope.nodeStatus.render([record]), logSummary: "ok status=\(record.status.rawValue)")
        case .createnode:
            let node = try createNode()
            return ActionOutput(
                text: Envelope.createNode.render([node.record]),
                logSummary: "ok id=\(node.id) status=\(node.record.status.rawValue)")
        case .destroynode:
            let record = try destroyNode()
            return ActionOutput(
                text: Envelope.destroyNode.render([record]),
                logSummary: "ok id=\(record.uniqID) complete=\(record.complete)")
        case .check:
            return check()
        case .help, .version:
            return ActionOutput(text: "", logSummary: "ok")
        }
    }

    // MARK: - statusnode

    private func statusNode() throws(DriverError) -> NodeRecord {
        if let id = invocation.value("id") {
            if let node = try provider.node(id: id) { return node.record }
            return NodeRecord(uniqID: id, name: invocation.value("name") ?? "", status: .destroyed, complete: 100)
        }
        let name = invocation.value("name") ?? ""
        let matches = try provider.nodes(named: name)
        if let live = matches.first(where: { $0.record.status != .destroyed }) ?? matches.first {
            return live.record
        }
        return NodeRecord(uniqID: "", name: name, status: .destroyed, complete: 100)
    }

    // MARK: - createnode

    /// Creates a node, or returns the one that already has the name.
    ///
    /// One listing answers three questions at once: does the name exist already
    /// (idempotency), is there a stopped node to power on (`destroy false`), and are
    /// there failed nodes to delete. A fresh pool snapshot answers them too, and then
    /// no listing is made, unless this machine has tried a create of the name before
    /// (the create journal): a retry always looks the name up in the cloud.
    private func createNode() throws(DriverError) -> CloudNode {
        let request = CreateRequest(
            name: invocation.value("name") ?? "", imageID: invocation.value("imageid") ?? "",
            sizeID: invocation.value("sizeid") ?? "")
        // Held until this run returns: a second createnode here waits, then finds the
        // node this one made (or its name in the journal). Ten seconds of the deadline
        // are kept for its own work.
        let lock = try CreateLock.acquire(
            path: context.home.internalDirectory + "/tmcloud.\(context.stateName).lock",
            waitingAtMost: max(0, context.client.remainingTime - 10), note: context.note)
        defer { withExtendedLifetime(lock) {} }

        if let snapshot = loadSnapshot(), canCreateWithoutListing(request.name, snapshot),
            journalCreate(request.name)
        {
            context.note(
                "the pool snapshot (\(Int(snapshot.age)) s old) has no \(request.name): creating it without a listing")
            deleteFailed(snapshot.nodes.filter { $0.state == .failed }, listedRecently: true)
            return try create(request)
        }

        let nodes = try provider.listNodes()
        recordListing(nodes)
        for node in nodes {
            if case .failed(let reason) = node.condition {
                context.note("node \(node.id) (\(node.name)) failed: \(reason)")
            }
        }
        deleteFailed(nodes.filter(\.isFailed).map(ListedNode.init), listedRecently: true)

        let sameName = nodes.filter { $0.name == request.name && !$0.isFailed }
        if let existing = sameName.first(where: { $0.condition != .stopped && $0.record.status != .destroyed }) {
            context.note("a node called \(request.name) exists already (\(existing.id)): returning it")
            return existing
        }
        if let stopped = sameName.first(where: { $0.condition == .stopped }) {
            context.note("powering on the stopped node \(stopped.id) called \(request.name)")
            return try reuse(stopped, as: request.name)
        }
        if !config.destroy, let stopped = nodes.first(where: { $0.condition == .stopped }) {
            context.note("reusing the stopped node \(stopped.id) (\(stopped.name)) as \(request.name)")
            return try reuse(stopped, as: request.name)
        }
        journalCreate(request.name)
        return try create(request)
    }

    /// Whether the snapshot can stand in for the listing: fresh, without a node of that
    /// name, without a stopped node to power on instead (`destroy false`), and with no
    /// earlier create of the name in the journal.
    private func canCreateWithoutListing(_ name: String, _ snapshot: PoolSnapshot) -> Bool {
        guard snapshot.isFresh, !snapshot.contains(name: name) else { return false }
        guard config.destroy || !snapshot.nodes.contains(where: { $0.state == .stopped }) else { return false }
        return !CreateJournal.load(journalPath, now: Int64(Self.now())).contains(name)
    }

    private func reuse(_ node: CloudNode, as name: String) throws(DriverError) -> CloudNode {
        let started = try provider.reuse(node, as: name)
        editSnapshot { $0.replace(with: started) }
        return started
    }

    /// Sends the create; the name is in the journal already.
    private func create(_ request: CreateRequest) throws(DriverError) -> CloudNode {
        while true {
            do {
                let node = try provider.createNode(request)
                editSnapshot { $0.replace(with: node) }
                return node
            } catch where error.mayHaveCreated {
                // The create may have reached the cloud: look before trying again, so
                // that one name never becomes two nodes.
                context.note("\(error.message); looking \(request.name) up before trying again")
                if let found = try provider.nodes(named: request.name).first(where: { !$0.isFailed }) {
                    editSnapshot { $0.replace(with: found) }
                    return found
                }
                guard context.client.remainingTime > 5 else { throw error }
            }
        }
    }

    // MARK: - destroynode

    /// Deletes (or powers off) a node. When a fresh snapshot lists the id as one of the
    /// pool's nodes, the provider may act on it without reading it first; any other id
    /// is checked as before, so a wrong id can never touch another pool's node.
    private func destroyNode() throws(DriverError) -> NodeRecord {
        var id = invocation.value("id")
        var name = ""
        if id == nil, let wanted = invocation.value("name") {
            name = wanted
            let matches = try provider.nodes(named: wanted)
            guard let target = matches.first(where: { $0.record.status != .destroyed }) ?? matches.first else {
                return NodeRecord(uniqID: "", name: wanted, status: .destroyed, complete: 100)
            }
            id = target.id
        }
        let target = id ?? ""
        let snapshot = loadSnapshot()
        let outcome: DestroyOutcome
        if !config.destroy {
            outcome = try provider.powerOff(id: target)
        } else if let snapshot, snapshot.isFresh, let listed = snapshot.node(id: target) {
            context.note(
                "\(target) is in the pool snapshot (\(Int(snapshot.age)) s old): deleting it without a look first")
            outcome = try provider.destroyNode(listed)
        } else {
            outcome = try provider.destroyNode(id: target)
        }
        let destroy = config.destroy
        editSnapshot { snapshot in
            if destroy {
                snapshot.remove(id: target)
            } else if let index = snapshot.nodes.firstIndex(where: { $0.id == target }) {
                snapshot.nodes[index].state = .stopped
            }
        }
        if let snapshot {
            deleteFailed(
                snapshot.nodes.filter { $0.state == .failed && $0.id != target }, listedRecently: snapshot.isFresh)
        }
        return NodeRecord(
            uniqID: target, name: name, status: .destroyed, complete: outcome == .alreadyGone ? 100 : 80)
    }

    // MARK: - Failed nodes

    /// Deletes failed nodes so that none is left behind; a failure here never fails
    /// the action that found them. Nodes listed recently go to the provider as listed;
    /// older ones by id, checked first like any id.
    private func deleteFailed(_ nodes: [ListedNode], listedRecently: Bool) {
        var deleted: [String] = []
        for node in nodes {
            context.note("deleting the failed node \(node.id) (\(node.name))")
            do {
                _ = listedRecently ? try provider.destroyNode(node) : try provider.destroyNode(id: node.id)
                deleted.append(node.id)
            } catch {
                context.note("could not delete the failed node \(node.id): \(error.message)")
            }
        }
        if !deleted.isEmpty {
            editSnapshot { snapshot in snapshot.nodes.removeAll { deleted.contains($0.id) } }
        }
    }

    // MARK: - check

    private func check() -> ActionOutput {
        var results = [
            CheckResult(true, "configuration \(config.path) is valid (provider \(config.provider.rawValue))")
        ]
        results += provider.check()
        let failed = results.filter { !$0.passed }.count
        var text = "tmcloud \(Driver.version) check (\(CurlTransport.libraryVersions))\n"
        for r in results { text += (r.passed ? "  ok    " : "  FAIL  ") + context.redactor.redact(r.text) + "\n" }
        text += failed == 0 ? "all \(results.count) checks passed\n" : "\(failed) of \(results.count) checks failed\n"
        return ActionOutput(
            text: text, exitStatus: failed == 0 ? 0 : 1,
            logSummary: failed == 0 ? "ok checks=\(results.count)" : "failed checks=\(failed)")
    }
}
