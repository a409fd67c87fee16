@testable import CloudEmulators
import Dispatch
import Synchronization
import Testing
import TMCloudTestSupport

/// An echo server: replies with the method, path and body it read.
private func echoServer(limits: HTTPServer.Limits = .init()) throws -> (HTTPServer, UInt16) {
    let server = HTTPServer(limits: limits) { request in
        .respond(.text(200, "\(request.method) \(request.path) \(request.queryValue("q") ?? "-") \(request.bodyText)"))
    }
    return (server, try server.start())
}

@Suite struct HTTPServerTests {
    @Test func keepsTheConnectionAliveBetweenRequests() throws {
        let (server, port) = try echoServer()
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: port)
        #expect(try connection.request("GET", "/a?q=one%20two").text == "GET /a one two ")
        #expect(try connection.request("POST", "/b", body: "hello").text == "POST /b - hello")
    }

    @Test func readsChunkedBodies() throws {
        let (server, port) = try echoServer()
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: port)
        let request = "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
        try connection.sendRaw(Array(request.utf8))
        #expect(try connection.readResponse().text == "POST /c - hello world")
    }

    @Test func refusesBodiesOverTheLimit() throws {
        var limits = HTTPServer.Limits()
        limits.maximumBodyBytes = 10
        let (server, port) = try echoServer(limits: limits)
        defer { server.stop() }
        let reply = try RawHTTPConnection(port: port).request("POST", "/d", body: String(repeating: "x", count: 11))
        #expect(reply.status == 413)
    }

    @Test func stopClosesLiveConnections() throws {
        let (server, port) = try echoServer()
        let connection = try RawHTTPConnection(port: port)
        _ = try connection.request("GET", "/")
        server.stop()
        #expect(connection.waitForClose(timeout: 2))
    }

    @Test func answersExpectContinueBeforeTheBody() throws {
        let (server, port) = try echoServer()
        defer { server.stop() }
        let connection = try RawHTTPConnection(port: port, timeout: 0.5)
        try connection.sendRaw(Array("POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        #expect(try connection.readResponse().status == 100)
        try connection.sendRaw(Array("ok".utf8))
        #expect(try connection.readResponse().text == "POST /e - ok")
    }
}

@Suite struct ConcurrencyTests {
    @Test func manyClientsAtOnceAllGetAnswers() throws {
        let fixture = try DigitalOceanFixture()
        fixture.emulator.seedDroplets(count: 30, tag: "web")
        let clients = 8
        let requestsEach = 25
        let okCounts = Mutex([Int](repeating: 0, count: clients))
        let (base, auth) = (fixture.base, fixture.auth)
        DispatchQueue.concurrentPerform(iterations: clients) { client in
            guard let connection = try? RawHTTPConnection(baseURL: base) else { return }
            for index in 0..<requestsEach {
                let target = index % 2 == 0 ? "/v2/droplets?tag_name=web" : "/v2/account"
                if (try? connection.request("GET", target, headers: auth))?.status == 200 {
                    okCounts.withLock { $0[client] += 1 }
                }
            }
        }
        #expect(okCounts.withLock { $0 } == [Int](repeating: requestsEach, count: clients))
        #expect(fixture.emulator.requestLog.all.count == clients * requestsEach)
    }
}
