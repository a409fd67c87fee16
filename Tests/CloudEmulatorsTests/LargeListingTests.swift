import CloudEmulators
import Foundation
import Testing
import TMCloudJSON
import TMCloudTestSupport

/// A 1,000-node listing of each cloud, fetched as the benchmark fetches it: every page
/// by one curl process over one connection, over HTTP and over the emulators' own
/// HTTPS. Each page must come whole, the pages together must hold every node once,
/// and HTTPS must carry the very same documents.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl")))
struct LargeListingTests {
    static let nodes = 1000

    /// Two sets of emulated clouds seeded alike on one virtual clock, so that both
    /// hold the same nodes with the same ids: one on HTTP, one on HTTPS.
    final class Clouds {
        let clock = VirtualClock()
        let http: EmulatorSet
        let https: EmulatorSet

        init() throws {
            http = EmulatorSet(options: .init(clock: clock))
            var secure = EmulatorSet.Options(clock: clock)
            secure.tls = try TestCertificates.identity("server")
            https = EmulatorSet(options: secure)
            for set in [http, https] {
                set.seedDefaultPools(count: LargeListingTests.nodes)
                try set.start()
            }
        }

        deinit {
            http.stop()
            https.stop()
        }
    }

    /// The bodies of `targets` on `base`, fetched by one curl over one connection.
    func fetch(_ base: String, _ targets: [String], headers: [String]) throws -> [String] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("listing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var arguments = ["--silent", "--show-error", "--fail", "--max-time", "30", "--cacert", TestCertificates.path("ca.pem"),
                         "--write-out", "%{num_connects}\n"]
        for header in headers { arguments += ["-H", header] }
        for (n, target) in targets.enumerated() {
            arguments += ["-o", folder.appendingPathComponent("\(n)").path, base + target]
        }
        let (status, output) = try runCurl(arguments)
        #expect(status == 0, "curl: \(output)")
        // One connection for every page, as the driver keeps it alive.
        #expect(output.split(separator: "\n").compactMap { Int($0) }.reduce(0, +) == 1, "\(output)")
        return try targets.indices.map {
            try String(contentsOf: folder.appendingPathComponent("\($0)"), encoding: .utf8)
        }
    }

    /// Both listings, each page with its set's base URL made `{base}`: links differ only there.
    func bothWays(_ clouds: Clouds, base: (EmulatorSet) -> String, _ targets: [String], headers: [String]) throws
        -> [String]
    {
        let plain = try fetch(base(clouds.http), targets, headers: headers)
        let secure = try fetch(base(clouds.https), targets, headers: headers)
        let normalised = plain.map { $0.replacingOccurrences(of: base(clouds.http), with: "{base}") }
        #expect(secure.map { $0.replacingOccurrences(of: base(clouds.https), with: "{base}") } == normalised)
        return plain
    }

    func expectEveryNodeOnce(_ names: [String]) {
        #expect(names.count == Self.nodes)
        #expect(Set(names) == Set((1...Self.nodes).map { "node-\($0)" }))
    }

    @Test func digitalOceanInFivePages() throws {
        let clouds = try Clouds()
        let targets = (1...5).map { "/v2/droplets?tag_name=tmcloud&per_page=200&page=\($0)" }
        let pages = try bothWays(clouds, base: { $0.digitalOcean.baseURL }, targets, headers: ["Authorization: Bearer do-test-token"])
        let documents = try pages.map { try JSONParser.parse(Array($0.utf8)) }
        let names = documents.flatMap { $0["droplets"]?.arrayValue ?? [] }.compactMap { $0["name"]?.stringValue }
        expectEveryNodeOnce(names)
        #expect(documents.allSatisfy { $0["meta"]?["total"] == .int(Int64(Self.nodes)) })
        #expect(documents[3]["links"]?["pages"]?["next"]?.stringValue?.hasSuffix("page=5&per_page=200&tag_name=tmcloud") == true)
        #expect(documents[4]["links"]?["pages"]?["next"] == nil)
        #expect(clouds.http.digitalOcean.requestLog.count(method: "GET", pathPrefix: "/v2/droplets") == 5)
    }

    @Test func openStackInOneFullPageAndAnEmptyOne() throws {
        let clouds = try Clouds()
        var tokens: [String] = []
        for set in [clouds.http, clouds.https] {
            // Tokens are drawn from the same seeded stream: both sets issue the same one.
            let reply = set.openStack.route(HTTPRequest(
                method: "POST", target: "/identity/v3/auth/tokens", headers: [],
                body: Array(#"{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"tmcloud","domain":{"name":"Default"},"password":"os-test-password"}}},"scope":{"project":{"name":"tmcloud","domain":{"name":"Default"}}}}}"#.utf8)))
            tokens.append(try #require(reply.header("X-Subject-Token")))
        }
        #expect(tokens[0] == tokens[1])
        let compute = "/compute/v2.1/5b2f7c1e0d9a4e3f8b6a1c2d3e4f5a6b"
        let first = try fetch(clouds.http.openStack.baseURL, [compute + "/servers/detail"], headers: ["X-Auth-Token: \(tokens[0])"])
        let firstPage = try JSONParser.parse(Array(first[0].utf8))
        let next = try #require(firstPage["servers_links"]?[0]?["href"]?.stringValue)
        let marker = String(try #require(next.split(separator: "?").last))
        let pages = try bothWays(
            clouds, base: { $0.openStack.baseURL }, [compute + "/servers/detail", compute + "/servers/detail?" + marker],
            headers: ["X-Auth-Token: \(tokens[0])"])
        let documents = try pages.map { try JSONParser.parse(Array($0.utf8)) }
        let servers = documents[0]["servers"]?.arrayValue ?? []
        expectEveryNodeOnce(servers.compactMap { $0["name"]?.stringValue })
        #expect(servers.allSatisfy { $0["addresses"]?["private"]?[0]?["addr"]?.stringValue?.hasPrefix("10.0.") == true })
        #expect(documents[1]["servers"]?.arrayValue?.isEmpty == true)
    }

    @Test func opSourceInFourPages() throws {
        let clouds = try Clouds()
        let org = "/oec/0.9/8a8f6abc-2745-4d8a-9cbc-8dabe5a7d0e4"
        let targets = (1...4).map { "\(org)/serverWithState?pageSize=250&pageNumber=\($0)" }
        let pages = try bothWays(
            clouds, base: { $0.opSource.baseURL }, targets, headers: ["Authorization: Basic dG1jbG91ZDpvZWMtdGVzdC1wYXNzd29yZA=="])
        for page in pages {
            #expect(page.hasSuffix("</ServersWithState>"))
            #expect(page.contains(#"totalCount="1000" pageCount="250""#))
        }
        let names = pages.flatMap { page in
            page.components(separatedBy: "<serverWithState ").dropFirst().compactMap { server in
                server.components(separatedBy: "<name>").dropFirst().first?.components(separatedBy: "</name>").first
            }
        }
        expectEveryNodeOnce(names)
    }
}
