import TMCloudJSON

/// A node's state as the Traffic Manager understands it.
public enum NodeStatus: String, Sendable {
    /// Building, powering on, or any transition towards running.
    case pending
    /// Running with its address known.
    case active
    /// Deleted, being deleted, powered off by `destroy false`, failed, or gone.
    case destroyed

    /// `rawValue` as a literal, which `Envelope.render` copies without making a `String`.
    var name: StaticString {
        switch self {
        case .pending: return "pending"
        case .active: return "active"
        case .destroyed: return "destroyed"
        }
    }
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

    /// `rawValue` as a literal, for `render`.
    var literal: StaticString {
        switch self {
        case .nodeStatus: return "NodeStatusResponse"
        case .createNode: return "CreateNodeResponse"
        case .destroyNode: return "DestroyNodeResponse"
        }
    }

    /// The one-line JSON document, newline included: the same text as `JSONWriter`
    /// makes of `document(nodes)`, written straight out (a 1,000-node status spent a
    /// fifth of its time building and walking the tree).
    public func render(_ nodes: [NodeRecord]) -> String {
        var out = JSONTextWriter(capacity: 80 + nodes.count * 240)
        out.append("{\"")
        out.append(literal)
        out.append("\":{\"version\":1,\"code\":")
        out.append(Int(code))
        out.append(",\"nodes\":[")
        // By index, so that no node is copied (nine strings retained and released).
        for n in nodes.indices {
            if n > 0 { out.append(",") }
            out.append("{\"uniq_id\":")
            out.appendString(nodes[n].uniqID)
            out.append(",\"name\":")
            out.appendString(nodes[n].name)
            out.append(",\"status\":\"")
            out.append(nodes[n].status.name)
            out.append("\",\"complete\":")
            out.append(nodes[n].complete)
            out.append(",\"public_ip\":")
            out.appendString(nodes[n].publicIP)
            out.append(",\"private_ip\":")
            out.appendString(nodes[n].privateIP)
            out.append(",\"created\":")
            out.appendString(nodes[n].created)
            out.append(",\"imageid\":")
            out.appendString(nodes[n].imageID)
            out.append(",\"sizeid\":")
            out.appendString(nodes[n].sizeID)
            out.append("}")
        }
        out.append("]}}\n")
        return out.text()
    }

    /// The document as a value: what `render` writes.
    public func document(_ nodes: [NodeRecord]) -> JSONValue {
        [rawValue: ["version": 1, "code": .int(code), "nodes": .array(nodes.map(\.json))]]
    }
}
