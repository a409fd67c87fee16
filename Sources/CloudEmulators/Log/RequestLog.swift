import Synchronization

/// One request as an emulator saw it.
public struct RequestLogEntry: Sendable {
    public var method: String
    /// Path and query as sent.
    public var target: String
    /// The decoded path without the query.
    public var path: String
    /// nil when no reply was sent (dropped or hung).
    public var status: Int?
    /// Real seconds from reading the request to writing the reply.
    public var latency: Double
    /// The emulator's time (virtual or real) when the request arrived.
    public var virtualTime: Double
    /// The body of mutating requests (POST, PUT, PATCH, DELETE).
    public var body: String?
    /// The injected fault, if any (`drop`, `hang`, `error-503`, `throttle`...).
    public var fault: String?
}

/// Every request an emulator has served, in arrival order.
public final class RequestLog: Sendable {
    private let entries = Mutex<[RequestLogEntry]>([])

    public init() {}

    public var all: [RequestLogEntry] { entries.withLock { $0 } }

    public func clear() { entries.withLock { $0.removeAll() } }

    /// How many requests matched the method (any when nil) and path prefix.
    public func count(method: String? = nil, pathPrefix: String = "/") -> Int {
        entries.withLock { list in
            list.filter { (method == nil || $0.method == method) && $0.path.hasPrefix(pathPrefix) }.count
        }
    }

    func append(_ entry: RequestLogEntry) { entries.withLock { $0.append(entry) } }
}
