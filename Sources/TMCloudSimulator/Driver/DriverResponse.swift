import TMCloudJSON

/// The three actions the Traffic Manager's autoscaler runs.
public enum DriverAction: String, Sendable, Equatable, CaseIterable {
    case status
    case createNode = "createnode"
    case destroyNode = "destroynode"

    /// The envelope key of this action's reply, and the code that means success.
    var envelope: (key: String, code: Int64) {
        switch self {
        case .status: return ("NodeStatusResponse", 200)
        case .createNode: return ("CreateNodeResponse", 202)
        case .destroyNode: return ("DestroyNodeResponse", 202)
        }
    }
}

/// Why a driver run did not give a usable answer.
public enum DriverFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Non-zero exit; `message` is the stderr line (`tmcloud: ACTION: ...`).
    case exited(status: Int32, message: String)
    /// Still running at the deadline, and killed.
    case hung(after: Double)
    /// Exit 0 but stdout is not the reply the action must print.
    case unparseable(String)
    /// The executable could not be started.
    case notStarted(String)

    public var description: String {
        switch self {
        case .exited(let status, let message): return "exit \(status): \(message.isEmpty ? "(no message)" : message)"
        case .hung(let after): return "still running after \(Int(after)) s; killed"
        case .unparseable(let reason): return "unparseable reply: \(reason)"
        case .notStarted(let reason): return reason
        }
    }

    /// The Traffic Manager event this failure raises for `action`.
    public func event(for action: DriverAction) -> EventTag {
        switch (self, action) {
        case (.hung, .status): return .statusProcessHanging
        case (.hung, _): return .changeProcessHanging
        case (.unparseable, _): return .responseParseError
        case (_, .status): return .statusUpdateError
        default: return .changeProcessFailure
        }
    }
}

/// Reads driver output the way the Traffic Manager has to: one JSON object whose single
/// member is the action's envelope, `version` 1, the success code, and a `nodes` array.
public enum DriverResponseParser {
    public static func parse(_ stdout: [UInt8], for action: DriverAction) throws(DriverFailure) -> [CloudNode] {
        let value: JSONValue
        do {
            value = try JSONParser.parse(stdout)
        } catch {
            let text = String(decoding: stdout.prefix(60), as: UTF8.self)
                .split(whereSeparator: \.isNewline).joined(separator: " ")
            throw .unparseable(stdout.isEmpty ? "empty output" : "\(error) in \"\(text)\"")
        }
        let (key, code) = action.envelope
        guard let envelope = value[key], case .object = envelope else {
            throw .unparseable("no \(key) object")
        }
        guard let actual = envelope["code"]?.intValue else { throw .unparseable("\(key) has no code") }
        guard actual == code else { throw .unparseable("\(key) code \(actual), expected \(code)") }
        guard let list = envelope["nodes"]?.arrayValue else { throw .unparseable("\(key) has no nodes array") }
        var nodes: [CloudNode] = []
        for (index, item) in list.enumerated() {
            guard case .object = item, let id = item["uniq_id"]?.scalarText, !id.isEmpty else {
                throw .unparseable("\(key) node \(index) has no uniq_id")
            }
            let status = item["status"]?.stringValue ?? ""
            guard ["pending", "active", "destroyed"].contains(status) else {
                throw .unparseable("\(key) node \(id) has status \"\(status)\"")
            }
            nodes.append(
                CloudNode(
                    uniqID: id, name: item["name"]?.scalarText ?? "", status: status,
                    complete: Int(item["complete"]?.intValue ?? Int64(item["complete"]?.stringValue ?? "") ?? 0),
                    publicIP: item["public_ip"]?.stringValue ?? "", privateIP: item["private_ip"]?.stringValue ?? "",
                    created: item["created"]?.scalarText ?? "", imageID: item["imageid"]?.scalarText,
                    sizeID: item["sizeid"]?.scalarText))
        }
        return nodes
    }

    /// The message of a failed run: the last non-empty stderr line.
    public static func failureMessage(_ stderr: [UInt8]) -> String {
        let lines = String(decoding: stderr, as: UTF8.self).split(whereSeparator: \.isNewline)
        return lines.last.map(String.init) ?? ""
    }
}
