import Testing

@testable import TMCloudSimulator

@Suite("Decision engine rules")
struct DecisionEngineTests {
    /// A pool that starts with `count` active nodes adopted from status.
    func pool(_ count: Int, _ configure: (inout PoolSettings) -> Void = { _ in }, choices: EngineChoices = EngineChoices())
        -> EngineHarness
    {
        var h = EngineHarness(configure, choices: choices)
        h.cloud = (0..<count).map { EngineHarness.node("a1\($0)", "web-old\($0)") }
        h.status()
        return h
    }

    @Test func growsOnlyAfterHysteresis() {
        var h = pool(1)
        h.run(20, compliance: 30)
        #expect(h.creates.isEmpty)
        #expect(h.tags(.hysteresisCantGrow).count == 1)
        h.run(1, compliance: 30)
        #expect(h.creates == [20])
        #expect(h.tags(.autoNodeCreationStarted).map(\.node) == ["web-0001"])
    }

    @Test func shrinksOnlyAfterHysteresis() {
        var h = pool(2)
        h.run(20, compliance: 99)
        #expect(h.destroys.isEmpty)
        #expect(h.tags(.hysteresisCantShrink).count == 1)
        h.run(1, compliance: 99)
        #expect(h.destroys.map(\.0) == [20])
    }

    @Test func aBriefDipDoesNotScale() {
        var h = pool(1)
        for _ in 0..<10 {
            h.run(15, compliance: 30)
            h.run(15, compliance: 70)
        }
        #expect(h.actions.isEmpty)
    }

    @Test func refractoryPeriodSpacesChanges() {
        var h = pool(1)
        h.run(400, compliance: 10)
        #expect(h.creates == [20, 200, 380])
        #expect(!h.tags(.refractory).isEmpty)
    }

    @Test func oneNodePerChange() {
        var h = pool(1)
        h.run(21, compliance: 0)
        #expect(h.actions.count == 1)
        #expect(h.engine.counts.counted == 2)
    }

    @Test func hitsTheRoofAtMaxNodes() {
        var h = pool(2) { $0.maxNodes = 2 }
        h.run(300, compliance: 10)
        #expect(h.creates.isEmpty)
        #expect(h.tags(.hitRoof).count == 1)
    }

    @Test func hitsTheFloorAtMinNodes() {
        var h = pool(2) { $0.minNodes = 2 }
        h.run(300, compliance: 100)
        #expect(h.destroys.isEmpty)
        #expect(h.tags(.hitFloor).count == 1)
    }

    @Test func pendingNodesCountTowardsMax() {
        var h = pool(1) { $0.maxNodes = 2 }
        h.createActive = false
        h.run(400, compliance: 5)
        #expect(h.creates == [20])
        #expect(h.engine.counts.pending == 1)
        #expect(h.tags(.hitRoof).count == 1)
    }

    @Test func correctsAPoolBelowMinNodes() {
        var h = pool(0) { $0.minNodes = 2 }
        h.run(1, compliance: 90)
        #expect(h.tags(.poolTooSmall).count == 1)
        #expect(h.creates == [0])
        // The second correction waits out the refractory period like any change.
        h.run(200, compliance: 90)
        #expect(h.creates == [0, 180])
        #expect(h.engine.counts.counted == 2)
    }

    @Test func correctsAPoolAboveMaxNodesNewestFirst() {
        var h = EngineHarness { $0.maxNodes = 2 }
        h.cloud = [EngineHarness.node("n01", "web-a"), EngineHarness.node("n02", "web-b")]
        h.status()
        h.time = 5
        h.cloud.append(EngineHarness.node("n03", "web-c"))
        h.status()
        h.run(1, compliance: 70)
        #expect(h.tags(.poolTooBig).count == 1)
        #expect(h.destroys.map(\.1) == ["n03"])
    }

