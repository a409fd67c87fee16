extension DecisionEngine {
    /// Why a node in a status list does or does not belong to the pool.
    public enum Claim: Equatable, Sendable {
        case claimed
        /// The name does not start with the pool's prefix: another pool's or nobody's.
        case otherName
        case wrongImage(String)
        case wrongSize(String)
    }

    /// Nodes are claimed by name prefix, and by imageid and sizeid where the driver reports
    /// them (an empty or missing field matches anything).
    public func claim(_ node: CloudNode) -> Claim {
        guard node.name.hasPrefix(settings.name) else { return .otherName }
        if !settings.imageID.isEmpty, let image = node.imageID, !image.isEmpty, image != settings.imageID {
            return .wrongImage(image)
        }
        if !settings.sizeID.isEmpty, let size = node.sizeID, !size.isEmpty, size != settings.sizeID {
            return .wrongSize(size)
        }
        return .claimed
    }

    /// A successful `status` run: adopt unknown nodes of the pool, follow state changes,
    /// and drop nodes that are gone.
    public mutating func observeStatus(_ listed: [CloudNode], at time: Double) {
        var seen = Set<Int>()
        var reportedDestroyed = Set<Int>()
        for entry in listed {
            switch claim(entry) {
            case .otherName: continue
            case .wrongImage(let image):
                if noteMismatch("image:" + entry.uniqID) {
                    raise(time, .wrongImageID, node: entry.name, message: "imageid \(image) is not \(settings.imageID); ignored")
                }
                continue
            case .wrongSize(let size):
                if noteMismatch("size:" + entry.uniqID) {
                    raise(time, .wrongSizeID, node: entry.name, message: "sizeid \(size) is not \(settings.sizeID); ignored")
                }
                continue
            case .claimed: break
            }
            let index =
                nodes.firstIndex { !$0.uniqID.isEmpty && $0.uniqID == entry.uniqID }
                ?? nodes.firstIndex { $0.uniqID.isEmpty && $0.name == entry.name }
            guard let index else {
                if !entry.isDestroyed {
                    adoptListed(entry, at: time)
                    seen.insert(nodes.count - 1)
                }
                continue
            }
            seen.insert(index)
            if entry.isDestroyed { reportedDestroyed.insert(index) }
            follow(index, entry, at: time)
        }
        // Walk backwards so that removals keep the remaining indices valid.
        for index in nodes.indices.reversed() {
            let node = nodes[index]
            if seen.contains(index) {
                if reportedDestroyed.contains(index) { goneFromCloud(index, reportedDestroyed: true, at: time) }
                continue
            }
            let overdue = node.seenInStatus || time - node.trackedSince >= choices.missingGrace
            if node.state == .destroying || overdue { goneFromCloud(index, reportedDestroyed: false, at: time) }
        }
    }

    private mutating func adoptListed(_ entry: CloudNode, at time: Double) {
        var node = PoolNode(
            uniqID: entry.uniqID, name: entry.name, state: entry.isActive ? .active : .pending, trackedSince: time,
            createdByEngine: false)
        node.publicIP = entry.publicIP
        node.privateIP = entry.privateIP
        node.seenInStatus = true
        if entry.isActive { node.activeSince = time }
        adopt(node)
        raise(time, .autoNodeExisted, node: entry.name, message: "\(entry.status) node \(entry.uniqID) adopted into the pool")
    }

    private mutating func follow(_ index: Int, _ entry: CloudNode, at time: Double) {
        let before = nodes[index]
        update(index) { node in
            node.seenInStatus = true
            if node.uniqID.isEmpty { node.uniqID = entry.uniqID }
            if !entry.publicIP.isEmpty { node.publicIP = entry.publicIP }
            if !entry.privateIP.isEmpty { node.privateIP = entry.privateIP }
        }
        if before.state == .destroying && !entry.isDestroyed { reinstateIfStuck(index, at: time) }
        guard before.state != .destroying, !entry.isDestroyed else { return }
        if entry.isActive && before.state == .pending {
            if before.createdByEngine {
                markActive(index, at: time)
            } else {
                update(index) {
                    $0.state = .active
                    $0.activeSince = time
                }
                raise(time, .autoNodeStatusChange, node: entry.name, message: "pending -> active")
            }
        } else if !entry.isActive && before.state == .active {
            update(index) {
                $0.state = .pending
                $0.activeSince = nil
                $0.joinedAt = nil
            }
            if before.isInPool { raise(time, .poolConfUpdate, node: entry.name, message: "removed from the pool") }
            raise(time, .autoNodeStatusChange, node: entry.name, message: "active -> \(entry.status)")
        }
    }

    private mutating func goneFromCloud(_ index: Int, reportedDestroyed: Bool, at time: Double) {
        let id = nodes[index].uniqID
        if nodes[index].state == .destroying {
            removeNode(at: index, .autoNodeDestructionComplete, message: "node \(id) is gone from the cloud", at: time)
        } else if reportedDestroyed {
            removeNode(
                at: index, .autoNodeDisappeared, message: "status reports node \(id) destroyed (failed or removed elsewhere)",
                at: time)
        } else {
            removeNode(at: index, .autoNodeDisappeared, message: "node \(id) vanished from status", at: time)
        }
    }
}
