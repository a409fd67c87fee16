import CloudEmulators
import Foundation
import Synchronization
import Testing
import TMCloudTestSupport
import TMCloudTransport

/// A listing's next page sent ahead (`prefetch`) while the driver reads the page it
/// has, against a loopback server that numbers its replies and notes when each
/// request arrived.
@Suite struct PrefetchTests {
    final class NumberingServer: Sendable {
        struct Arrival: Sendable {
            var line: String
            var at: Double
        }
        final class Log: Sendable {
            let entries = Mutex<[Arrival]>([])
            let failed = Mutex(0)
        }
        let server: HTTPServer
        let log = Log()

        /// Answers `reply to <target> #<n>`, n counting every request; the first
        /// `failures` requests for `failingTarget` get a 503.
        init(tls: Bool = false, failingTarget: String? = nil, failures: Int = 0) throws {
            let log = self.log
            server = HTTPServer(tls: tls ? try TestCertificates.identity("server") : nil) { request in
                let n = log.entries.withLock {
                    $0.append(Arrival(line: "\(request.method) \(request.target)", at: ProcessClock.seconds()))
                    return $0.count
                }
                if request.target == failingTarget, log.failed.withLock({ count in
                    count += 1
                    return count <= failures
                }) {
                    return .respond(CloudEmulators.HTTPResponse(status: 503, body: Array("busy".utf8)))
                }
                return .respond(CloudEmulators.HTTPResponse(status: 200, body: Array("reply to \(request.target) #\(n)".utf8)))
            }
            _ = try server.start()
        }

        var base: String { "\(server.scheme)://127.0.0.1:\(server.port)" }
        var lines: [String] { log.entries.withLock { $0.map(\.line) } }
        func arrival(of line: String) -> Double? { log.entries.withLock { $0.first { $0.line == line }?.at } }
        deinit { server.stop() }
    }

    func transport(tls: Bool) throws -> CurlTransport {
        try CurlTransport(tls: tls ? TLSOptions(caFile: TestCertificates.path("ca.pem")) : TLSOptions())
    }

    func text(_ response: TMCloudTransport.HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

    /// The request goes out when it is asked for ahead, not when it is read: the
    /// server has it while the caller is still busy, and `send` returns that reply
    /// without sending the request again.
    @Test(arguments: [false, true])
    func aPrefetchedRequestIsSentAtOnceAndReadOnce(tls: Bool) throws {
        let server = try NumberingServer(tls: tls)
        let transport = try transport(tls: tls)
        // The connection is open, as it is for every page after the first.
        #expect(text(try transport.send(HTTPRequest(.get, server.base + "/page/1"), timeout: 10)) == "reply to /page/1 #1")

        let asked = ProcessClock.seconds()
        transport.prefetch(HTTPRequest(.get, server.base + "/page/2"), timeout: 10)
        Thread.sleep(forTimeInterval: 0.5)  // reading page 1
        let reading = ProcessClock.seconds()
        let reply = try transport.send(HTTPRequest(.get, server.base + "/page/2"), timeout: 10)

        #expect(reply.status == 200)
        #expect(text(reply) == "reply to /page/2 #2")
        #expect(server.lines == ["GET /page/1", "GET /page/2"])
        let arrived = try #require(server.arrival(of: "GET /page/2"))
        #expect(arrived >= asked && arrived < reading, "the request waited for send")
        // The connection is still good for what follows.
        #expect(text(try transport.send(HTTPRequest(.get, server.base + "/page/3"), timeout: 10)) == "reply to /page/3 #3")
    }

    /// A send of anything else drops the reply sent ahead; it is never returned for
    /// another request, and asking for it later sends it again. (Whether the dropped
    /// request reached the server first depends on timing; the reply returned must in
    /// any case answer the request sent last.)
    @Test func aDifferentSendDropsThePrefetchedReply() throws {
        let server = try NumberingServer()
        let transport = try transport(tls: false)
        /// The reply's number: its position in the server's log.
        func number(_ response: TMCloudTransport.HTTPResponse) -> Int {
            Int(text(response).split(separator: "#").last ?? "") ?? 0
        }
        _ = try transport.send(HTTPRequest(.get, server.base + "/page/1"), timeout: 10)
        transport.prefetch(HTTPRequest(.get, server.base + "/page/2"), timeout: 10)
        let other = try transport.send(HTTPRequest(.get, server.base + "/page/7"), timeout: 10)
        #expect(text(other).hasPrefix("reply to /page/7 #"))
        let again = try transport.send(HTTPRequest(.get, server.base + "/page/2"), timeout: 10)
        #expect(text(again).hasPrefix("reply to /page/2 #"))
        #expect(number(again) > number(other), "the reply sent ahead was returned")
        #expect(server.lines.count == number(again))
        #expect((1...2).contains(server.lines.filter { $0 == "GET /page/2" }.count))
        // The same URL with other headers is another request too.
        transport.prefetch(HTTPRequest(.get, server.base + "/page/8", headers: [("X-Auth-Token", "a")]), timeout: 10)
        let reauthenticated = try transport.send(
            HTTPRequest(.get, server.base + "/page/8", headers: [("X-Auth-Token", "b")]), timeout: 10)
        #expect(text(reauthenticated).hasPrefix("reply to /page/8 #"))
        #expect(server.lines.count == number(reauthenticated), "the reply sent ahead was returned")
        #expect((1...2).contains(server.lines.filter { $0 == "GET /page/8" }.count))
    }

    /// Only GETs go ahead: a POST (a create) is sent when it is sent, never before.
    @Test func onlyGETsAreSentAhead() throws {
        let server = try NumberingServer()
        let transport = try transport(tls: false)
        _ = try transport.send(HTTPRequest(.get, server.base + "/page/1"), timeout: 10)
        transport.prefetch(HTTPRequest(.post, server.base + "/droplets", body: Array("{}".utf8)), timeout: 10)
        Thread.sleep(forTimeInterval: 0.2)
        #expect(server.lines == ["GET /page/1"])
    }

    /// The client counts a request sent ahead once, and a prefetched reply that failed
    /// is retried like any other.
    @Test func aFailedPrefetchIsRetriedAndEveryRequestCountedOnce() throws {
        let server = try NumberingServer(failingTarget: "/page/2", failures: 1)
        let client = APIClient(transport: try transport(tls: false), requestTimeout: 10, deadline: ProcessClock.seconds() + 30, clock: InstantClock())
        _ = try client.send(HTTPRequest(.get, server.base + "/page/1"))
        client.prefetch(HTTPRequest(.get, server.base + "/page/2"))
        let reply = try client.send(HTTPRequest(.get, server.base + "/page/2"))
        #expect(reply.status == 200)
        #expect(text(reply) == "reply to /page/2 #3")
        #expect(server.lines == ["GET /page/1", "GET /page/2", "GET /page/2"])
        #expect(client.requestCount == 3)

        // Asked for ahead and never read (the run failed on the page before): still counted.
        client.prefetch(HTTPRequest(.get, server.base + "/page/3"))
        _ = try client.send(HTTPRequest(.get, server.base + "/page/9"))
        #expect(client.requestCount == 5)
    }
}

/// Real time, but no waiting between retries.
private final class InstantClock: RetryClock {
    func now() -> Double { ProcessClock.seconds() }
    func sleep(_ seconds: Double) {}
    func random() -> Double { 0.5 }
}
