/// A node as the driver reports it (one entry of `nodes` in a driver response).
public struct CloudNode: Sendable, Equatable {
    public var uniqID: String
    public var name: String
    /// `pending`, `active` or `destroyed` (anything else is read as pending).
    public var status: String
    public var complete: Int
    public var publicIP: String
    public var privateIP: String
    public var created: String
    /// nil when the driver does not report it.
    public var imageID: String?
    public var sizeID: String?

    public init(
        uniqID: String, name: String, status: String, complete: Int = 100, publicIP: String = "",
        privateIP: String = "", created: String = "", imageID: String? = nil, sizeID: String? = nil
    ) {
        self.uniqID = uniqID
        self.name = name
        self.status = status
        self.complete = complete
        self.publicIP = publicIP
        self.privateIP = privateIP
        self.created = created
        self.imageID = imageID
        self.sizeID = sizeID
    }

    public var isDestroyed: Bool { status == "destroyed" || status == "deleted" }
    public var isActive: Bool { status == "active" }
}

/// Where a node the engine tracks stands.
public enum PoolNodeState: String, Sendable, Equatable {
    case pending
    case active
    /// destroynode was issued; the node no longer counts towards the pool size.
    case destroying
}

/// A node the engine has claimed for the pool.
public struct PoolNode: Sendable, Equatable {
    /// Empty until the driver has told which id the cloud gave it.
    public var uniqID: String
    public var name: String
    public var state: PoolNodeState
    /// Simulated time at which the engine created it or first saw it.
    public var trackedSince: Double
    /// Simulated time at which status first reported it active.
    public var activeSince: Double?
    /// Simulated time at which it joined the pool; nil while it is not serving.
    public var joinedAt: Double?
    public var publicIP = ""
    public var privateIP = ""
    public var createdByEngine: Bool
    /// True once a status run has listed it.
    public var seenInStatus = false

    public var isInPool: Bool { joinedAt != nil }
    /// The state before destroynode was issued, restored when the run fails.
    var stateBeforeDestroy: PoolNodeState?
    /// Simulated time at which destroynode was issued.
    var destroyIssuedAt: Double?
}

/// What the engine wants the driver to do. One change at a time.
public enum EngineAction: Sendable, Equatable {
    case create(name: String)
    case destroy(uniqID: String, name: String)
}

/// The pool as the engine sees it at one instant (for the timeline).
public struct PoolCounts: Sendable, Equatable {
    public var pending = 0
    public var active = 0
    public var destroying = 0
    public var inPool = 0
    /// Nodes counting towards min_nodes/max_nodes: pending and active.
    public var counted: Int { pending + active }
}
