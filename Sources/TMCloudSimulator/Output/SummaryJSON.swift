import TMCloudJSON

/// The run's summary: service level, cost, changes, driver runs and failures, API calls,
/// timing, invariants, and the settings it ran with.
public enum SummaryJSON {
    public static func make(_ r: SimulationResult) -> JSONValue {
        var driverRuns = JSONObject()
        var totalRuns = 0
        var totalFailures = 0
        for action in DriverAction.allCases {
            let s = r.driverStats[action] ?? DriverActionStats()
            totalRuns += s.runs
            totalFailures += s.failures
            driverRuns[action.rawValue] = .object(
                JSONObject(pairs: [
                    ("runs", .int(Int64(s.runs))), ("failures", .int(Int64(s.failures))), ("hung", .int(Int64(s.hung))),
                    ("unparseable", .int(Int64(s.unparseable))), ("wall_seconds", .double(round3(s.wallSeconds))),
                    ("slowest_seconds", .double(round3(s.slowestSeconds))),
                ]))
        }
        var events = JSONObject()
        for tag in EventTag.allCases {
            let n = r.eventCount(tag)
            if n > 0 { events[tag.rawValue] = .int(Int64(n)) }
        }
        var apiCalls: JSONValue = .null
        if let calls = r.apiCalls {
            var o = JSONObject()
            for key in calls.keys.sorted() { o[key] = .int(Int64(calls[key]!)) }
            o["total"] = .int(Int64(calls.values.reduce(0, +)))
            apiCalls = .object(o)
        }
        var settings = JSONObject()
        for key in PoolSettings.keys { settings[key] = r.scenario.settings.value(of: key) }
        var choices = JSONObject()
        for key in EngineChoices.keys { choices[key] = r.scenario.choices.value(of: key).map { .string($0) } }

        return .object(
            JSONObject(pairs: [
                ("scenario", .string(r.scenario.name)),
                ("cloud", .string(r.cloudName)),
                ("driver", .string(r.driverLabel)),
                ("seed", .int(Int64(r.scenario.seed))),
                ("simulated_seconds", .double(r.simulatedSeconds)),
                ("interrupted", .bool(r.interrupted)),
                ("wall_seconds", .double(round3(r.wallSeconds))),
                ("speedup", .double(r.wallSeconds > 0 ? (r.simulatedSeconds / r.wallSeconds).rounded() : 0)),
                ("requests", .int(Int64(r.requests.rounded()))),
                ("requests_within_target", .int(Int64(r.requestsWithinTarget.rounded()))),
                ("share_within_target", .double(round4(r.shareWithinTarget))),
                ("node_hours", .double(round3(r.nodeHours))),
                (
                    "changes",
                    .object(
                        JSONObject(pairs: [
                            ("nodes_created", .int(Int64(r.nodesCreated))),
                            ("nodes_destroyed", .int(Int64(r.nodesDestroyed))),
                            ("teardown_destroyed", .int(Int64(r.teardownDestroyed))),
                        ]))
                ),
                ("driver_runs", .object(driverRuns)),
                ("driver_runs_total", .int(Int64(totalRuns))),
                ("driver_failures_total", .int(Int64(totalFailures))),
                ("api_calls", apiCalls),
                ("events", .object(events)),
                (
                    "invariants",
                    .object(
                        JSONObject(pairs: [
                            ("passed", .bool(r.passed)), ("violations", .array(r.violations.map { .string($0) })),
                            ("leftovers", .array(r.leftovers.map { .string($0) })),
                        ]))
                ),
                ("pool_settings", .object(settings)),
                ("engine_choices", .object(choices)),
            ]))
    }

    static func round3(_ d: Double) -> Double { (d * 1000).rounded() / 1000 }
    static func round4(_ d: Double) -> Double { (d * 10000).rounded() / 10000 }
}
