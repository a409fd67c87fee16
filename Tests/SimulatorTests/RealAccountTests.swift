import Foundation
import TMCloudJSON
import Testing

@testable import TMCloudSimulator

@Suite("Real-account mode with a stand-in driver")
struct RealAccountTests {
    /// A driver that keeps its "cloud" in `$ZEUSHOME/nodes` (lines `id name`).
    let driverScript = """
        state="$ZEUSHOME/nodes"
        touch "$state"
        node() { echo "{\\"uniq_id\\":\\"$1\\",\\"name\\":\\"$2\\",\\"status\\":\\"active\\",\\"complete\\":100,\\"public_ip\\":\\"192.0.2.$1\\",\\"private_ip\\":\\"\\",\\"created\\":\\"\\",\\"imageid\\":\\"\\",\\"sizeid\\":\\"\\"}"; }
        case "$1" in
        status)
          list=""
          while read id name; do list="$list${list:+,}$(node "$id" "$name")"; done < "$state"
          echo "{\\"NodeStatusResponse\\":{\\"version\\":1,\\"code\\":200,\\"nodes\\":[$list]}}" ;;
        createnode)
          name=${3#--name=}
          n=$(cat "$ZEUSHOME/counter" 2>/dev/null || echo 10); n=$((n + 1)); echo $n > "$ZEUSHOME/counter"
          echo "$n $name" >> "$state"
          echo "{\\"CreateNodeResponse\\":{\\"version\\":1,\\"code\\":202,\\"nodes\\":[$(node "$n" "$name")]}}" ;;
        destroynode)
          id=${3#--id=}
          grep -v "^$id " "$state" > "$state.new"; mv "$state.new" "$state"
          echo "{\\"DestroyNodeResponse\\":{\\"version\\":1,\\"code\\":202,\\"nodes\\":[$(node "$id" gone)]}}" ;;
        esac
        """

    @Test func runsInRealTimeAndTearsDownOnlyWhatItCreated() throws {
        let dir = TempDirectory()
        let driver = dir.script("tmcloud", driverScript)
        let zeus = try ZeusHomeTree(path: dir.path + "/zeus")
        try zeus.install(cloudCredentials: "mine", configFile: "do.conf", config: "provider digitalocean\n", secret: "t0ken")
        try "5 sim-web-theirs\n".write(toFile: zeus.path + "/nodes", atomically: true, encoding: .utf8)

        let command = try CommandLineParser.parse(
            [
                "run", "--cloudcreds=mine", "--zeushome=\(zeus.path)", "--i-understand-this-uses-a-real-account",
                "--duration=3", "--min_nodes=2", "--max_nodes=8", "--driver=\(driver)", "--quiet", "--out=\(dir.path)/out",
            ], readFile: { _ in "" })
        guard case .run(let request) = command else {
            Issue.record("expected a run")
            return
        }
        #expect(request.scenario.settings.maxNodes == 3)
        let started = Date()
        let status = SimulatorApp.run(request)
        let wall = Date().timeIntervalSince(started)
        #expect(status == 0)
        #expect(wall >= 2.5 && wall < 20)

        let left = try String(contentsOfFile: zeus.path + "/nodes", encoding: .utf8)
        #expect(left == "5 sim-web-theirs\n")
        let summary = try JSONParser.parse(try String(contentsOfFile: dir.path + "/out/summary.json", encoding: .utf8))
        #expect(summary["changes"]?["nodes_created"]?.intValue == 1)
        #expect(summary["changes"]?["teardown_destroyed"]?.intValue == 1)
        #expect(summary["invariants"]?["passed"]?.boolValue == true)
        #expect(summary["api_calls"]?.isNull == true)
        #expect(summary["cloud"]?.stringValue == "real account (mine)")
    }
}
