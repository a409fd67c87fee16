import TMCloudJSON
import TMCloudTransport

/// What a cloud says about one of the pool's nodes, already mapped to the contract.
public struct CloudNode: Sendable, Equatable {
    /// Why a node is `destroyed` while it still exists, which decides what the driver
    /// does with it next.
    public enum Condition: Sendable, Equatable {
        /// Nothing special: pending, active, or on its way out.
        case normal
        /// Powered off by `destroy false`: `createnode` may power it on again.
        case stopped
        /// A build or operation failed: the driver deletes it on the next change.
        case failed(String)
    }

    public var record: NodeRecord
    public var condition: Condition
    /// What the provider wants a later run to know about the node without asking the
    /// cloud (kept in the pool snapshot): OEC its power state, OpenStack its floating
    /// addresses. No spaces; "" when there is nothing to say.
    public var hint: String

    public init(_ record: NodeRecord, condition: Condition = .normal, hint: String = "") {
        self.record = record
        self.condition = condition
        self.hint = hint
    }

    public var id: String { record.uniqID }
    public var name: String { record.name }

    public var isFailed: Bool {
        if case .failed = condition { return true }
        return false
    }
}

/// A node as the pool snapshot keeps it: what `status` saw of it, which a change made
/// soon after may act on without asking the cloud again.
public struct ListedNode: Sendable, Equatable {
    public enum State: String, Sendable {
        case normal, stopped, failed
    }

    public var id: String
    public var name: String
    public var state: State
    /// `CloudNode.hint` as it was listed.
    public var hint: String

    public init(id: String, name: String, state: State, hint: String = "") {
        self.id = id
        self.name = name
        self.state = state
        self.hint = hint
    }

    public init(_ node: CloudNode) {
        let state: State
        switch node.condition {
        case .normal: state = .normal
        case .stopped: state = .stopped
        case .failed: state = .failed
        }
        self.init(id: node.id, name: node.name, state: state, hint: node.hint)
    }
}

/// What `createnode` asks for.
public struct CreateRequest: Sendable, Equatable {
    public var name: String
    public var imageID: String
    /// Empty when the Traffic Manager gave none (OpSource does not need one).
    public var sizeID: String

    public init(name: String, imageID: String, sizeID: String) {
        self.name = name
        self.imageID = imageID
        self.sizeID = sizeID
    }
}

/// What `destroyNode` found.
public enum DestroyOutcome: Sendable, Equatable {
    /// The cloud accepted the deletion (or power-off).
    case started
    /// The node was already gone.
    case alreadyGone
}

/// One line of the `check` report.
public struct CheckResult: Sendable, Equatable {
    public var passed: Bool
    public var text: String

    public init(_ passed: Bool, _ text: String) {
        self.passed = passed
        self.text = text
    }
}

/// One cloud, as the driver's actions need it.
///
/// Each requirement's comment ends "Required." or "Optional.": optional ones have a
/// default that throws `notImplemented`. What the contract promises across clouds
/// (idempotent create, name filters, cleanup of failed nodes, power-off reuse) lives
/// once, in `Driver`, not here.
public protocol CloudProvider: AnyObject {
    /// Every node of this configuration (its tag, VLAN or metadata scope), in one list
    /// request plus pagination and no per-node requests. Required.
    func listNodes() throws(DriverError) -> [CloudNode]

    /// One node by the cloud's id; nil when the cloud no longer has it. Required.
    func node(id: String) throws(DriverError) -> CloudNode?

    /// The nodes of this configuration called `name`. Optional: the default filters
    /// `listNodes()`.
    func nodes(named name: String) throws(DriverError) -> [CloudNode]

    /// Asks the cloud for a new node and returns it as the cloud first reports it
    /// (usually `pending`). A create must never be blindly resent: when the request may
    /// have reached the cloud, throw with `mayHaveCreated` and the driver looks the name
    /// up first. Required.
    func createNode(_ request: CreateRequest) throws(DriverError) -> CloudNode

    /// Deletes a node (and whatever the driver made for it, such as a floating IP).
    /// A node that is already gone is not an error. The id may be anything the
    /// Traffic Manager holds: a node of another pool must be refused. Required.
    func destroyNode(id: String) throws(DriverError) -> DestroyOutcome

    /// Deletes a node that a listing of this pool showed a few minutes ago (the pool
    /// snapshot), so the provider may trust that it belongs to the pool and act on
    /// `listed.hint` without looking first. Optional: the default is `destroyNode(id:)`.
    func destroyNode(_ listed: ListedNode) throws(DriverError) -> DestroyOutcome

