/// An HTTP method the providers use.
public enum HTTPMethod: String, Sendable {
    case get = "GET", post = "POST", put = "PUT", delete = "DELETE"

    /// Whether repeating the request cannot change the outcome, so that the
    /// transport may resend it after an ambiguous failure.
    public var isIdempotent: Bool { self != .post }
}

/// A request to a cloud API.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Whether the transport may resend it after a failure that may have reached the
    /// server. Defaults to the method's idempotence; a POST that only reads (Keystone
    /// auth, a power action that is harmless to repeat) may say so.
    public var retryable: Bool

    public init(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        retryable: Bool? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.retryable = retryable ?? method.isIdempotent
    }
}

extension HTTPRequest {
    /// The same exchange on the wire: method, URL, headers and body.
    public func sameExchange(as other: HTTPRequest) -> Bool {
        method == other.method && url == other.url && body == other.body && headers.count == other.headers.count
            && zip(headers, other.headers).allSatisfy { $0 == $1 }
    }
}

/// A reply from a cloud API.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names in lower case, values trimmed; the last one wins when repeated.
    public var headers: [String: String]
    public var body: [UInt8]
    /// Seconds the exchange took.
    public var duration: Double

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = [], duration: Double = 0) {
        self.status = status
        self.headers = headers
        self.body = body
        self.duration = duration
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    public var isSuccess: Bool { (200..<300).contains(status) }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// Why an exchange produced no HTTP reply.
public struct TransportError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The request never left this machine (DNS, refused connection, TLS set-up):
        /// resending it cannot duplicate anything.
        case notSent
        /// The request may have reached the server (timeout, reset mid-reply).
        case maybeSent
        /// A problem with this configuration that no retry can fix (bad URL, a
        /// certificate that does not verify, a reply larger than allowed).
        case permanent
    }

    public var kind: Kind
    public var message: String
    /// libcurl's error code, for diagnostics.
    public var code: Int

    public init(kind: Kind, message: String, code: Int = 0) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    public var description: String { message }
}

/// Sends one request and returns the reply; the seam between providers and libcurl.
public protocol HTTPTransport: AnyObject {
    /// Performs the exchange within `timeout` seconds.
    func send(_ request: HTTPRequest, timeout: Double) throws(TransportError) -> HTTPResponse
    /// May send a GET ahead of the `send` that will ask for it (the next page of a
    /// listing), so that the server works on it meanwhile.
    func prefetch(_ request: HTTPRequest, timeout: Double)
}

extension HTTPTransport {
    public func prefetch(_ request: HTTPRequest, timeout: Double) {}
}