    @Test(arguments: [(DestroyOrder.newest, "n03"), (.oldest, "n01"), (.pendingFirst, "n02")])
    func destroyOrderIsASetting(order: DestroyOrder, victim: String) {
        var choices = EngineChoices()
        choices.destroyOrder = order
        var h = EngineHarness({ _ in }, choices: choices)
        h.cloud = [EngineHarness.node("n01", "web-a")]
        h.status()
        h.time = 10
        h.cloud.append(EngineHarness.node("n02", "web-b", "pending"))
        h.status()
        h.time = 20
        h.cloud.append(EngineHarness.node("n03", "web-c"))
        h.status()
        h.run(21, compliance: 100)
        #expect(h.destroys.map(\.1) == [victim])
    }

    @Test func resuscitatesAnEmptyPoolWhenTrafficArrives() {
        var h = pool(0) { $0.minNodes = 0 }
        h.run(100, compliance: nil)
        #expect(h.actions.isEmpty)
        h.run(1, compliance: 0)
        #expect(h.tags(.resuscitatePool).count == 1)
        #expect(h.creates == [100])
    }

    @Test func keepsTheLastNodeUntilIdleForLastNodeIdleTime() {
        var h = pool(1) {
            $0.minNodes = 0
            $0.lastNodeIdleTime = 600
        }
        h.run(300, compliance: 100)  // busy and fast: still the last node
        #expect(h.destroys.isEmpty)
        #expect(h.tags(.hitFloor).count == 1)
        h.run(599, compliance: nil)  // idle since t=299
        #expect(h.destroys.isEmpty)
        h.run(2, compliance: nil)
        #expect(h.destroys.map(\.0) == [899])
    }

    @Test func addsNodesAfterAddNodeDelayAtTheChosenAddress() {
        var h = pool(0) {
            $0.addNodeDelayTime = 30
            $0.ipsToUse = .privateIPs
            $0.port = 8080
        }
        h.createActive = false
        h.run(10, compliance: 50)
        #expect(h.creates == [0])
        h.cloud = h.cloud.map { var n = $0; n.status = "active"; return n }
        h.status()  // active at t=10
        h.run(30, compliance: 50)
        #expect(h.engine.poolAddresses.isEmpty)
        h.run(1, compliance: 50)
        #expect(h.engine.poolAddresses == ["10.0.0.01:8080"])
        #expect(h.tags(.autoNodeCreationComplete).count == 1)
        #expect(h.tags(.poolConfUpdate).last?.time == 40)
    }

    @Test func publicAddressByDefault() {
        var h = pool(1)
        h.run(1, compliance: 70)
        #expect(h.engine.poolAddresses == ["203.0.113.10:80"])
    }

    @Test func dropsANodeThatDisappearsFromStatus() {
        var h = pool(2)
        h.run(5, compliance: 70)
        #expect(h.engine.counts.inPool == 2)
        h.cloud.removeFirst()
        h.status()
        #expect(h.tags(.autoNodeDisappeared).map(\.node) == ["web-old0"])
        #expect(h.engine.counts.counted == 1)
        #expect(h.engine.poolAddresses == ["203.0.113.11:80"])
    }

    @Test func aNewNodeGetsAGracePeriodBeforeItCountsAsMissing() {
        var h = pool(1)
        h.run(21, compliance: 10)
        h.cloud.removeLast()  // the cloud has not listed the new node yet
        h.status()
        #expect(h.tags(.autoNodeDisappeared).isEmpty)
        h.time += 60
        h.status()
        #expect(h.tags(.autoNodeDisappeared).count == 1)
    }

    @Test func destroyedNodesLeaveWhenStatusNoLongerListsThem() {
        var h = pool(2)
        h.run(21, compliance: 100)
        #expect(h.destroys.count == 1)
        #expect(h.engine.counts.destroying == 1)
        h.status()
        #expect(h.tags(.autoNodeDestructionComplete).count == 1)
        #expect(h.engine.counts.destroying == 0)
    }

    @Test func claimsNodesByPrefixImageAndSize() {
        var h = EngineHarness {
            $0.imageID = "img-1"
            $0.sizeID = "s-1"
        }
        h.cloud = [
            EngineHarness.node("n01", "web-a", image: "img-1", size: "s-1"),
            EngineHarness.node("n02", "api-b", image: "img-1", size: "s-1"),
            EngineHarness.node("n03", "web-c", image: "img-2", size: "s-1"),
            EngineHarness.node("n04", "web-d", image: "img-1", size: "s-9"),
            EngineHarness.node("n05", "web-e"),  // fields not reported: matches
        ]
        h.status()
        #expect(h.engine.nodes.map(\.uniqID) == ["n01", "n05"])
        #expect(h.tags(.autoNodeExisted).count == 2)
        #expect(h.tags(.wrongImageID).map(\.node) == ["web-c"])
        #expect(h.tags(.wrongSizeID).map(\.node) == ["web-d"])
        h.status()
        #expect(h.tags(.wrongImageID).count == 1)  // reported once per node
    }

