import Synchronization

/// The fault chosen for one request.
public enum InjectedFault: Sendable, Equatable {
    case drop
    case dropAfterReply
    case hang(seconds: Double)
    case throttle(retryAfter: Int)
    case error(status: Int)

    var label: String {
        switch self {
        case .drop: "drop"
        case .dropAfterReply: "drop-after-reply"
        case .hang: "hang"
        case .throttle: "throttle"
        case .error(let status): "error-\(status)"
        }
    }
}

/// Draws faults for requests from a plan. Each rule has its own random stream, so
/// traffic on one route does not change which requests on another route fail, and a
/// given seed and request order give the same faults on every run.
final class FaultInjector: Sendable {
    private struct State {
        var plan: FaultPlan
        var ruleStreams: [SeededRandom]
        var buildStream: SeededRandom
        var forcedBuildFailures = 0
    }

    private let state: Mutex<State>

    init(plan: FaultPlan, label: String) {
        state = Mutex(FaultInjector.fresh(plan: plan, label: label))
        self.label = label
    }

    private let label: String

    private static func fresh(plan: FaultPlan, label: String) -> State {
        State(
            plan: plan,
            ruleStreams: plan.rules.indices.map { SeededRandom.derived(seed: plan.seed, label: "\(label)#\($0)") },
            buildStream: SeededRandom.derived(seed: plan.seed, label: "\(label)/builds"))
    }

    var plan: FaultPlan {
        get { state.withLock { $0.plan } }
        set {
            let label = label
            state.withLock { state in
                let forced = state.forcedBuildFailures
                state = FaultInjector.fresh(plan: newValue, label: label)
                state.forcedBuildFailures = forced
            }
        }
    }

    func failNextBuilds(_ count: Int) {
        state.withLock { $0.forcedBuildFailures = count }
    }

    /// Latency to add and the fault, if any, for one request.
    func decide(for request: HTTPRequest) -> (latency: Double, fault: InjectedFault?) {
        state.withLock { state in
            var latency = 0.0
            var fault: InjectedFault?
            for index in state.plan.rules.indices where state.plan.rules[index].route.matches(request) {
                let rule = state.plan.rules[index]
                // Always three draws per matching rule, so the stream stays aligned.
                let outcomeDraw = state.ruleStreams[index].unit()
                let latencyDraw = state.ruleStreams[index].unit()
                let pickDraw = state.ruleStreams[index].unit()
                if let range = rule.latency {
                    latency += range.lowerBound + (range.upperBound - range.lowerBound) * latencyDraw
                }
                guard fault == nil else { continue }
                var threshold = rule.dropShare
                if outcomeDraw < threshold { fault = .drop; continue }
                threshold += rule.dropAfterReplyShare
                if outcomeDraw < threshold { fault = .dropAfterReply; continue }
                threshold += rule.hangShare
                if outcomeDraw < threshold { fault = .hang(seconds: rule.hangSeconds); continue }
                threshold += rule.throttleShare
                if outcomeDraw < threshold { fault = .throttle(retryAfter: rule.retryAfterSeconds); continue }
                threshold += rule.errorShare
                if outcomeDraw < threshold, !rule.errorStatuses.isEmpty {
                    let pick = min(rule.errorStatuses.count - 1, Int(pickDraw * Double(rule.errorStatuses.count)))
                    fault = .error(status: rule.errorStatuses[pick])
                }
            }
            return (latency, fault)
        }
    }

    /// Boot time and failure for one new build; `defaultBoot` when the plan sets none.
    func drawBuild(defaultBoot: Double) -> (bootSeconds: Double, fails: Bool) {
        state.withLock { state in
            let boot = state.plan.bootTime?.draw(&state.buildStream) ?? defaultBoot
            let failDraw = state.buildStream.unit()
            if state.forcedBuildFailures > 0 {
                state.forcedBuildFailures -= 1
                return (boot, true)
            }
            return (boot, failDraw < state.plan.buildFailureShare)
        }
    }
}
