@testable import CloudEmulators
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
        #expect(throws: RawHTTPError.self) { try RawHTTPConnection(port: port).request("GET", "/") }
    }
}