    @Test func aFailedCreateIsForgottenAndWaitsOutTheRefractoryPeriod() {
        var h = pool(1)
        h.run(20, compliance: 10)
        let action = h.engine.decide(at: 20)
        guard case .create(let name)? = action else {
            Issue.record("expected a create")
            return
        }
        h.engine.createFailed(name: name, hung: false, reason: "exit 1", at: 20)
        #expect(h.engine.drainEvents().map(\.tag).contains(.changeProcessFailure))
        #expect(h.engine.counts.counted == 1)
        #expect(h.engine.decide(at: 21) == nil)
        h.engine.recordTraffic(at: 200, requests: 100, conforming: 10)
        #expect(h.engine.decide(at: 200) != nil)
    }

    @Test func aFailedDestroyPutsTheNodeBack() {
        var h = pool(2)
        h.run(20, compliance: 100)
        guard case .destroy(let id, _)? = h.engine.decide(at: 20) else {
            Issue.record("expected a destroy")
            return
        }
        #expect(h.engine.counts.counted == 1)
        h.engine.destroyFailed(uniqID: id, hung: true, reason: "timed out", at: 20)
        #expect(h.engine.counts.counted == 2)
        #expect(h.engine.drainEvents().map(\.tag).contains(.changeProcessHanging))
    }

    @Test func complianceIsMeasuredOverTheWindow() {
        var choices = EngineChoices()
        choices.measurementWindow = 4
        var engine = DecisionEngine(settings: PoolSettings(), choices: choices)
        engine.recordTraffic(at: 0, requests: 100, conforming: 0)
        engine.recordTraffic(at: 1, requests: 300, conforming: 300)
        #expect(engine.compliance(at: 1) == 75)
        engine.recordTraffic(at: 4, requests: 100, conforming: 100)
        #expect(engine.compliance(at: 4) == 100)
        #expect(engine.compliance(at: 100) == 100)  // no traffic: nothing was late
    }

    @Test func namesFollowTheSuffixChoice() {
        var choices = EngineChoices()
        choices.nameSuffix = .random
        var h = EngineHarness({ $0.minNodes = 1 }, choices: choices)
        h.run(1, compliance: 70)
        let name = h.tags(.autoNodeCreationStarted).first?.node ?? ""
        #expect(name.hasPrefix("web-") && name.count == 10)
    }

    @Test func aNodeStillRunningLongAfterDestroyCountsAgain() {
        var h = pool(2)
        h.run(21, compliance: 100)
        guard let (_, id) = h.destroys.first else {
            Issue.record("expected a destroy")
            return
        }
        // The cloud ignores the destroy and keeps listing the node as running.
        h.cloud.append(EngineHarness.node(id, "web-old1"))
        h.status()
        #expect(h.engine.counts.destroying == 1)
        h.time = 20 + 600
        h.status()
        #expect(h.engine.counts.destroying == 0 && h.engine.counts.counted == 2)
        #expect(h.tags(.changeProcessFailure).last?.message.contains("after destroynode") == true)
    }

    @Test func anActiveNodeWithoutTheChosenAddressWaitsOutsideThePool() {
        var h = EngineHarness()
        var node = EngineHarness.node("n01", "web-a")
        node.publicIP = ""
        h.cloud = [node]
        h.status()
        h.run(5, compliance: 70)
        #expect(h.engine.counts.inPool == 0)
        #expect(h.tags(.autoNodeStatusChange).count == 1)
        h.cloud[0].publicIP = "203.0.113.9"
        h.status()
        h.run(1, compliance: 70)
        #expect(h.engine.poolAddresses == ["203.0.113.9:80"])
    }
}
