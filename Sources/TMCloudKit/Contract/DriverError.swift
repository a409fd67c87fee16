import TMCloudTransport

/// Every failure the driver reports: one line on stderr and an exit status.
///
/// Providers turn their cloud's error replies into this type at the edge of their
/// folder; `Driver` formats all of them in one place.
public struct DriverError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Bad argv: exit 2.
        case usage
        /// A bad or missing credentials or configuration file: exit 2.
        case config
        /// The cloud answered with an error: exit 1.
        case cloud
        /// No usable reply (connection, TLS, timeout, deadline): exit 1.
        case transport
        /// A reply that could not be read: exit 1.
        case malformedReply
        /// An operation this provider does not have: exit 1.
        case notImplemented
    }

    public var kind: Kind
    public var message: String
    /// The HTTP status, when the cloud answered.
    public var httpStatus: Int?
    /// True when a create may have been carried out although it failed: the caller
    /// must look the name up before it tries again.
    public var mayHaveCreated: Bool

    public init(_ kind: Kind, _ message: String, httpStatus: Int? = nil, mayHaveCreated: Bool = false) {
        self.kind = kind
        self.message = message
        self.httpStatus = httpStatus
        self.mayHaveCreated = mayHaveCreated
    }

    public var exitStatus: Int32 {
        switch kind {
        case .usage, .config: return 2
        default: return 1
        }
    }

    public var description: String { message }

    // MARK: - Common constructors

    public static func usage(_ message: String) -> DriverError { DriverError(.usage, message) }
    public static func config(_ message: String) -> DriverError { DriverError(.config, message) }

    /// A cloud error reply: "HTTP 401: Unable to authenticate you.".
    public static func cloud(status: Int, message: String) -> DriverError {
        let text = message.isEmpty ? "HTTP \(status)" : "HTTP \(status): \(message)"
        return DriverError(.cloud, text, httpStatus: status)
    }

    public static func malformed(_ what: String) -> DriverError {
        DriverError(.malformedReply, "unreadable reply: \(what)")
    }

    public static func notImplemented(_ what: String) -> DriverError {
        DriverError(.notImplemented, "\(what) is not available for this provider")
    }

    /// The error for a request that got no usable reply.
    public init(_ failure: RequestFailure) {
        switch failure {
        case .ambiguous:
            self.init(.transport, failure.description, mayHaveCreated: true)
        default:
            self.init(.transport, failure.description)
        }
    }
}
