import TMCloudJSON
import TMCloudTransport

extension ActionRun {
    /// Performs the action and returns what to print.
    func perform() throws(DriverError) -> ActionOutput {
        switch action {
        case .status, .listnodes:
            var nodes = try provider.listNodes()
            rememberFailed(nodes)
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
    /// there failed nodes to delete.
    private func createNode() throws(DriverError) -> CloudNode {
        let request = CreateRequest(
            name: invocation.value("name") ?? "", imageID: invocation.value("imageid") ?? "",
            sizeID: invocation.value("sizeid") ?? "")
        // Held until this run returns: a second createnode here waits, then finds the
        // node this one made. Ten seconds of the deadline are kept for its own work.
        let lock = try CreateLock.acquire(
            path: context.home.internalDirectory + "/tmcloud.\(context.stateName).lock",
            waitingAtMost: max(0, context.client.remainingTime - 10), note: context.note)
        defer { withExtendedLifetime(lock) {} }
        let nodes = try provider.listNodes()
        deleteFailed(nodes.filter(\.isFailed))

        let sameName = nodes.filter { $0.name == request.name && !$0.isFailed }
        if let existing = sameName.first(where: { $0.condition != .stopped && $0.record.status != .destroyed }) {
            context.note("a node called \(request.name) exists already (\(existing.id)): returning it")
            return existing
        }
        if let stopped = sameName.first(where: { $0.condition == .stopped }) {
            context.note("powering on the stopped node \(stopped.id) called \(request.name)")
            return try provider.reuse(stopped, as: request.name)
        }
        if !config.destroy, let stopped = nodes.first(where: { $0.condition == .stopped }) {
            context.note("reusing the stopped node \(stopped.id) (\(stopped.name)) as \(request.name)")
            return try provider.reuse(stopped, as: request.name)
        }
        while true {
            do {
                return try provider.createNode(request)
            } catch where error.mayHaveCreated {
                // The create may have reached the cloud: look before trying again, so
                // that one name never becomes two nodes.
                context.note("\(error.message); looking \(request.name) up before trying again")
                if let found = try provider.nodes(named: request.name).first(where: { !$0.isFailed }) {
                    return found
                }
                guard context.client.remainingTime > 5 else { throw error }
            }
        }
    }

    // MARK: - destroynode

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
        let outcome = config.destroy ? try provider.destroyNode(id: target) : try provider.powerOff(id: target)
        deleteRememberedFailures(except: target)
        return NodeRecord(
            uniqID: target, name: name, status: .destroyed, complete: outcome == .alreadyGone ? 100 : 80)
    }

    // MARK: - Failed nodes

    /// Where `status` notes the failed nodes it saw, so that the next `destroynode`
    /// can delete them without a listing of its own.
    private var failedNodesFile: String {
        context.home.internalDirectory + "/tmcloud.\(context.stateName).failed"
    }

    /// Keeps the failed-node note in step with what `status` saw; written only when it changes.
    private func rememberFailed(_ nodes: [CloudNode]) {
        let failed = nodes.filter(\.isFailed).map(\.id).sorted()
        let path = failedNodesFile
        let previous = StateFile.read(path).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let text = failed.isEmpty ? "" : failed.joined(separator: "\n") + "\n"
        guard text != previous else { return }
        if failed.isEmpty {
            StateFile.remove(path)
        } else {
            do {
                try StateFile.write(Array(text.utf8), to: path)
            } catch {
                context.note(error.message)
            }
        }
    }

    private func deleteRememberedFailures(except id: String) {
        guard let bytes = StateFile.read(failedNodesFile) else { return }
        let ids = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init).filter {
            $0 != id && (try? ActionRun.validateIdentifier($0, key: "id")) != nil
        }
        for failed in ids {
            do {
                _ = try provider.destroyNode(id: failed)
                context.note("deleted the failed node \(failed)")
            } catch {
                context.note("could not delete the failed node \(failed): \(error.message)")
                return
            }
        }
        StateFile.remove(failedNodesFile)
    }

    /// Deletes failed nodes so that none is left behind; a failure here never fails
    /// the action that found them.
    private func deleteFailed(_ nodes: [CloudNode]) {
        for node in nodes {
            if case .failed(let reason) = node.condition {
                context.note("deleting the failed node \(node.id) (\(node.name)): \(reason)")
            }
            do {
                _ = try provider.destroyNode(id: node.id)
            } catch {
                context.note("could not delete the failed node \(node.id): \(error.message)")
            }
        }
        if !nodes.isEmpty { StateFile.remove(failedNodesFile) }
    }

    // MARK: - check

    private func check() -> ActionOutput {
        var results = [
            CheckResult(true, "configuration \(config.path) is valid (provider \(config.provider.rawValue))")
        ]
        results += provider.check()
        let failed = results.filter { !$0.passed }.count
        var text = "tmcloud \(Driver.version) check\n"
        for r in results { text += (r.passed ? "  ok    " : "  FAIL  ") + context.redactor.redact(r.text) + "\n" }
        text += failed == 0 ? "all \(results.count) checks passed\n" : "\(failed) of \(results.count) checks failed\n"
        return ActionOutput(
            text: text, exitStatus: failed == 0 ? 0 : 1,
            logSummary: failed == 0 ? "ok checks=\(results.count)" : "failed checks=\(failed)")
    }
}
