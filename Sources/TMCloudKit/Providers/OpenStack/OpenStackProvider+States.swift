/// The one place where Nova's server states become the contract's.
///
/// Nova derives `status` from the VM state and reports what is under way in
/// `OS-EXT-STS:task_state`; a server being deleted keeps its status (ACTIVE, SHUTOFF,
/// ERROR) with task state `deleting`, so the task state is read first.
extension OpenStackProvider {
    /// What a Nova status means for a pool node.
    enum Phase: Sendable {
        /// Being built.
        case building
        /// Running (active once its address is known).
        case running
        /// A transition that ends running: reboot, rebuild, resize, migration.
        case transition
        /// Powered off: `destroy false` stopped it, `createnode` may start it again.
        case stopped
        /// The build or an operation failed: deleted by the next change.
        case failed
        /// Deleted.
        case gone
        /// Paused, suspended, shelved, rescued: held out of service by someone else.
        case held
    }

    /// Nova `status` → phase. A status not listed is treated as a transition.
    static let phases: [String: Phase] = [
        "BUILD": .building,
        "ACTIVE": .running,
        "REBOOT": .transition, "HARD_REBOOT": .transition, "REBUILD": .transition, "PASSWORD": .transition,
        "MIGRATING": .transition, "RESIZE": .transition, "VERIFY_RESIZE": .transition,
        "REVERT_RESIZE": .transition, "UNKNOWN": .transition,
        "SHUTOFF": .stopped,
        "ERROR": .failed,
        "DELETED": .gone, "SOFT_DELETED": .gone,
        "PAUSED": .held, "SUSPENDED": .held, "SHELVED": .held, "SHELVED_OFFLOADED": .held, "RESCUE": .held,
    ]

    /// The phase of a Nova status in any case; nil for one not listed. Nova writes
    /// statuses in capitals, so the exact lookup comes first and spares `uppercased()`.
    static func phase(of status: String) -> Phase? {
        phases[status] ?? phases[status.uppercased()]
    }

    /// The contract state of a server.
    ///
    /// - Parameters:
    ///   - addressKnown: it has the IPv4 addresses the pool needs (a fixed one, and a
    ///     floating one when `floatingNetwork` is set).
    static func state(
        status: String, taskState: String?, progress: Int, addressKnown: Bool, fault: String?
    ) -> (status: NodeStatus, complete: Int, condition: CloudNode.Condition) {
        if taskState == "deleting" { return (.destroyed, 50, .normal) }
        switch phase(of: status) ?? .transition {
        case .building:
            return (.pending, min(90, max(0, progress)), .normal)
        case .running:
            switch taskState {
            case nil:
                return addressKnown ? (.active, 100, .normal) : (.pending, 90, .normal)
            case "powering-off":
                // `destroy false` stopping it: on its way out.
                return (.destroyed, 50, .normal)
            case let task? where task.hasPrefix("image_"):
                // A snapshot does not interrupt a running server.
                return addressKnown ? (.active, 100, .normal) : (.pending, 90, .normal)
            default:
                return (.pending, 90, .normal)
            }
        case .transition:
            return (.pending, 50, .normal)
        case .stopped:
            // A start in progress (reused by `createnode`) is on its way to running.
            if taskState == "powering-on" { return (.pending, 50, .normal) }
            return (.destroyed, 100, .stopped)
        case .failed:
            let reason = fault.flatMap { $0.isEmpty ? nil : $0 } ?? "the server is in ERROR"
            return (.destroyed, 100, .failed(reason))
        case .gone, .held:
            return (.destroyed, 100, .normal)
        }
    }
}
