import CloudEmulators
import TMCloudTestSupport
import Testing

/// A Traffic Manager that reaches the cloud through a proxy passes it to the driver as
/// `http_proxy` / `https_proxy` / `no_proxy` in the environment. The release driver
/// carries its own libcurl, so these check that it still honours them.
@Suite struct ProxyTests {
    static let emptyListing = HTTPResponse(
        status: 200, headers: [("Content-Type", "application/json")],
        body: Array(#"{"droplets":[],"links":{},"meta":{"total":0}}"#.utf8))

    func home(apiHost: String) -> ZeusHomeFixture {
        let home = ZeusHomeFixture()
        home.addExtraFile("pool.cfg", "provider digitalocean\nregion lon1\napiHost \(apiHost)\ntimeout 5\n")
        home.addCredentials("pool", cred1: "pool.cfg", cred2: "token")
        return home
    }

    /// The request goes to the proxy, in absolute form, for a host only the proxy
    /// would resolve.
    @Test func httpProxyCarriesTheRequest() throws {
        let proxy = try ScriptedServer(response: Self.emptyListing)
        defer { proxy.stop() }
        let home = home(apiHost: "http://cloud.invalid")
        let run = home.run(["status", "--cloudcreds=pool"], environment: ["http_proxy": proxy.baseURL])
        #expect(run.exitStatus == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix(#"{"NodeStatusResponse":{"version":1,"code":200,"nodes":[]"#), "\(run.stdout)")
        #expect(proxy.receivedRequests.count == 1)
        #expect(proxy.receivedRequests.first?.hasPrefix("GET http://cloud.invalid/v2/droplets?") == true, "\(proxy.receivedRequests)")
    }

    /// A host in no_proxy is reached directly; the proxy sees nothing.
    @Test func noProxyGoesDirect() throws {
        let proxy = try ScriptedServer(response: Self.emptyListing)
        let cloud = try ScriptedServer(response: Self.emptyListing)
        defer {
            proxy.stop()
            cloud.stop()
        }
        let home = home(apiHost: cloud.baseURL)
        let run = home.run(
            ["status", "--cloudcreds=pool"], environment: ["http_proxy": proxy.baseURL, "no_proxy": "127.0.0.1"])
        #expect(run.exitStatus == 0, "\(run.stderr)")
        #expect(proxy.receivedRequests.isEmpty)
        #expect(cloud.receivedRequests.first?.hasPrefix("GET /v2/droplets?") == true, "\(cloud.receivedRequests)")
    }

    /// A proxy that cannot be reached fails the run (after the retries of its deadline)
    /// with one line naming the proxy's address.
    @Test func unreachableProxyIsNamed() {
        let home = home(apiHost: "http://cloud.invalid")
        let run = home.run(["status", "--cloudcreds=pool"], environment: ["http_proxy": "http://127.0.0.1:9"])
        #expect(run.exitStatus == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderrLines.count == 1, "\(run.stderr)")
        #expect(run.stderr.contains("127.0.0.1 port 9"), "\(run.stderr)")
    }
}
