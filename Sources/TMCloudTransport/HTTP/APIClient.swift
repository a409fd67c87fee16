/// Why a request got no usable reply, after the retries the policy allowed.
public enum RequestFailure: Error, Sendable, CustomStringConvertible {
    /// No HTTP reply (DNS, connection, TLS, timeout), final.
    case transport(TransportError)
    /// A request that must not simply be resent (a create) may have reached the cloud:
    /// the caller has to look before it tries again.
    case ambiguous(String)
    /// The action's deadline passed; the last failure is given.
    case deadlineExceeded(String)

    public var description: String {
        switch self {
        case .transport(let e): return e.message
        case .ambiguous(let m): return "\(m) (the request may have been carried out)"
        case .deadlineExceeded(let m): return "gave up before the deadline: \(m)"
        }
    }
}

/// Sends requests for one driver run: retries transient failures inside the run's
/// deadline, keeps a count of requests, and reports each exchange to a trace.
public final class APIClient {
    public let transport: any HTTPTransport
    /// Seconds allowed for one request (the config's `timeout`).
    public let requestTimeout: Double
    public private(set) var policy: RetryPolicy
    public let clock: any RetryClock
    /// Requests sent, retries included.
    public private(set) var requestCount = 0
    /// Called with one line per exchange (method, URL, status, time) for `--verbose`.
    public var trace: ((String) -> Void)?

    public init(
        transport: any HTTPTransport, requestTimeout: Double, deadline: Double,
        clock: any RetryClock = SystemRetryClock()
    ) {
        self.transport = transport
        self.requestTimeout = requestTimeout
        self.policy = RetryPolicy(deadline: deadline)
        self.clock = clock
    }

    /// A GET sent ahead (`prefetch`), counted when it was sent.
    private var prefetched: HTTPRequest?

    /// Sends a GET ahead of the `send` that will ask for it, when the transport can;
    /// the caller works on the previous page while the server prepares this one.
    public func prefetch(_ request: HTTPRequest) {
        let left = remainingTime
        guard request.method == .get, prefetched == nil, left > 0.05 else { return }
        prefetched = request
        requestCount += 1
        transport.prefetch(request, timeout: min(requestTimeout, left))
    }

    /// Seconds left before the deadline.
    public var remainingTime: Double { policy.deadline - clock.now() }

    /// Sends `request`, retrying what is safe to retry.
    ///
    /// Connection failures before anything was sent, HTTP 429 and (for retryable
    /// requests) timeouts and 5xx replies are retried with backoff. The reply is
    /// returned as it is for every other status, and for 429/5xx when time runs out.
    public func send(_ request: HTTPRequest) throws(RequestFailure) -> HTTPResponse {
        var attempt = 0
        while true {
            attempt += 1
            let left = remainingTime
            guard left > 0.05 else {
                throw .deadlineExceeded("no time left for \(request.method.rawValue) \(Self.redactedURL(request.url))")
            }
            let timeout = min(requestTimeout, left)
            if attempt == 1, let ahead = prefetched {
                prefetched = nil
                // Counted when it was asked for ahead, whether or not the transport sent it then.
                if !ahead.sameExchange(as: request) { requestCount += 1 }
            } else {
                requestCount += 1
            }
            let retryAfter: Double?
            let failure: String
            do {
                let response = try transport.send(request, timeout: timeout)
                trace?(
                    "\(request.method.rawValue) \(Self.redactedURL(request.url)) -> \(response.status) in \(Int(response.duration * 1000)) ms"
                )
                switch response.status {
                case 429:
                    // The cloud refused to process it: always safe to resend.
                    retryAfter = response.header("retry-after").flatMap { RetryAfter.seconds($0) }
                    failure = "HTTP 429"
                case 500...599 where request.retryable:
                    retryAfter = response.header("retry-after").flatMap { RetryAfter.seconds($0) }
                    failure = "HTTP \(response.status)"
                case 500...599:
                    throw RequestFailure.ambiguous("HTTP \(response.status) from \(Self.redactedURL(request.url))")
                case 300...399:
                    // Never followed: the credentials would go wherever the redirect points.
                    let target = response.header("location").map { " to " + Self.redactedURL($0) } ?? ""
                    throw RequestFailure.transport(
                        TransportError(
                            kind: .permanent,
                            message: "HTTP \(response.status) redirect\(target) from \(Self.redactedURL(request.url)) not followed (check apiHost or authURL)"))
                default:
                    return response
                }
                guard
                    let wait = policy.delay(
                        afterAttempt: attempt, retryAfter: retryAfter, now: clock.now(), jitter: clock.random())
                else { return response }
                trace?("\(failure): retrying in \(Self.formatSeconds(wait))")
                clock.sleep(wait)
                continue
            } catch let error as RequestFailure {
                throw error
            } catch let error as TransportError {
                trace?("\(request.method.rawValue) \(Self.redactedURL(request.url)) -> \(error.message)")
                switch error.kind {
                case .permanent:
                    throw .transport(error)
                case .maybeSent where !request.retryable:
                    throw .ambiguous(error.message)
                case .notSent, .maybeSent:
                    failure = error.message
                }
            } catch {
                throw .transport(TransportError(kind: .permanent, message: "\(error)"))
            }
            guard
                let wait = policy.delay(afterAttempt: attempt, retryAfter: nil, now: clock.now(), jitter: clock.random())
            else { throw .deadlineExceeded(failure) }
            trace?("retrying in \(Self.formatSeconds(wait))")
            clock.sleep(wait)
        }
    }

    /// The URL without its query string, which could carry names a log should not.
    public static func redactedURL(_ url: String) -> String {
        if let q = url.firstIndex(of: "?") { return String(url[..<q]) + "?…" }
        return url
    }

    static func formatSeconds(_ s: Double) -> String {
        let tenths = Int((s * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
