/// How an OEC 0.9 server maps onto the contract's three states: one table, keyed
/// like libcloud's Dimension Data map by (deployed, started, action in progress,
/// failure reason), read from the top; the first row that fits wins.
enum OpSourceStates {
    /// What a row asks of the operation in progress.
    enum ActionPattern: Sendable {
        /// No `<status><action>`.
        case none
        /// One of these actions.
        case oneOf([String])
        /// Any action at all.
        case any

        func fits(_ action: String?) -> Bool {
            switch self {
            case .none: return action == nil
            case .oneOf(let names): return action.map { names.contains($0.uppercased()) } ?? false
            case .any: return action != nil
            }
        }
    }

    /// What a row makes of the server.
    enum Outcome: Sendable, Equatable {
        /// Deploying: progress from the reply when it gives one.
        case deploying
        case pending(Int)
        /// Running: `active` once an address is known, `pending` until then.
        case running
        case destroyed(Int)
        /// Powered off with no operation in progress: reusable by `destroy false`.
        case stopped
        /// Locked by a failed operation: deleted by the driver's next change.
        case failed
    }

    struct Row: Sendable {
        var deployed: Bool?
        var started: Bool?
        var action: ActionPattern
        var failed: Bool?
        var outcome: Outcome
        /// For the documentation and the tests.
        var meaning: String
    }

    static let deleting = ["DELETE_SERVER"]
    static let starting = ["START_SERVER", "RESTART_SERVER", "REBOOT_SERVER", "RESET_SERVER"]
    static let stopping = ["SHUTDOWN_SERVER", "POWER_OFF_SERVER"]

    static let table: [Row] = [
        Row(action: .any, failed: true, outcome: .failed, meaning: "failed operation (failureReason)"),
        Row(action: .none, failed: true, outcome: .failed, meaning: "failed operation (failureReason)"),
        Row(action: .oneOf(deleting), outcome: .destroyed(80), meaning: "being deleted"),
        Row(deployed: false, action: .any, outcome: .deploying, meaning: "being deployed"),
        Row(deployed: false, action: .none, outcome: .deploying, meaning: "being deployed"),
        Row(deployed: true, action: .oneOf(starting), outcome: .pending(50), meaning: "starting"),
        Row(deployed: true, action: .oneOf(stopping), outcome: .destroyed(80), meaning: "shutting down"),
        Row(deployed: true, started: true, action: .any, outcome: .pending(90), meaning: "running, operation in progress"),
        Row(deployed: true, started: false, action: .any, outcome: .destroyed(90), meaning: "stopped, operation in progress"),
        Row(deployed: true, started: true, action: .none, outcome: .running, meaning: "running"),
        Row(deployed: true, started: false, action: .none, outcome: .stopped, meaning: "stopped"),
    ]

    /// The first row that fits the server.
    static func row(for server: OpSourceServer) -> Row {
        let failed = server.failureReason != nil || isFailedState(server.state)
        for row in table {
            if let d = row.deployed, d != server.isDeployed { continue }
            if let s = row.started, s != server.isStarted { continue }
            if let f = row.failed, f != failed { continue }
            if !row.action.fits(server.action) { continue }
            return row
        }
        // Unreachable: the rows cover every combination; kept total for safety.
        return Row(action: .any, outcome: .pending(50), meaning: "unknown")
    }

    /// serverWithState's `state` for a server left broken without a failureReason.
    static func isFailedState(_ state: String?) -> Bool {
        guard let state = state?.uppercased() else { return false }
        return state.hasPrefix("FAILED") || state == "REQUIRES_SUPPORT"
    }

    /// The server as the contract reports it.
    static func node(for server: OpSourceServer, sizeID: String) -> CloudNode {
        var record = NodeRecord(
            uniqID: server.id, name: server.name, status: .pending, complete: 0, publicIP: server.publicIP,
            privateIP: server.privateIP, created: server.created, imageID: server.sourceImageID, sizeID: sizeID)
        var condition = CloudNode.Condition.normal
        switch row(for: server).outcome {
        case .deploying:
            record.status = .pending
            record.complete = min(95, max(5, server.percentComplete ?? 25))
        case .pending(let complete):
            record.status = .pending
            record.complete = complete
        case .running:
            let addressKnown = !server.privateIP.isEmpty || !server.publicIP.isEmpty
            record.status = addressKnown ? .active : .pending
            record.complete = addressKnown ? 100 : 90
        case .destroyed(let complete):
            record.status = .destroyed
            record.complete = complete
        case .stopped:
            record.status = .destroyed
            record.complete = 100
            condition = .stopped
        case .failed:
            record.status = .destroyed
            record.complete = 100
            let reason = server.failureReason ?? server.state ?? "failed"
            condition = .failed(OpSourceError.printable(reason))
        }
        return CloudNode(record, condition: condition)
    }
}