    /// Powers a node off instead of deleting it (`destroy false`). Optional.
    func powerOff(id: String) throws(DriverError) -> DestroyOutcome

    /// Powers a stopped node of the pool on again under a new name. Optional.
    func reuse(_ node: CloudNode, as name: String) throws(DriverError) -> CloudNode

    /// Checks credentials, endpoints, image, size and network; one line each.
    /// Required.
    func check() -> [CheckResult]
}

extension CloudProvider {
    public func nodes(named name: String) throws(DriverError) -> [CloudNode] {
        try listNodes().filter { $0.name == name }
    }

    public func destroyNode(_ listed: ListedNode) throws(DriverError) -> DestroyOutcome {
        try destroyNode(id: listed.id)
    }

    public func powerOff(id: String) throws(DriverError) -> DestroyOutcome {
        throw .notImplemented("powering a node off (destroy false)")
    }

    public func reuse(_ node: CloudNode, as name: String) throws(DriverError) -> CloudNode {
        throw .notImplemented("powering a stopped node on (destroy false)")
    }
}

/// What a provider is given to work with for one run.
public final class ProviderContext {
    public let config: DriverConfig
    /// cred2: the password, token or application credential secret.
    public let secret: String
    public let credentials: Credentials
    public let home: ZeusHome
    public let client: APIClient
    public let redactor: Redactor
    /// Writes a diagnostic line to stderr under `--verbose` (redacted); otherwise nothing.
    public let note: (String) -> Void
    /// `--imageid` and `--sizeid` as given on the command line ("" when absent), so
    /// that `check` can look up the pool's image and size.
    public internal(set) var requestedImageID = ""
    public internal(set) var requestedSizeID = ""

    public init(
        config: DriverConfig, credentials: Credentials, home: ZeusHome, client: APIClient, redactor: Redactor,
        note: @escaping (String) -> Void
    ) {
        self.config = config
        self.secret = credentials.cred2
        self.credentials = credentials
        self.home = home
        self.client = client
        self.redactor = redactor
        self.note = note
    }

    /// A name for files the driver keeps per credentials object (a token cache): the
    /// object's name, or for `--cred1` runs a name derived from the config file path.
    public var stateName: String {
        if let name = credentials.objectName { return name }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in config.path.utf8 {
            hash ^= UInt64(b)
            hash = hash &* 0x100_0000_01b3
        }
        return "cred1-" + String(hash, radix: 16)
    }

    /// A file named by a config key (`userDataFile`): resolved like cred1, and read.
    public func readFile(key: String, limit: Int = 64 << 10) throws(DriverError) -> [UInt8]? {
        guard let value = config.string(key) else { return nil }
        let path = try home.resolveExtraFile(value, what: key)
        do {
            return try TextFile.read(path, limit: limit)
        } catch {
            throw .config("\(config.location(of: key)): \(key) \(path) \(error.reason)")
        }
    }

    /// Sends a request and returns the reply; a request that got no reply becomes a
    /// `DriverError`.
    public func send(_ request: HTTPRequest) throws(DriverError) -> HTTPResponse {
        do {
            return try client.send(request)
        } catch {
            throw DriverError(error)
        }
    }

    /// Sends a GET ahead of the `send` that will ask for it: a listing's next page,
    /// which the server prepares while the driver reads the page it has.
    public func prefetch(_ request: HTTPRequest) {
        client.prefetch(request)
    }

    /// The reply's body as JSON, or a `malformedReply` error naming what was expected.
    public func json(_ response: HTTPResponse, expecting what: String) throws(DriverError) -> JSONValue {
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw .malformed("\(what) is not JSON (HTTP \(response.status), \(error.description))")
        }
    }

    /// The reply's body as a lazily read JSON document (only what is asked for is
    /// decoded: listings), or a `malformedReply` error naming what was expected.
    public func jsonView(_ response: HTTPResponse, expecting what: String) throws(DriverError) -> JSONView {
        do {
            return try JSONDocument(response.body).root
        } catch {
            throw .malformed("\(what) is not JSON (HTTP \(response.status), \(error.description))")
        }
    }

    /// The reply's body as XML, or a `malformedReply` error naming what was expected.
    public func xml(_ response: HTTPResponse, expecting what: String) throws(DriverError) -> XMLElement {
        do {
            return try XMLDocumentParser.parse(response.body)
        } catch {
            throw .malformed("\(what) is not XML (HTTP \(response.status), \(error.message))")
        }
    }
}
