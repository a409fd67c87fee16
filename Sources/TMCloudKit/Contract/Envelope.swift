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

    /// The one-line JSON document, newline included: the same text as `JSONWriter`
    /// makes of `document(nodes)`, written straight out (a 1,000-node status spent a
    /// fifth of its time building and walking the tree).
    public func render(_ nodes: [NodeRecord]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(80 + nodes.count * 240)
        out.append(contentsOf: "{\"\(rawValue)\":{\"version\":1,\"code\":\(code),\"nodes\":[".utf8)
        for (n, node) in nodes.enumerated() {
            if n > 0 { out.append(UInt8(ascii: ",")) }
            field("{\"uniq_id\":", node.uniqID, &out)
            field(",\"name\":", node.name, &out)
            field(",\"status\":", node.status.rawValue, &out)
            out.append(contentsOf: ",\"complete\":\(node.complete)".utf8)
            field(",\"public_ip\":", node.publicIP, &out)
            field(",\"private_ip\":", node.privateIP, &out)
            field(",\"created\":", node.created, &out)
            field(",\"imageid\":", node.imageID, &out)
            field(",\"sizeid\":", node.sizeID, &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}}\n".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    private func field(_ prefix: StaticString, _ value: String, _ out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
        JSONWriter.writeString(value, into: &out)
    }

    /// The document as a value: what `render` writes.
    public func document(_ nodes: [NodeRecord]) -> JSONValue {
        [rawValue: ["version": 1, "code": .int(code), "nodes": .array(nodes.map(\.json))]]
    }
}
