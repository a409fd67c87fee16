import TMCloudTransport

/// Deleting servers. Where the API deletes only stopped servers (the state file
/// remembers it once the API has refused a running one), a running server is powered
/// off and then deleted by the same destroynode: it waits, without looking, as long as
/// the last power-off took, and sends one `?delete` (again a few seconds later while
/// the API still answers "operation in progress"). Looking every few seconds instead
/// cost ten requests. A power-off that outlasts the deadline leaves the server noted
/// in the state file, reading `destroyed`, for the next createnode or destroynode to
/// delete: `status` itself never sends more than its listing (contract §5).
extension OpSourceProvider {
    /// Any id: read first, and refused when it is not on the pool's VLAN.
    func destroyNode(id: String) throws(DriverError) -> DestroyOutcome {
        try finishDeletions(except: id)
        guard let server = try poolServer(id: id) else {
            api.deletionDone(id)
            return .alreadyGone
        }
        if server.action?.uppercased() == "DELETE_SERVER" { return .started }
        if isStopped(server) || server.failureReason != nil { return try deleteNow(id) }
        if api.state.deleting.contains(id) && server.action != nil {
            // Its power-off is under way: the listing that finds it stopped deletes it.
            return .started
        }
        if server.isStarted && api.state.deleteNeedsStop { return try powerOffToDelete(id) }
        return try deleteNow(id)
    }

    /// A server the pool snapshot lists, by what that listing saw (`hint`): deleted at
    /// once when stopped or failed, or running where the API deletes running servers;
    /// powered off when running where it does not. A server that was busy with an
    /// operation, or listed without a hint, is read first.
    func destroyNode(_ listed: ListedNode) throws(DriverError) -> DestroyOutcome {
        let id = listed.id
        try finishDeletions(except: id)
        switch listed.state == .failed ? "stopped" : listed.hint {
        case "stopped":
            return try deleteNow(id)
        case "running" where api.state.deleting.contains(id):
            // Powered off by an earlier destroynode since that listing.
            return .started
        case "running" where api.state.deleteNeedsStop:
            return try powerOffToDelete(id)
        case "running":
            return try deleteNow(id)
        default:
            return try destroyNode(id: id)
        }
    }

    /// `?delete` (sent again while another operation is in progress). When the API
    /// refuses it because the server runs, the driver learns that deletes need a
    /// stopped server and powers it off instead; a server gone meanwhile is fine.
    private func deleteNow(_ id: String) throws(DriverError) -> DestroyOutcome {
        do {
            try api.operate("delete", serverID: id, doing: "delete server \(id)")
            api.setSize(nil, for: id)
            return .started
        } catch where error.kind == .cloud && !error.message.containsUTF8(OpSourceAPI.operationInProgress) {
            guard let now = try api.server(id: id) else {
                api.deletionDone(id)
                return .alreadyGone
            }
            guard now.isStarted, now.failureReason == nil else { throw error }
            context.note("\(error.message): powering \(id) off before deleting it")
            api.rememberDeleteNeedsStop()
            return try powerOffToDelete(id)
        }
    }

    /// `?poweroff`, then the wait and the `?delete`; the server is noted for deletion
    /// first, so that no run ending between the two can lose it.
    private func powerOffToDelete(_ id: String) throws(DriverError) -> DestroyOutcome {
        api.noteDeletion(id)
        let poweredOff = context.client.clock.now()
        do {
            try api.operate("poweroff", serverID: id, doing: "power off server \(id) to delete it")
        } catch where error.kind == .cloud && !error.message.containsUTF8(OpSourceAPI.operationInProgress) {
            // Refused: gone, or stopped already (by the operation the driver waited out)?
            guard let now = try api.server(id: id) else {
                api.deletionDone(id)
                return .alreadyGone
            }
            guard isStopped(now) else { throw error }
            try api.operate("delete", serverID: id, doing: "delete server \(id)")
            api.setSize(nil, for: id)
            return .started
        }
        return try deleteOncePoweredOff(id, since: poweredOff)
    }

    /// Waits for the power-off without looking, then deletes: one `?delete` when the
    /// wait was long enough, a few more seconds apart while the API answers
    /// "operation in progress". Time runs out 10 s before the deadline; the server
    /// then stays noted for the next change.
    private func deleteOncePoweredOff(_ id: String, since poweredOff: Double) throws(DriverError) -> DestroyOutcome {
        let clock = context.client.clock
        var wait = api.state.stopSeconds ?? firstStopWait
        var retried = false
        while context.client.remainingTime - 10 > wait {
            clock.sleep(wait)
            do {
                try api.operate("delete", serverID: id, doing: "delete server \(id)", retryingInProgress: false)
                // After a retry, the time it really took is the next wait. Accepted at
                // the first try, the wait stays: shortening it by a guess would make
                // every few destroys pay a retry again.
                if retried || api.state.stopSeconds == nil { api.rememberStopTime(clock.now() - poweredOff) }
                api.setSize(nil, for: id)
                api.deletionDone(id)
                return .started
            } catch where error.kind == .cloud {
                if !error.message.containsUTF8(OpSourceAPI.operationInProgress) {
                    // Refused otherwise: because it still runs, or for a reason waiting won't mend?
                    guard let now = try api.server(id: id) else {
                        api.deletionDone(id)
                        return .started
                    }
                    if isStopped(now) || now.failureReason != nil { throw error }
                }
                context.note("server \(id) has not stopped yet: \(error.message)")
                wait = stopRetryWait
                retried = true
            }
        }
        context.note("server \(id) is still powering off: the next createnode or destroynode deletes it")
        return .started
    }

    /// The deletions an earlier destroynode ran out of time for: finished from a
    /// listing, which is only made when there are any (rarely).
    func finishDeletions(except id: String) throws(DriverError) {
        guard !api.state.deleting.subtracting([id]).isEmpty else { return }
        _ = finishDeletions(try api.servers())
    }

    /// The deletions destroynode left to a later change: each server found stopped (or
    /// failed) is deleted, one found running with nothing under way (its power-off did
    /// not take) is powered off again, and one no longer listed is forgotten. One
    /// request each, never waiting: a refusal (REASON_392) or a failure is noted and
    /// left for the next listing, and never fails this one. Returns the listing with
    /// the operations it started, as the next listing would show them.
    func finishDeletions(_ servers: [OpSourceServer]) -> [OpSourceServer] {
        guard !api.state.deleting.isEmpty else { return servers }
        var servers = servers
        for id in api.state.deleting.sorted() {
            guard let index = servers.firstIndex(where: { $0.id == id }) else {
                api.deletionDone(id)
                continue
            }
            let server = servers[index]
            do {
                if server.action?.uppercased() == "DELETE_SERVER" { continue }
                if isStopped(server) || server.failureReason != nil {
                    try api.operate("delete", serverID: id, doing: "delete server \(id)", retryingInProgress: false)
                    api.setSize(nil, for: id)
                    servers[index].action = "DELETE_SERVER"
                    context.note("deleted server \(id), powered off by an earlier destroynode")
                } else if server.isDeployed && server.isStarted && server.action == nil {
                    try api.operate(
                        "poweroff", serverID: id, doing: "power off server \(id) to delete it",
                        retryingInProgress: false)
                    servers[index].action = "POWER_OFF_SERVER"
                }
            } catch {
                context.note("the deletion of server \(id) waits for a later run: \(error.message)")
            }
        }
        return servers
    }
}
