import TMCloudTransport
import Testing

/// A clock that moves only when the code under test sleeps.
final class ManualClock: RetryClock {
    var time: Double = 1000
    var sleeps: [Double] = []
    func now() -> Double { time }
    func sleep(_ seconds: Double) {
        sleeps.append(seconds)
        time += seconds
    }
    func random() -> Double { 0.5 }
}

/// Replays scripted replies and failures; stands in for libcurl where a fault cannot
/// be produced on demand by a server (a reset after the request was sent).
final class ScriptedTransport: HTTPTransport {
    var script: [Result<HTTPResponse, TransportError>]
    var requests: [HTTPRequest] = []
    let clock: ManualClock
    let costPerRequest: Double

    init(_ script: [Result<HTTPResponse, TransportError>], clock: ManualClock, cost: Double = 0.1) {
        self.script = script
        self.clock = clock
        self.costPerRequest = cost
    }

    func send(_ request: HTTPRequest, timeout: Double) throws(TransportError) -> HTTPResponse {
        requests.append(request)
        clock.time += costPerRequest
        guard !script.isEmpty else { return HTTPResponse(status: 200) }
        switch script.removeFirst() {
        case .success(let r): return r
        case .failure(let e): throw e
        }
    }
}

@Suite struct RetryPolicyTests {
    /// Backoff doubles up to the cap, with jitter in the upper half of each step.
    @Test func backoff() {
        let p = RetryPolicy(deadline: 10_000)
        #expect(p.delay(afterAttempt: 1, retryAfter: nil, now: 0, jitter: 0) == 0.25)
        #expect(p.delay(afterAttempt: 1, retryAfter: nil, now: 0, jitter: 1) == 0.5)
        #expect(p.delay(afterAttempt: 3, retryAfter: nil, now: 0, jitter: 1) == 2)
        #expect(p.delay(afterAttempt: 10, retryAfter: nil, now: 0, jitter: 1) == 8)
    }

    /// Retry-After wins over a shorter backoff.
    @Test func honoursRetryAfter() {
        let p = RetryPolicy(deadline: 100)
        #expect(p.delay(afterAttempt: 1, retryAfter: 7, now: 0, jitter: 0) == 7)
    }

    /// No wait is granted that would end past the deadline.
    @Test func givesUpAtTheDeadline() {
        let p = RetryPolicy(deadline: 20)
        #expect(p.delay(afterAttempt: 1, retryAfter: 30, now: 0, jitter: 0) == nil)
        #expect(p.delay(afterAttempt: 1, retryAfter: nil, now: 19.6, jitter: 0) == nil)
    }

    /// Retry-After reads both of its forms.
    @Test func retryAfterForms() {
        #expect(RetryAfter.seconds("5") == 5)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_770) == 7)
        #expect(RetryAfter.seconds("soon") == nil)
        #expect(RetryAfter.seconds("-3") == nil)
    }
}

@Suite struct APIClientTests {
    func client(_ script: [Result<HTTPResponse, TransportError>], deadline: Double = 20) -> (APIClient, ScriptedTransport, ManualClock) {
        let clock = ManualClock()
        let transport = ScriptedTransport(script, clock: clock)
        return (APIClient(transport: transport, requestTimeout: 5, deadline: clock.time + deadline, clock: clock), transport, clock)
    }

    /// 503 then 200: the GET is retried and succeeds.
    @Test func retries5xxForReads() throws {
        let (c, t, _) = client([.success(HTTPResponse(status: 503)), .success(HTTPResponse(status: 200))])
        #expect(try c.send(HTTPRequest(.get, "http://x/")).status == 200)
        #expect(t.requests.count == 2)
    }

    /// 429 is retried after the server's Retry-After, even for a POST.
    @Test func retries429() throws {
        let (c, t, clock) = client([
            .success(HTTPResponse(status: 429, headers: ["retry-after": "3"])), .success(HTTPResponse(status: 202)),
        ])
        #expect(try c.send(HTTPRequest(.post, "http://x/", body: [1])).status == 202)
        #expect(t.requests.count == 2)
        #expect(clock.sleeps == [3])
    }

    /// A POST that may have been carried out is never resent by the transport.
    @Test func createIsNotResent() {
        let (c, t, _) = client([.success(HTTPResponse(status: 502))])
        #expect(throws: RequestFailure.self) { try c.send(HTTPRequest(.post, "http://x/", body: [1])) }
        #expect(t.requests.count == 1)
        let (c2, t2, _) = client([.failure(TransportError(kind: .maybeSent, message: "timed out"))])
        do {
            _ = try c2.send(HTTPRequest(.post, "http://x/"))
            Issue.record("no error")
        } catch {
            guard case .ambiguous = error else { Issue.record("\(error)"); return }
        }
        #expect(t2.requests.count == 1)
    }

    /// A connection that was never made is safe to retry, even for a POST.
    @Test func notSentIsRetried() throws {
        let (c, t, _) = client([.failure(TransportError(kind: .notSent, message: "refused")), .success(HTTPResponse(status: 202))])
        #expect(try c.send(HTTPRequest(.post, "http://x/")).status == 202)
        #expect(t.requests.count == 2)
    }

    /// Failures that keep coming stop at the deadline, not later.
    @Test func stopsAtTheDeadline() {
        let failures = Array(repeating: Result<HTTPResponse, TransportError>.failure(TransportError(kind: .notSent, message: "refused")), count: 500)
        let (c, t, clock) = client(failures, deadline: 20)
        #expect(throws: RequestFailure.self) { try c.send(HTTPRequest(.get, "http://x/")) }
        #expect(clock.time <= 1000 + 20)
        #expect(t.requests.count > 3)
    }

    /// When 5xx keeps coming until the deadline, the last reply is handed back.
    @Test func returnsLastReplyWhenOutOfTime() throws {
        let replies = Array(repeating: Result<HTTPResponse, TransportError>.success(HTTPResponse(status: 503)), count: 100)
        let (c, _, clock) = client(replies, deadline: 5)
        #expect(try c.send(HTTPRequest(.get, "http://x/")).status == 503)
        #expect(clock.time <= 1005)
    }

    /// Permanent failures (bad certificate) are not retried.
    @Test func permanentIsFinal() {
        let (c, t, _) = client([.failure(TransportError(kind: .permanent, message: "SSL certificate problem"))])
        #expect(throws: RequestFailure.self) { try c.send(HTTPRequest(.get, "https://x/")) }
        #expect(t.requests.count == 1)
    }
}
