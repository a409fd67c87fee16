// Keystone: both methods of authentication, the token cache across processes,
// expired, revoked and refused tokens, and a bad password.
import CloudEmulators
import TMCloudJSON
import TMCloudTestSupport
import Testing

@testable import TMCloudKit

@Suite("OpenStack authentication and token cache")
struct OpenStackAuthTests {
    @Test("password: a warm status costs one request and no Keystone call; the cache is 0600 without the secret")
    func passwordAndCache() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure()
        let (cold, coldRequests) = cloud.counted("status")
        #expect(coldRequests == 2)
        #expect(cold.exitStatus == 0, "\(cold.stderr)")
        #expect(cold.stdout == #"{"NodeStatusResponse":{"version":1,"code":200,"nodes":[]}}"# + "\n")
        #expect(cloud.keystoneRequests == 1)

        let (warm, warmRequests) = cloud.counted("status", verbose: true)
        #expect(warmRequests == 1)
        #expect(warm.exitStatus == 0)
        #expect(cloud.keystoneRequests == 1)

        #expect(OpenStackTestCloud.mode(of: cloud.tokenCachePath) == 0o600)
        let cache = try TextFile.read(cloud.tokenCachePath)
        let cacheText = String(decoding: cache, as: UTF8.self)
        #expect(!cacheText.contains(cloud.options.password))
        let token = try #require(try JSONParser.parse(cache)["token"]?.stringValue)
        #expect(token.hasPrefix("gAAAA"))
        for run in [cold, warm] {
            #expect(!run.allOutput.contains(token))
            #expect(!run.allOutput.contains(cloud.options.password))
        }
        let authBodies = cloud.requests("POST", "/auth/tokens").map { $0.body ?? "" }
        #expect(authBodies.allSatisfy { $0.contains("\"password\"") && !$0.contains("application_credential") })
    }

    @Test("--cred1/--cred2 runs keep their token in a cache named after the configuration file")
    func directCredentials() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure()
        let arguments = [
            "status", "--cred1=\(cloud.home.extraDirectory)/openstack.cfg", "--cred2=\(cloud.options.password)",
        ]
        #expect(cloud.home.run(arguments).exitStatus == 0)
        #expect(cloud.home.run(arguments).exitStatus == 0)
        #expect(cloud.keystoneRequests == 1)
        let caches = cloud.home.files(in: "zxtm/internal").filter { $0.hasSuffix(".token") }
        #expect(caches.count == 1)
        #expect(caches.first?.hasPrefix("tmcloud.cred1-") == true)
    }

    @Test("application credential: its id and secret get the token, which is then reused")
    func applicationCredential() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(applicationCredential: true)
        let first = cloud.run("status")
        #expect(first.exitStatus == 0, "\(first.stderr)")
        let body = try #require(cloud.requests("POST", "/auth/tokens").first?.body)
        #expect(body.contains("application_credential"))
        #expect(!body.contains("\"scope\""))
        let (second, requests) = cloud.counted("status")
        #expect(second.exitStatus == 0)
        #expect(requests == 1)
        #expect(cloud.keystoneRequests == 1)
    }

    @Test("an expired token is renewed once on the 401, then the cache is warm again")
    func expiredToken() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure()
        #expect(cloud.run("status").exitStatus == 0)
        cloud.advance(3601)
        let (renewed, renewedRequests) = cloud.counted("status")
        #expect(renewedRequests == 3)
        #expect(renewed.exitStatus == 0, "\(renewed.stderr)")
        #expect(cloud.keystoneRequests == 2)
        let (warm, warmRequests) = cloud.counted("status")
        #expect(warm.exitStatus == 0)
        #expect(warmRequests == 1)
    }

    @Test("a token inside its renewal margin is renewed before use, with no 401")
    func renewedBeforeExpiry() throws {
        var options = OpenStackEmulator.Options()
        // So short that the margin (a quarter of it) has already begun by the next run.
        options.tokenLifetime = 0.5
        let cloud = try OpenStackTestCloud(options: options)
        cloud.configure()
        #expect(cloud.run("status").exitStatus == 0)
        let (run, requests) = cloud.counted("status")
        #expect(run.exitStatus == 0, "\(run.stderr)")
        #expect(requests == 2)
        #expect(cloud.keystoneRequests == 2)
        #expect(cloud.emulator.requestLog.all.allSatisfy { $0.status != 401 })
    }

    @Test("a revoked token is dropped and renewed once")
    func revokedToken() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure()
        #expect(cloud.run("status").exitStatus == 0)
        cloud.emulator.revokeAllTokens()
        let run = cloud.run("status")
        #expect(run.exitStatus == 0, "\(run.stderr)")
        #expect(cloud.keystoneRequests == 2)
    }

    @Test("a token refused again after renewal is an error, not a loop")
    func refusedTwice() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure()
        #expect(cloud.run("status").exitStatus == 0)
        var rule = FaultRule(route: RoutePattern(method: "GET", pathPrefix: "/compute"))
        rule.errorShare = 1
        rule.errorStatuses = [401]
        cloud.emulator.faultPlan = FaultPlan(rules: [rule])
        let (run, requests) = cloud.counted("status")
        #expect(requests == 3)
        #expect(run.exitStatus == 1)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("HTTP 401"))
    }

    @Test("a bad password: exit 1, Keystone's message, no secret anywhere, no cache")
    func badPassword() throws {
        let cloud = try OpenStackTestCloud()
        let wrong = "Wrong-Secret-4711"
        cloud.configure(secret: wrong)
        let run = cloud.run("status", verbose: true)
        #expect(run.exitStatus == 1)
        #expect(run.stdout.isEmpty)
        let last = try #require(run.stderrLines.last)
        #expect(last.hasPrefix("tmcloud: status: "))
        #expect(last.contains("HTTP 401: The request you have made requires authentication."))
        #expect(!run.allOutput.contains(wrong))
        #expect(!TextFile.exists(cloud.tokenCachePath))
        let check = cloud.run("check")
        #expect(check.exitStatus == 1)
        #expect(check.stdout.contains("FAIL"))
        #expect(!check.allOutput.contains(wrong))
    }

    @Test("region: a named one is used; one the catalog lacks is a configuration error")
    func regions() throws {
        let cloud = try OpenStackTestCloud()
        cloud.configure(["region RegionTwo", "interface internal"])
        #expect(cloud.run("status").exitStatus == 0)
        cloud.configure(["region Atlantis"])
        let run = cloud.run("status")
        #expect(run.exitStatus == 2)
        #expect(run.stderr.contains("region Atlantis"))
        #expect(run.stderr.contains("RegionOne"))
    }
}
