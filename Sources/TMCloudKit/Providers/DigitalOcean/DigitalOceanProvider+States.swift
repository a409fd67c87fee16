/// How a droplet's state becomes a node's: one table, read by `cloudNode(_:)` only.
///
/// DigitalOcean reports four statuses (`new`, `active`, `off`, `archive`) and a
/// `locked` flag while an action (power on, power off, rename) runs; a droplet only
/// becomes useful to the Traffic Manager once it has an IPv4 address.
extension DigitalOceanProvider {
    /// What the table makes of a droplet.
    struct StateRule: Sendable {
        enum Progress: Sendable {
            /// A fixed percentage.
            case fixed(Int)
            /// Grows with the time since `created_at` while the droplet is built.
            case building
        }

        enum Outcome: Sendable {
            case normal
            /// Powered off: `.stopped` under `destroy false` (the driver may power it on
            /// again), an ordinary destroyed node otherwise.
            case stoppedWhenKept
            /// The create failed: the driver deletes it.
            case failed(String)
        }

        /// The droplet status it applies to; nil for any.
        var status: String?
        /// Whether it applies only to locked (true) or unlocked (false) droplets; nil for either.
        var locked: Bool?
        /// Whether it applies only with (true) or without (false) an IPv4 address; nil for either.
        var addressed: Bool?
        /// Whether it applies only when the create action is known to have errored.
        var createErrored = false
        var nodeStatus: NodeStatus
        var progress: Progress
        var outcome: Outcome = .normal
    }

    /// The first rule that matches a droplet decides. Ordered from the most specific.
    static let stateTable: [StateRule] = [
        // The create action errored: the droplet will never come up.
        StateRule(
            status: nil, createErrored: true, nodeStatus: .destroyed, progress: .fixed(100),
            outcome: .failed("the create action errored")),
        // Being built.
        StateRule(status: "new", nodeStatus: .pending, progress: .building),
        // Running but an action (power on, rename) is still under way.
        StateRule(status: "active", locked: true, nodeStatus: .pending, progress: .fixed(70)),
        // Running with an address: ready for traffic.
        StateRule(status: "active", locked: false, addressed: true, nodeStatus: .active, progress: .fixed(100)),
        // Running, address not assigned yet.
        StateRule(status: "active", locked: false, addressed: false, nodeStatus: .pending, progress: .fixed(90)),
        // Powered off with an action under way: being powered on again.
        StateRule(status: "off", locked: true, nodeStatus: .pending, progress: .fixed(40)),
        // Powered off (by `destroy false`, or by hand).
        StateRule(
            status: "off", locked: false, nodeStatus: .destroyed, progress: .fixed(100), outcome: .stoppedWhenKept),
        // Archived: DigitalOcean's last state before a droplet disappears.
        StateRule(status: "archive", nodeStatus: .destroyed, progress: .fixed(100)),
    ]

    /// Seconds a droplet usually takes from `new` to `active`; building progress
    /// reaches 90 % then.
    static let typicalBuildTime: Double = 60
    /// A droplet still `new` this long after its creation is taken as a failed build.
    static let buildTimeLimit: Double = 20 * 60

    /// The node a droplet is, by `stateTable`.
    ///
    /// - Parameter createErrored: the droplet's create action is known to have errored
    ///   (only `statusnode` looks, and only for droplets still being built).
    func cloudNode(_ droplet: Droplet, createErrored: Bool = false) -> CloudNode {
        let rule =
            Self.stateTable.first { rule in
                (rule.status == nil || rule.status == droplet.status)
                    && (rule.locked == nil || rule.locked == droplet.locked)
                    && (rule.addressed == nil || rule.addressed == droplet.hasIPv4)
                    && (!rule.createErrored || createErrored)
            }
            // A status this release does not know: DigitalOcean has added one; wait for
            // it to settle rather than delete or count the droplet.
            ?? StateRule(nodeStatus: .pending, progress: .fixed(50))

        var status = rule.nodeStatus
        var complete: Int
        var condition = CloudNode.Condition.normal
        switch rule.progress {
        case .fixed(let percent):
            complete = percent
        case .building:
            let age = api.now - (Timestamp.parse(droplet.createdAt) ?? api.now)
            complete = 10 + Int(80 * min(1, max(0, age) / Self.typicalBuildTime))
            // Only the server's own clock may condemn a build: a skewed local clock must
            // never get a droplet deleted.
            if api.serverTime != nil, age > Self.buildTimeLimit {
                status = .destroyed
                complete = 100
                condition = .failed("still being built \(Int(age / 60)) minutes after it was created")
            }
        }
        switch rule.outcome {
        case .normal: break
        case .stoppedWhenKept: if !context.config.destroy { condition = .stopped }
        case .failed(let reason): condition = .failed(reason)
        }
        let record = NodeRecord(
            uniqID: droplet.id, name: droplet.name, status: status, complete: complete,
            publicIP: droplet.publicIPv4, privateIP: droplet.privateIPv4,
            created: Timestamp.normalize(droplet.createdAt), imageID: droplet.imageID, sizeID: droplet.sizeSlug)
        return CloudNode(record, condition: condition)
    }
}
