import Foundation
import Glibc
import Synchronization

/// A small HTTP/1.1 server on POSIX sockets, bound to loopback.
///
/// Why by hand rather than a server library: the emulators inject faults at the
/// socket level (close a connection mid-reply, hold a request open), which a
/// framework hides; it adds no dependency to build in CI; and each connection has its
/// own thread with blocking I/O, so a test that blocks cannot starve it the way it
/// can starve a server on Swift concurrency's small global pool (two threads here).
public final class HTTPServer: Sendable {
    /// What to do with a request once it has been read.
    public enum Disposition: Sendable {
        case respond(HTTPResponse)
        /// Write the status line and part of the reply, then close: a reply lost mid-way.
        case respondPartlyThenClose(HTTPResponse)
        /// Close the connection without a reply.
        case close
        /// Hold the connection, reading nothing more and answering nothing, until the
        /// client goes away, the server stops, or `seconds` pass; then close it.
        case hang(seconds: Double)
    }

    public typealias Handler = @Sendable (HTTPRequest) -> Disposition

    public struct Limits: Sendable {
        public var maximumHeaderBytes = 64 * 1024
        public var maximumBodyBytes = 8 * 1024 * 1024
        /// An idle keep-alive connection is closed after this many seconds.
        public var idleTimeout: Double = 30
        public init() {}
    }

    private struct State {
        var listener: Int32 = -1
        var port: UInt16 = 0
        var connections: Set<Int32> = []
        var stopped = false
    }

    let limits: Limits
    /// With an identity, every connection speaks TLS (HTTPS on the same port).
    let identity: TLSIdentity?
    private let handler: Handler
    private let state = Mutex(State())

    public init(limits: Limits = Limits(), tls identity: TLSIdentity? = nil, handler: @escaping Handler) {
        self.limits = limits
        self.identity = identity
        self.handler = handler
    }

    /// The bound port, 0 before `start`.
    public var port: UInt16 { state.withLock { $0.port } }

    /// `http`, or `https` when serving TLS.
    public var scheme: String { identity == nil ? "http" : "https" }

    /// Binds 127.0.0.1 (port 0 picks a free one), starts accepting, returns the port.
    @discardableResult
    public func start(port requestedPort: UInt16 = 0) throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HTTPServerError.socket("socket", errno) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = requestedPort.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 128) == 0 else {
            let code = errno
            close(fd)
            throw HTTPServerError.socket("bind/listen", code)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = UInt16(bigEndian: address.sin_port)
        state.withLock {
            $0.listener = fd
            $0.port = port
            $0.stopped = false
        }
        let thread = Thread { [self] in acceptLoop(listener: fd) }
        thread.name = "http-accept-\(port)"
        thread.start()
        return port
    }

    /// Closes the listener and every live connection (hung ones included).
    public func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            if state.listener >= 0 {
                // shutdown wakes the thread blocked in accept(); it closes the socket.
                shutdown(state.listener, Int32(SHUT_RDWR))
            }
            for fd in state.connections { shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    var isStopped: Bool { state.withLock { $0.stopped } }

    private func acceptLoop(listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                break
            }
            let admitted = state.withLock { state -> Bool in
                if state.stopped { return false }
                state.connections.insert(client)
                return true
            }
            guard admitted else {
                close(client)
                break
            }
            let thread = Thread { [self] in
                serve(connection: client)
                state.withLock { _ = $0.connections.remove(client) }
                close(client)
            }
            thread.name = "http-conn-\(client)"
            thread.start()
        }
        close(listener)
    }

    private func serve(connection fd: Int32) {
        // The receive timeout also bounds a TLS handshake that never comes.
        var timeout = timeval(tv_sec: Int(limits.idleTimeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        guard let connection = Connection(fd: fd, identity: identity) else { return }
        var cleanly = true
        defer { connection.finish(cleanly: cleanly) }
        let reader = HTTPRequestReader(connection: connection, limits: limits)
        while !isStopped {
            let request: HTTPRequest
            switch reader.next() {
            case .request(let parsed): request = parsed
            case .closed: return
            case .invalid(let status, let message):
                _ = connection.write(HTTPResponse.text(status, message).serialized(keepAlive: false))
                return
            }
            let keepAlive = wantsKeepAlive(request)
            switch handler(request) {
            case .respond(let response):
                // The whole reply in one write: status line, headers and body.
                guard connection.write(response.serialized(keepAlive: keepAlive)), keepAlive else { return }
            case .respondPartlyThenClose(let response):
                let bytes = response.serialized(keepAlive: keepAlive)
                _ = connection.write(Array(bytes.prefix(max(1, bytes.count / 2))))
                cleanly = false
                return
            case .close:
                cleanly = false
                return
            case .hang(let seconds):
                hold(fd, for: seconds)
                cleanly = false
                return
            }
        }
    }

    private func wantsKeepAlive(_ request: HTTPRequest) -> Bool {
        let connection = request.header("connection")?.lowercased() ?? ""
        return !connection.contains("close")
    }

    /// Waits until the peer closes, the server stops, or the cap passes.
    private func hold(_ fd: Int32, for seconds: Double) {
        let deadline = WallClock.monotonic + seconds
        var scratch = [UInt8](repeating: 0, count: 512)
        while !isStopped && WallClock.monotonic < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 50)
            if ready > 0 {
                // Readable with nothing to read means the client hung up.
                let got = recv(fd, &scratch, scratch.count, Int32(MSG_DONTWAIT))
                if got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { return }
            }
        }
    }
}

public enum HTTPServerError: Error, CustomStringConvertible {
    case socket(String, Int32)

    public var description: String {
        switch self {
        case .socket(let call, let code): "\(call) failed: \(String(cString: strerror(code)))"
        }
    }
}
