import TMCloudJSON
import TMCloudTransport

/// An in-process cloud that answers driver command lines itself, following the driver
/// contract: what `tmcloud` would print for a cloud whose nodes boot in `bootTime`
/// simulated seconds. Used when no emulated cloud with a working driver is at hand, and
/// to test the whole loop quickly. Of a fault plan it applies the cloud's own faults
/// (`boot_fail`); driver-run faults come from `FaultyTransport`, and `vanish` from the
/// simulation itself.
public final class ModelCloud: CloudUnderTest, DriverTransport {
    public let name: String
    public let cloudCredentials = "sim"
    public var bootTime: Double
    private let clock: any SimulationClock
    private var random: SimulationRandom
    private var faults = SimulatedFaults()
    private var nodes: [Node] = []
    private var nextID = 4_200_001
    private var calls: [String: Int] = [:]
    private let imageID: String
    private let sizeID: String

    private struct Node {
        var id: String
        var name: String
        var createdAt: Double
        var number: Int
        var failsToBoot: Bool
    }

    public init(name: String, clock: any SimulationClock, bootTime: Double, seed: UInt64, imageID: String, sizeID: String) {
        self.name = name
        self.clock = clock
        self.bootTime = bootTime
        self.imageID = imageID
        self.sizeID = sizeID
        random = SimulationRandom(seed: seed ^ 0xC10D)
    }

    public var transport: any DriverTransport { self }
    public var label: String { "in-process model driver" }

    public func schedule(_ faults: SimulatedFaults) { self.faults = faults }

    public func leftovers(prefix: String) -> [String]? {
        nodes.filter { $0.name.hasPrefix(prefix) }.map(\.name)
    }

    public func apiCalls() -> [String: Int]? { calls }

    public func shutdown() {}

    /// Adds a node as if someone had made it before the run (status then reports it).
    public func seedNode(name: String, active: Bool = true) {
        let created = active ? clock.now - bootTime - 1 : clock.now
        nodes.append(Node(id: String(nextID), name: name, createdAt: created, number: nextID % 250, failsToBoot: false))
        nextID += 1
    }

    // MARK: - DriverTransport

    public func execute(arguments: [String], timeout: Double) -> DriverExecution {
        let action = arguments.first ?? ""
        var options: [String: String] = [:]
        for argument in arguments.dropFirst() where argument.hasPrefix("--") {
            let body = argument.dropFirst(2)
            if let eq = body.firstIndex(of: "=") {
                options[String(body[..<eq])] = String(body[body.index(after: eq)...])
            }
        }
        calls[action, default: 0] += 1
        switch action {
        case "status":
            pruneFailedBuilds()
            return reply("NodeStatusResponse", 200, nodes.map(describe))
        case "createnode":
            guard let name = options["name"], !name.isEmpty else { return failure("createnode", "--name is required", status: 2) }
            if let existing = nodes.first(where: { $0.name == name }) {
                return reply("CreateNodeResponse", 202, [describe(existing)])
            }
            let node = Node(
                id: String(nextID), name: name, createdAt: clock.now, number: nextID % 250 + 1,
                failsToBoot: chance(.bootFail))
            nextID += 1
            nodes.append(node)
            return reply("CreateNodeResponse", 202, [describe(node)])
        case "destroynode":
            guard let id = options["id"], !id.isEmpty else { return failure("destroynode", "--id is required", status: 2) }
            let gone = nodes.first { $0.id == id }
            nodes.removeAll { $0.id == id }
            var entry = gone.map(describe) ?? nodeJSON(id: id, name: "", status: "destroyed", complete: 100, ip: nil, created: "")
            if case .object(var o) = entry {
                o["status"] = "destroyed"
                o["complete"] = 100
                entry = .object(o)
            }
            return reply("DestroyNodeResponse", 202, [entry])
        default:
            return failure(action, "unknown action", status: 2)
        }
    }

    // MARK: - Replies

    private func chance(_ kind: SimulatedFaults.Chance) -> Bool {
        guard let p = faults.chances[kind], p > 0 else { return false }
        return random.unit() < p
    }

    /// A node that failed to build is reported destroyed once, then gone (the driver
    /// deletes failed nodes of its configuration).
    private func pruneFailedBuilds() {
        nodes.removeAll { $0.failsToBoot && clock.now - $0.createdAt >= bootTime + 60 }
    }

    private func describe(_ node: Node) -> JSONValue {
        let age = clock.now - node.createdAt
        if node.failsToBoot && age >= bootTime {
            return nodeJSON(id: node.id, name: node.name, status: "destroyed", complete: 100, ip: nil, created: created(node))
        }
        if age >= bootTime {
            return nodeJSON(id: node.id, name: node.name, status: "active", complete: 100, ip: node.number, created: created(node))
        }
        let complete = Int(min(99, 100 * age / max(bootTime, 1)))
        return nodeJSON(id: node.id, name: node.name, status: "pending", complete: complete, ip: nil, created: created(node))
    }

    private func created(_ node: Node) -> String { UTCTime.rfc3339(node.createdAt) }

    private func nodeJSON(id: String, name: String, status: String, complete: Int, ip: Int?, created: String) -> JSONValue {
        .object(
            JSONObject(pairs: [
                ("uniq_id", .string(id)), ("name", .string(name)), ("status", .string(status)),
                ("complete", .int(Int64(complete))), ("public_ip", .string(ip.map { "198.51.100.\($0)" } ?? "")),
                ("private_ip", .string(ip.map { "10.20.0.\($0)" } ?? "")), ("created", .string(created)),
                ("imageid", .string(imageID)), ("sizeid", .string(sizeID)),
            ]))
    }

    private func reply(_ key: String, _ code: Int64, _ list: [JSONValue]) -> DriverExecution {
        let value: JSONValue = .object(
            JSONObject(pairs: [(key, .object(JSONObject(pairs: [("version", 1), ("code", .int(code)), ("nodes", .array(list))])))]))
        return DriverExecution(exitStatus: 0, stdout: JSONWriter.bytes(value) + [10])
    }

    private func failure(_ action: String, _ message: String, status: Int32 = 1) -> DriverExecution {
        DriverExecution(exitStatus: status, stdout: [], stderr: Array("tmcloud: \(action): \(message)\n".utf8))
    }
}

