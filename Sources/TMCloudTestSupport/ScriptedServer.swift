import CloudEmulators
import Synchronization

/// A loopback HTTP server that answers every request with the same scripted bytes, for
/// the cloud replies no emulator would send: truncated or malformed documents, an HTML
/// page from a proxy, invalid UTF-8, huge bodies, redirects; over HTTPS with one of
/// the test certificates (good, expired, for another host, self-signed).
public final class ScriptedServer: Sendable {
    /// How the scripted reply is delivered.
    public enum Delivery: Sendable {
        case whole
        /// Half the bytes, then the connection closes.
        case partlyThenClose
        /// The connection closes without a reply.
        case close
    }

    private let server: HTTPServer
    private let requests = RequestList()

    /// Starts serving `response` on 127.0.0.1 at a free port, over HTTPS with the test
    /// certificate named `certificate` (`TestCertificates`).
    public init(response: HTTPResponse, delivery: Delivery = .whole, certificate: String? = nil) throws {
        let log = requests
        let identity = try certificate.map(TestCertificates.identity)
        server = HTTPServer(tls: identity) { request in
            log.lines.withLock { $0.append("\(request.method) \(request.target)") }
            switch delivery {
            case .whole: return .respond(response)
            case .partlyThenClose: return .respondPartlyThenClose(response)
            case .close: return .close
            }
        }
        try server.start()
    }

    public var port: UInt16 { server.port }
    public var baseURL: String { "\(server.scheme)://127.0.0.1:\(server.port)" }

    /// "METHOD target" of every request received, in order.
    public var receivedRequests: [String] { requests.lines.withLock { $0 } }

    public func stop() { server.stop() }
}

private final class RequestList: Sendable {
    let lines = Mutex<[String]>([])
}
