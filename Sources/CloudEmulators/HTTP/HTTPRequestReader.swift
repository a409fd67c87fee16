import Glibc

/// Reads requests one after another from a connection (keep-alive), with
/// Content-Length or chunked bodies and size limits.
final class HTTPRequestReader {
    enum Outcome {
        case request(HTTPRequest)
        case closed
        /// A reply to send before closing: malformed or too large.
        case invalid(Int, String)
    }

    private let connection: Connection
    private let limits: HTTPServer.Limits
    private var buffer: [UInt8] = []
    /// Where `recv` reads to, kept for the connection's life.
    private var chunk = [UInt8](repeating: 0, count: 16 * 1024)

    init(connection: Connection, limits: HTTPServer.Limits) {
        self.connection = connection
        self.limits = limits
    }

    func next() -> Outcome {
        guard let headEnd = readUntilHeaderEnd() else {
            return buffer.count > limits.maximumHeaderBytes ? .invalid(431, "header too large") : .closed
        }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            return .invalid(400, "malformed request line")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { return .invalid(400, "malformed header") }
            let name = String(line[..<colon]).trimmingSpaces()
            let value = String(line[line.index(after: colon)...]).trimmingSpaces()
            headers.append((name.lowercased(), value))
        }
        // libcurl waits (up to a second) for this before sending a larger body.
        if headers.contains(where: { $0.name == "expect" && $0.value.lowercased() == "100-continue" }) {
            _ = connection.write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
        }
        let body: [UInt8]
        let transferEncoding = headers.first { $0.name == "transfer-encoding" }?.value.lowercased()
        if let transferEncoding, transferEncoding.contains("chunked") {
            switch readChunkedBody() {
            case .success(let bytes): body = bytes
            case .failure(let failure): return failure.outcome
            }
        } else if let lengthText = headers.first(where: { $0.name == "content-length" })?.value {
            guard let length = Int(lengthText), length >= 0 else { return .invalid(400, "bad Content-Length") }
            guard length <= limits.maximumBodyBytes else { return .invalid(413, "body too large") }
            guard fill(to: length) else { return .closed }
            body = Array(buffer[..<length])
            buffer.removeFirst(length)
        } else {
            body = []
        }
        return .request(HTTPRequest(
            method: String(requestLine[0]), target: String(requestLine[1]), headers: headers, body: body))
    }

    private struct Failure: Error { let outcome: Outcome }

    private func readChunkedBody() -> Result<[UInt8], Failure> {
        var body: [UInt8] = []
        while true {
            guard let lineEnd = readLine() else { return .failure(Failure(outcome: .closed)) }
            let sizeText = String(decoding: buffer[..<lineEnd], as: UTF8.self)
                .split(separator: ";").first.map(String.init)?.trimmingSpaces() ?? ""
            buffer.removeFirst(lineEnd + 2)
            guard let size = Int(sizeText, radix: 16), size >= 0 else {
                return .failure(Failure(outcome: .invalid(400, "bad chunk size")))
            }
            if size == 0 {
                // Trailers, if any, end with an empty line.
                while let end = readLine() {
                    buffer.removeFirst(end + 2)
                    if end == 0 { return .success(body) }
                }
                return .failure(Failure(outcome: .closed))
            }
            guard body.count + size <= limits.maximumBodyBytes else {
                return .failure(Failure(outcome: .invalid(413, "body too large")))
            }
            guard fill(to: size + 2) else { return .failure(Failure(outcome: .closed)) }
            body += buffer[..<size]
            buffer.removeFirst(size + 2)
        }
    }

    private func readUntilHeaderEnd() -> Int? {
        var searchFrom = 0
        while true {
            if let end = find([13, 10, 13, 10], from: searchFrom) { return end }
            searchFrom = max(0, buffer.count - 3)
            if buffer.count > limits.maximumHeaderBytes || !receive() { return nil }
        }
    }

    private func readLine() -> Int? {
        while true {
            if let end = find([13, 10], from: 0) { return end }
            if buffer.count > limits.maximumHeaderBytes || !receive() { return nil }
        }
    }

    private func fill(to count: Int) -> Bool {
        while buffer.count < count {
            if !receive() { return false }
        }
        return true
    }

    private func find(_ pattern: [UInt8], from start: Int) -> Int? {
        guard buffer.count >= pattern.count else { return nil }
        var index = start
        while index + pattern.count <= buffer.count {
            if buffer[index] == pattern[0] && Array(buffer[index..<index + pattern.count]) == pattern { return index }
            index += 1
        }
        return nil
    }

    private func receive() -> Bool {
        let got = connection.receive(into: &chunk)
        guard got > 0 else { return false }
        buffer += chunk[..<got]
        return true
    }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
