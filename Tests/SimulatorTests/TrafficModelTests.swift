import Testing

@testable import TMCloudSimulator

@Suite("Traffic and node model")
struct TrafficModelTests {
    @Test func shapes() {
        #expect(LoadProfile(shape: .constant(50)).rate(at: 999) == 50)
        #expect(LoadProfile(shape: .ramp(from: 0, to: 100, over: 100)).rate(at: 25) == 25)
        #expect(LoadProfile(shape: .ramp(from: 0, to: 100, over: 100)).rate(at: 500) == 100)
        let step = LoadProfile(shape: .step(before: 10, after: 90, at: 60))
        #expect(step.rate(at: 59) == 10 && step.rate(at: 60) == 90)
        let spiky = LoadProfile(shape: .constant(10), spikes: [LoadSpike(at: 100, duration: 10, extra: 5)])
        #expect(spiky.rate(at: 99) == 10 && spiky.rate(at: 105) == 15 && spiky.rate(at: 110) == 10)
    }

    @Test func dailyCurveIsQuietAtNightAndPeaksInTheEvening() {
        let day = LoadProfile(shape: .daily(low: 10, high: 110, start: 0))
        #expect(day.rate(at: 4 * 3600) < 15)
        #expect(day.rate(at: 20 * 3600) > 100)
        #expect(day.rate(at: 11.5 * 3600) > 60)
        #expect((0..<24).allSatisfy { day.rate(at: Double($0) * 3600) <= 110 })
    }

    @Test func traceIsInterpolatedAndFlatOutside() throws {
        let shape = try LoadProfile.parseTrace("time,requests_per_second\n# comment\n0,10\n100,20\n200, 0\n")
        let trace = LoadProfile(shape: shape)
        #expect(trace.rate(at: -5) == 10)
        #expect(trace.rate(at: 50) == 15)
        #expect(trace.rate(at: 150) == 10)
        #expect(trace.rate(at: 900) == 0)
    }

    @Test(arguments: ["", "time,rps\n", "0,10\n5\n", "10,1\n5,2\n", "0,-3\n"])
    func badTracesAreRefused(text: String) {
        #expect(throws: SettingError.self) { try LoadProfile.parseTrace(text) }
    }

    @Test func noiseIsSeeded() {
        let p = LoadProfile(shape: .constant(100), noise: 0.1)
        var a = SimulationRandom(seed: 7)
        var b = SimulationRandom(seed: 7)
        let first = (0..<50).map { p.sample(at: Double($0), random: &a) }
        #expect(first == (0..<50).map { p.sample(at: Double($0), random: &b) })
        #expect(Set(first).count > 1)
    }

    @Test func complianceFallsAsNodesSaturate() {
        let model = NodeModel(capacity: 100, baseLatency: 200)
        let idle = model.serve(rps: 1, nodes: 1, targetMilliseconds: 1000)
        let busy = model.serve(rps: 90, nodes: 1, targetMilliseconds: 1000)
        let split = model.serve(rps: 90, nodes: 2, targetMilliseconds: 1000)
        #expect(idle.conforming > 0.99)
        #expect(busy.conforming < 0.45 && busy.conforming > 0.35)  // 1 - e^-0.5
        #expect(split.conforming > busy.conforming)
        #expect(model.serve(rps: 150, nodes: 1, targetMilliseconds: 1000).conforming == 0)
        #expect(model.serve(rps: 10, nodes: 0, targetMilliseconds: 1000).conforming == 0)
        #expect(model.serve(rps: 0, nodes: 0, targetMilliseconds: 1000).conforming == 1)
        #expect(abs(busy.meanLatency - 2000) < 1e-6)
    }
}
