import CloudEmulators
import Testing
import TMCloudJSON
import TMCloudTestSupport

/// The statuses of `count` sequential GETs, `nil` for no reply.
private func statuses(_ fixture: DigitalOceanFixture, count: Int, target: String = "/v2/account") -> [Int?] {
    (0..<count).map { _ in try? fixture.call("GET", target).status }
}

@Suite struct FaultTests {
    @Test func aSeededErrorShareRepeatsExactly() throws {
        var rule = FaultRule(route: RoutePattern(parsing: "GET:/v2/account"))
        rule.errorShare = 0.3
        rule.errorStatuses = [503]
        let plan = FaultPlan(seed: 99, rules: [rule])
        let first = statuses(try DigitalOceanFixture(faults: plan), count: 40)
        let second = statuses(try DigitalOceanFixture(faults: plan), count: 40)
        #expect(first == second)
        let failures = first.filter { $0 == 503 }.count
        #expect(failures > 3 && failures < 25)
        #expect(first.allSatisfy { $0 == 200 || $0 == 503 })
        let other = statuses(try DigitalOceanFixture(faults: FaultPlan(seed: 100, rules: [rule])), count: 40)
        #expect(other != first)
    }

    @Test func injectedThrottlingCarriesRetryAfter() throws {
        var rule = FaultRule()
        rule.throttleShare = 1
        rule.retryAfterSeconds = 7
        let fixture = try DigitalOceanFixture(faults: FaultPlan(rules: [rule]))
        let reply = try fixture.call("GET", "/v2/account")
        #expect(reply.status == 429)
        #expect(reply.header("retry-after") == "7")
        #expect(reply.json["id"] == "too_many_requests")
        #expect(reply.header("ratelimit-limit") != nil)
        #expect(fixture.emulator.requestLog.all.first?.fault == "throttle")
    }

    @Test func aDroppedConnectionReallyCloses() throws {
        var rule = FaultRule(route: RoutePattern(method: "GET", pathPrefix: "/v2/droplets"))
        rule.dropShare = 1
        let fixture = try DigitalOceanFixture(faults: FaultPlan(rules: [rule]))
        #expect(throws: RawHTTPError.closedWithoutReply) { try fixture.call("GET", "/v2/droplets") }
        #expect(try fixture.call("GET", "/v2/account").status == 200)
        let entry = try #require(fixture.emulator.requestLog.all.first)
        #expect(entry.status == nil && entry.fault == "drop")
    }

    @Test func aReplyLostAfterTheCreateStillCreates() throws {
        var rule = FaultRule(route: RoutePattern(parsing: "POST:/v2/droplets"))
        rule.dropAfterReplyShare = 1
        let fixture = try DigitalOceanFixture(faults: FaultPlan(rules: [rule]))
        #expect(throws: RawHTTPError.self) { try fixture.create("lost-1") }
        #expect(fixture.emulator.inventory().createdThroughAPI.map(\.name) == ["lost-1"])
    }

    @Test func aHungRequestIsHeldUntilTheCap() throws {
        var rule = FaultRule()
        rule.hangShare = 1
        rule.hangSeconds = 0.4
        let fixture = try DigitalOceanFixture(faults: FaultPlan(rules: [rule]))
        let connection = try RawHTTPConnection(baseURL: fixture.base, timeout: 0.15)
        #expect(throws: RawHTTPError.timedOut) {
            try connection.request("GET", "/v2/account", headers: fixture.auth)
        }
        // Still held after the client's own timeout, then closed at the cap (the wait is
        // generous: on a loaded 2-core machine the hold may start late).
        #expect(connection.waitForClose(timeout: 10))
    }

    @Test func latencyIsAddedInRealTime() throws {
        var rule = FaultRule()
        rule.latency = 0.05...0.05
        let fixture = try DigitalOceanFixture(faults: FaultPlan(rules: [rule]))
        _ = try fixture.call("GET", "/v2/account")
        #expect(try #require(fixture.emulator.requestLog.all.first).latency >= 0.05)
    }

    @Test func bootTimesComeFromTheDistribution() throws {
        let plan = FaultPlan(seed: 3, bootTime: .uniform(min: 100, max: 200))
        let fixture = try DigitalOceanFixture(faults: plan)
        let id = try fixture.createdID("slow-1")
        fixture.clock.advance(by: 99)
        #expect(try fixture.call("GET", "/v2/droplets/\(id)").json["droplet"]?["status"] == "new")
        fixture.clock.advance(by: 101)
        #expect(try fixture.call("GET", "/v2/droplets/\(id)").json["droplet"]?["status"] == "active")
    }

    @Test func specTextBuildsPlans() throws {
        let plans = try FaultSpec.parse("""
            seed=42
            do * latency=0.01..0.02 error=0.1 statuses=500,503   # comment
            do POST:/v2/droplets throttle=0.2 retryAfter=2; os /compute drop=0.05
            oec * hang=0.01 hangFor=2
            all boot=lognormal(20,0.5,5,120) buildFail=0.1
            """)
        let digitalOcean = try #require(plans["digitalocean"])
        #expect(digitalOcean.seed == 42)
        #expect(digitalOcean.rules.count == 2)
        #expect(digitalOcean.rules[0].latency == 0.01...0.02)
        #expect(digitalOcean.rules[0].errorStatuses == [500, 503])
        #expect(digitalOcean.rules[1].route == RoutePattern(method: "POST", pathPrefix: "/v2/droplets"))
        #expect(digitalOcean.rules[1].retryAfterSeconds == 2)
        #expect(plans["openstack"]?.rules.first?.dropShare == 0.05)
        #expect(plans["opsource"]?.rules.first?.hangSeconds == 2)
        #expect(plans["opsource"]?.bootTime == .lognormal(median: 20, sigma: 0.5, min: 5, max: 120))
        #expect(plans["openstack"]?.buildFailureShare == 0.1)
        let fromJSON = try FaultSpec.parse("""
            {"seed": 42, "clauses": [
              {"cloud": "do", "route": "*", "latency": "0.01..0.02", "error": 0.1, "statuses": [500, 503]},
              {"cloud": "do", "route": "POST:/v2/droplets", "throttle": 0.2, "retryAfter": 2},
              {"cloud": "os", "route": "/compute", "drop": 0.05},
              {"cloud": "oec", "hang": 0.01, "hangFor": 2},
              {"cloud": "all", "boot": "lognormal(20, 0.5, 5, 120)", "buildFail": 0.1}]}
            """)
        #expect(fromJSON == plans)
        #expect(throws: FaultSpec.ParseError.self) { try FaultSpec.parse("do * error=2") }
        #expect(throws: FaultSpec.ParseError.self) { try FaultSpec.parse("mars * error=0.1") }
    }
}

