import Foundation
import TMCloudJSON
import Testing

@testable import TMCloudSimulator

@Suite("Output writers")
struct OutputWriterTests {
    func sample() -> SimulationResult {
        var r = SimulationResult(scenario: BuiltinScenarios.spike, cloudName: "digitalocean", driverLabel: "/x/tmcloud")
        r.simulatedSeconds = 120
        r.wallSeconds = 0.25
        r.requests = 1000
        r.requestsWithinTarget = 900
        r.nodeSeconds = 7200
        r.nodesCreated = 2
        r.nodesDestroyed = 1
        r.timeline = [
            TimelineRow(time: 0, rps: 12.345, compliance: 0, servedWithinTarget: 0, active: 0, pending: 1, inPool: 0, decisions: "create web-0001"),
            TimelineRow(time: 60, rps: 80, compliance: 97.25, servedWithinTarget: 96, active: 1, pending: 1, inPool: 1,
                decisions: "create web-0002;destroy a,b"),
        ]
        r.driverStats = [.status: DriverActionStats(runs: 4, failures: 1, hung: 1, unparseable: 0, wallSeconds: 0.5, slowestSeconds: 0.2)]
        r.apiCalls = ["GET /v2/droplets": 4, "POST /v2/droplets": 2]
        r.events = [EngineEvent(time: 61, tag: .autoNodeCreationStarted, node: "web-0002", message: "createnode web-0002")]
        return r
    }

    @Test func csvHasTheHeaderAndOneRowPerTimelineEntry() {
        let lines = TimelineCSV.render(sample().timeline).split(separator: "\n").map(String.init)
        #expect(lines[0] == "time,clock,rps,compliance,within_target,nodes_active,nodes_pending,nodes_in_pool,decisions")
        #expect(lines[1] == "0,00:00:00,12.3,0.0,0.0,0,1,0,create web-0001")
        #expect(lines[2] == "60,00:01:00,80.0,97.3,96.0,1,1,1,\"create web-0002;destroy a,b\"")
        #expect(lines.count == 3)
    }

    @Test func svgDrawsBothThresholdsAndTheSeries() {
        var r = sample()
        r.scenario.settings.scaleUpLevel = 30
        let svg = SVGChart.render(r)
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        // 30 % of a 170-pixel panel whose bottom is at 670.
        #expect(svg.contains("<line id=\"scale-up-level\" x1=\"70\" y1=\"619\""))
        #expect(svg.contains("<line id=\"scale-down-level\" x1=\"70\" y1=\"508.5\""))
        #expect(svg.contains("scale_up_level 30%") && svg.contains("scale_down_level 95%"))
        for id in ["load", "nodes-counted", "nodes-in-pool", "compliance", "max-nodes"] {
            #expect(svg.contains("id=\"\(id)\""))
        }
        #expect(svg.components(separatedBy: "<").count == svg.components(separatedBy: ">").count)
    }

    @Test func summaryCarriesTheFiguresOfTheRun() throws {
        let json = try JSONParser.parse(PrettyJSON.string(SummaryJSON.make(sample())))
        #expect(json["scenario"]?.stringValue == "spike")
        #expect(json["share_within_target"]?.doubleValue == 0.9)
        #expect(json["node_hours"]?.doubleValue == 2)
        #expect(json["changes"]?["nodes_created"]?.intValue == 2)
        #expect(json["changes"]?["nodes_destroyed"]?.intValue == 1)
        #expect(json["driver_runs"]?["status"]?["runs"]?.intValue == 4)
        #expect(json["driver_runs"]?["status"]?["hung"]?.intValue == 1)
        #expect(json["driver_runs"]?["createnode"]?["runs"]?.intValue == 0)
        #expect(json["driver_failures_total"]?.intValue == 1)
        #expect(json["api_calls"]?["total"]?.intValue == 6)
        #expect(json["wall_seconds"]?.doubleValue == 0.25)
        #expect(json["simulated_seconds"]?.doubleValue == 120)
        #expect(json["invariants"]?["passed"]?.boolValue == true)
        #expect(json["events"]?["pools_autonodecreationstarted"]?.intValue == 1)
        #expect(json["pool_settings"]?["max_nodes"]?.intValue == 4)
        #expect(json["engine_choices"]?["destroy_order"]?.stringValue == "newest")
    }

    @Test func eventLogLinesUseTheTrafficManagersTags() {
        #expect(
            EventLogWriter.render(sample().events)
                == "[00:01:01] pools_autonodecreationstarted web-0002: createnode web-0002\n")
    }
}
