import Glibc
import TMCloudJSON

/// A reply read by `RawHTTPConnection`.
public struct RawHTTPResponse: Sendable {
    public var status: Int
    /// Header names lowercased.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name == wanted }?.value
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body parsed as JSON (`.null` when it is not JSON).
    public var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
}

public enum RawHTTPError: Error, Equatable {
    case connectFailed(Int32)
    case timedOut
    /// The server closed the connection before a complete reply.
    case closedWithoutReply
    case malformedReply
}

/// A deliberately small blocking HTTP/1.1 client over one TCP connection, for tests
/// that must see exactly what goes over the wire (drops, hangs, keep-alive).
public final class RawHTTPConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1:`port`; `timeout` bounds every read.
    public init(port: UInt16, timeout: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            close(fd)
            throw RawHTTPError.connectFailed(code)
        }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Connects to the port of a base URL such as `http://127.0.0.1:40123`.
    public convenience init(baseURL: String, timeout: Double = 5) throws {
        let port = baseURL.split(separator: ":").last.flatMap { UInt16($0.prefix { $0.isNumber }) } ?? 0
        try self.init(port: port, timeout: timeout)
    }

    deinit { close(fd) }

    /// Sends a request (Content-Length body) and reads its reply.
    public func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: String? = nil
    ) throws -> RawHTTPResponse {
        var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let bytes = Array((body ?? "").utf8)
        if body != nil || method == "POST" || method == "PUT" { head += "Content-Length: \(bytes.count)\r\n" }
        head += "\r\n"
        try sendRaw(Array(head.utf8) + bytes)
        return try readResponse()
    }

    /// Writes bytes as they are (for chunked bodies or malformed requests).
    public func sendRaw(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw RawHTTPError.closedWithoutReply }
            offset += sent
        }
    }

    /// Reads one reply framed by Content-Length (or by the connection closing).
    public func readResponse() throws -> RawHTTPResponse {
        let headEnd = try readUntil([13, 10, 13, 10])
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = head.split(separator: "\r\n").map(String.init)
        guard !lines.isEmpty else { throw RawHTTPError.malformedReply }
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw RawHTTPError.malformedReply }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((
                line[..<colon].lowercased(),
                String(line[line.index(after: colon)...].drop { $0 == " " })))
        }
        let length = headers.first { $0.name == "content-length" }.flatMap { Int($0.value) }
        if let length {
            while buffer.count < length { try receive() }
            let body = Array(buffer[..<length])
            buffer.removeFirst(length)
            return RawHTTPResponse(status: status, headers: headers, body: body)
        }
        while (try? receive()) != nil {}
        defer { buffer.removeAll() }
        return RawHTTPResponse(status: status, headers: headers, body: buffer)
    }

    /// True when the server closes the connection within `timeout` seconds.
    public func waitForClose(timeout: Double) -> Bool {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var ready = poll(&poller, 1, Int32(timeout * 1000))
        // A signal may cut the wait short: wait once more rather than report "open".
        if ready < 0 && errno == EINTR { ready = poll(&poller, 1, Int32(timeout * 1000)) }
        guard ready > 0 else { return false }
        var scratch = [UInt8](repeating: 0, count: 256)
        return recv(fd, &scratch, scratch.count, Int32(MSG_DONTWAIT)) <= 0
    }

    private func readUntil(_ pattern: [UInt8]) throws -> Int {
        while true {
            if buffer.count >= pattern.count {
                for index in 0...(buffer.count - pattern.count)
                where buffer[index] == pattern[0] && Array(buffer[index..<index + pattern.count]) == pattern {
                    return index
                }
            }
            try receive()
        }
    }

    private func receive() throws {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        let got = recv(fd, &chunk, chunk.count, 0)
        if got > 0 {
            buffer += chunk[..<got]
            return
        }
        if got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { throw RawHTTPError.timedOut }
        throw RawHTTPError.closedWithoutReply
    }
}

/// One request on a fresh connection.
public enum RawHTTP {
    public static func request(
        _ baseURL: String, _ method: String, _ target: String, headers: [(String, String)] = [],
        body: String? = nil, timeout: Double = 5
    ) throws -> RawHTTPResponse {
        let connection = try RawHTTPConnection(baseURL: baseURL, timeout: timeout)
        return try connection.request(method, target, headers: headers + [("Connection", "close")], body: body)
    }
}
