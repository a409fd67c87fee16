import TMCloudJSON
import TMCloudTestSupport
import TMCloudTransport
import Testing

/// libcurl's TLS settings against a real TLS server on loopback.
@Suite(.serialized) struct CurlTLSTests {
    func get(_ server: ScriptedServer, _ tls: TLSOptions) throws -> HTTPResponse {
        let transport = try CurlTransport(tls: tls)
        return try transport.send(HTTPRequest(.get, server.baseURL + "/v2/account"), timeout: 10)
    }

    /// HTTPS with the named test certificate, answering `{"ok":true}`.
    func httpsServer(_ certificate: String = "server") throws -> ScriptedServer {
        try ScriptedServer(
            response: .init(status: 200, headers: [("Content-Type", "application/json")], body: Array(#"{"ok":true}"#.utf8)),
            certificate: certificate)
    }

    /// A certificate from the CA named in caFile is trusted; the reply is read.
    @Test func trustsCAFile() throws {
        let server = try httpsServer()
        defer { server.stop() }
        let r = try get(server, TLSOptions(caFile: TestCertificates.path("ca.pem")))
        #expect(r.status == 200)
        #expect(try JSONParser.parse(r.body)["ok"] == true)
    }

    /// Without caFile, a certificate the system store does not know is refused, and the
    /// failure is permanent (no retry can fix it).
    @Test(arguments: ["server", "selfsigned"])
    func refusesUnknownIssuer(_ certificate: String) throws {
        let server = try httpsServer(certificate)
        defer { server.stop() }
        do {
            _ = try get(server, TLSOptions())
            Issue.record("accepted an unknown issuer")
        } catch let error as TransportError {
            #expect(error.kind == .permanent)
            #expect(error.message.contains("certificate"), "\(error.message)")
        }
    }

    /// An expired certificate and one for another host fail even with the right CA.
    @Test(arguments: [("expired", "expired"), ("wronghost", "subject")])
    func refusesBadCertificates(_ certificate: String, _ words: String) throws {
        let server = try httpsServer(certificate)
        defer { server.stop() }
        do {
            _ = try get(server, TLSOptions(caFile: TestCertificates.path("ca.pem")))
            Issue.record("accepted a bad certificate")
        } catch let error as TransportError {
            #expect(error.kind == .permanent)
            #expect(error.message.lowercased().contains(words), "\(error.message)")
        }
    }

    /// Without caFile, a hashed directory in Debian's layout is the system store.
    @Test func systemStoreIsTheHashedDirectory() throws {
        let server = try httpsServer()
        defer { server.stop() }
        let store = SystemTrustStore(directory: TestCertificates.path("capath"), bundles: [])
        #expect(try get(server, TLSOptions(systemStore: store)).status == 200)
    }

    /// Where there is no hashed directory (RHEL, SUSE), the first bundle of the list
    /// that can be read is the store: a missing one is skipped, and one without the
    /// issuer before the right one is not.
    @Test func systemStoreFallsBackToTheFirstReadableBundle() throws {
        let server = try httpsServer()
        defer { server.stop() }
        let ca = TestCertificates.path("ca.pem")
        let found = SystemTrustStore(directory: "/nonexistent/certs", bundles: ["/nonexistent/ca-bundle.crt", ca])
        #expect(try get(server, TLSOptions(systemStore: found)).status == 200)
        // A folder without hashed links is not used as one (its bundle file is the CA's).
        let unhashed = SystemTrustStore(directory: TestCertificates.directory, bundles: [ca])
        #expect(try get(server, TLSOptions(systemStore: unhashed)).status == 200)
        let other = SystemTrustStore(directory: "/nonexistent/certs", bundles: [TestCertificates.path("selfsigned.pem"), ca])
        #expect(throws: TransportError.self) { try get(server, TLSOptions(systemStore: other)) }
    }

    /// With no store at all (a minimal system without ca-certificates), the request is
    /// refused before it is sent, saying what to install or set.
    @Test func noSystemStoreSaysWhatToDo() throws {
        let server = try httpsServer()
        defer { server.stop() }
        let none = SystemTrustStore(directory: "/nonexistent/certs", bundles: ["/nonexistent/ca-bundle.crt"])
        do {
            _ = try get(server, TLSOptions(systemStore: none))
            Issue.record("sent without a trust store")
        } catch let error as TransportError {
            #expect(error.kind == .permanent)
            #expect(error.message.contains("install ca-certificates") && error.message.contains("caFile"), "\(error.message)")
        }
        #expect(server.receivedRequests.isEmpty)
    }

    /// insecure true skips verification (and only then is a self-signed one accepted).
    @Test func insecureSkipsVerification() throws {
        let server = try httpsServer("selfsigned")
        defer { server.stop() }
        #expect(try get(server, TLSOptions(insecure: true)).status == 200)
    }

    /// A caFile that cannot be read is refused before anything is sent.
    @Test func unreadableCAFile() {
        #expect(throws: TransportError.self) { try CurlTransport(tls: TLSOptions(caFile: "/nonexistent/ca.pem")) }
    }
}