@Suite struct RequestLogAndInventoryTests {
    @Test func logsMethodTargetStatusTimeAndMutatingBodies() throws {
        let fixture = try DigitalOceanFixture()
        fixture.clock.set(to: 1_800_000_000)
        let id = try fixture.createdID("log-1")
        _ = try fixture.call("GET", "/v2/droplets?tag_name=web")
        _ = try fixture.call("DELETE", "/v2/droplets/\(id)")
        let log = fixture.emulator.requestLog
        let entries = log.all
        #expect(entries.map(\.method) == ["POST", "GET", "DELETE"])
        #expect(entries.map(\.status) == [202, 200, 204])
        #expect(entries[0].body?.contains(#""name":"log-1""#) == true)
        #expect(entries[1].target == "/v2/droplets?tag_name=web" && entries[1].body == nil)
        #expect(entries.allSatisfy { $0.virtualTime == 1_800_000_000 })
        #expect(log.count(method: "GET", pathPrefix: "/v2/droplets") == 1)
        log.clear()
        #expect(log.all.isEmpty)
    }

    @Test func leftoversShowWhatWasAskedToGoButStayed() throws {
        var options = DigitalOceanEmulator.Options()
        options.deleteDelay = 10
        let fixture = try DigitalOceanFixture(options: options)
        fixture.emulator.seedDroplets(count: 2, namePrefix: "foreign")
        let kept = try fixture.createdID("keep-1")
        let doomed = try fixture.createdID("doomed-1")
        _ = try fixture.call("DELETE", "/v2/droplets/\(doomed)")
        let inventory = fixture.emulator.inventory()
        #expect(inventory.items.count == 4)
        #expect(Set(inventory.createdThroughAPI.map(\.id)) == [String(kept), String(doomed)])
        #expect(inventory.destroyRequestedButPresent.map(\.id) == [String(doomed)])
        fixture.clock.advance(by: 10)
        #expect(fixture.emulator.inventory().destroyRequestedButPresent.isEmpty)
    }
}

@Suite struct EmulatorSetTests {
    @Test func startsAllThreeOnOneClock() throws {
        let clock = VirtualClock()
        let set = EmulatorSet(options: EmulatorSet.Options(clock: clock))
        let endpoints = try set.start()
        defer { set.stop() }
        #expect(Set([endpoints.digitalOcean, endpoints.opSource, set.openStack.baseURL]).count == 3)
        #expect(endpoints.openStackAuthURL.hasSuffix("/identity/v3"))
        #expect(try RawHTTP.request(endpoints.digitalOcean, "GET", "/v2/account", headers: [("Authorization", "Bearer do-test-token")]).status == 200)
        #expect(try RawHTTP.request(endpoints.opSource, "GET", "/oec/0.9/myaccount", headers: [OpSourceFixture.basic("tmcloud", "oec-test-password")]).status == 200)
        #expect(set.summary.contains("provider openstack"))
        #expect(set.inventories().values.allSatisfy { $0.items.isEmpty })
    }
}
