import TMCloudJSON

/// A node's state as the Traffic Manager understands it.
public enum NodeStatus: String, Sendable {
    /// Building, powering on, or any transition towards running.
    case pending
    /// Running with its address known.
    case active
    /// Deleted, being deleted, powered off by `destroy false`, failed, or gone.
    case destroyed
}

/// One node as printed in a response (contract section 4).
public struct NodeRecord: Sendable, Equatable {
    public var uniqID: String
    public var name: String
    public var status: NodeStatus
    /// Progress of the current transition, 0...100.
    public var complete: Int
    public var publicIP: String
    public var privateIP: String
    /// RFC 3339 UTC, or "" when unknown.
    public var created: String
    public var imageID: String
    public var sizeID: String

    public init(
        uniqID: String, name: String, status: NodeStatus, complete: Int, publicIP: String = "",
        privateIP: String = "", created: String = "", imageID: String = "", sizeID: String = ""
    ) {
        self.uniqID = uniqID
        self.name = name
        self.status = status
        self.complete = min(100, max(0, complete))
        self.publicIP = publicIP
        self.privateIP = privateIP
        self.created = created
        self.imageID = imageID
        self.sizeID = sizeID
    }

    public var json: JSONValue {
        [
            "uniq_id": .string(uniqID), "name": .string(name), "status": .string(status.rawValue),
            "complete": .int(Int64(complete)), "public_ip": .string(publicIP), "private_ip": .string(privateIP),
            "created": .string(created), "imageid": .string(imageID), "sizeid": .string(sizeID),
        ]
    }
}

/// The three replies the Traffic Manager reads.
public enum Envelope: String, Sendable {
    case nodeStatus = "NodeStatusResponse"
    case createNode = "CreateNodeResponse"
    case destroyNode = "DestroyNodeResponse"

    public var code: Int64 { self == .nodeStatus ? 200 : 202 }

    /// The one-line JSON document, newline included.
    public func render(_ nodes: [NodeRecord]) -> String {
        let body: JSONValue = [
            rawValue: ["version": 1, "code": .int(code), "nodes": .array(nodes.map(\.json))]
        ]
        return JSONWriter.string(body) + "\n"
    }
}
