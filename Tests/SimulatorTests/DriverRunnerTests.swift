import Foundation
import Testing

@testable import TMCloudSimulator

@Suite("Driver runner with fake drivers", .serialized)
struct DriverRunnerTests {
    let statusReply = """
        {"NodeStatusResponse":{"version":1,"code":200,"nodes":[\
        {"uniq_id":"101","name":"web-0001","status":"active","complete":100,"public_ip":"203.0.113.1",\
        "private_ip":"10.0.0.1","created":"2026-11-23T10:00:00Z","imageid":"img","sizeid":"s-1"},\
        {"uniq_id":102,"name":"web-0002","status":"pending","complete":"33","public_ip":"","private_ip":"",\
        "created":"","imageid":"img","sizeid":"s-1"}]}}
        """

    func runner(_ dir: TempDirectory, _ body: String, timeout: Double = 5) throws -> DriverRunner {
        let zeus = try ZeusHomeTree(path: dir.path + "/zeus")
        try zeus.install(cloudCredentials: "sim", configFile: "sim.conf", config: "provider digitalocean\n", secret: "s3cret")
        let driver = dir.script("tmcloud", body)
        var settings = PoolSettings()
        settings.imageID = "img"
        settings.sizeID = "s-1"
        settings.cloudAPITimeout = timeout
        return DriverRunner(
            transport: SubprocessTransport(executable: driver, zeusHome: zeus.path), cloudCredentials: "sim",
            settings: settings, statusTimeout: timeout)
    }

    @Test func parsesAStatusReplyAndPassesTheTrafficManagersArguments() throws {
        let dir = TempDirectory()
        let r = try runner(
            dir,
            """
            printf '%s\\n' "$@" > \(dir.path)/argv
            env > \(dir.path)/env
            cat <<'JSON'
            \(statusReply)
            JSON
            """)
        let nodes = try r.status().get()
        #expect(nodes.map(\.uniqID) == ["101", "102"])
        #expect(nodes[1].status == "pending" && nodes[1].complete == 33)
        #expect(nodes[0].publicIP == "203.0.113.1" && nodes[0].sizeID == "s-1")
        #expect(dir.read("argv") == "status\n--cloudcreds=sim\n")
        #expect(dir.read("env").contains("ZEUSHOME=\(dir.path)/zeus"))
        #expect(!dir.read("env").contains("s3cret"))
        let creds = try String(contentsOfFile: dir.path + "/zeus/zxtm/conf/cloudcredentials/sim", encoding: .utf8)
        #expect(creds == "cred1 sim.conf\ncred2 s3cret\n")
        #expect(r.stats[.status]?.runs == 1 && r.stats[.status]?.failures == 0)
    }

    @Test func createAndDestroyCarryNameImageSizeAndID() throws {
        let dir = TempDirectory()
        let r = try runner(
            dir,
            """
            printf '%s\\n' "$@" >> \(dir.path)/argv
            case "$1" in
            createnode) echo '{"CreateNodeResponse":{"version":1,"code":202,"nodes":[{"uniq_id":"9","name":"web-0001","status":"pending","complete":0,"public_ip":"","private_ip":"","created":"","imageid":"img","sizeid":"s-1"}]}}' ;;
            destroynode) echo '{"DestroyNodeResponse":{"version":1,"code":202,"nodes":[{"uniq_id":"9","name":"web-0001","status":"destroyed","complete":100,"public_ip":"","private_ip":"","created":"","imageid":"","sizeid":""}]}}' ;;
            esac
            """)
        #expect(try r.createNode(name: "web-0001").get().first?.uniqID == "9")
        #expect(try r.destroyNode(uniqID: "9").get().first?.status == "destroyed")
        #expect(
            dir.read("argv")
                == "createnode\n--cloudcreds=sim\n--name=web-0001\n--imageid=img\n--sizeid=s-1\n"
                + "destroynode\n--cloudcreds=sim\n--id=9\n")
    }

    @Test func aNonZeroExitIsAFailureWithTheStderrLine() throws {
        let dir = TempDirectory()
        let r = try runner(dir, "echo 'tmcloud: createnode: HTTP 422: quota exceeded' >&2; exit 1")
        let outcome = r.createNode(name: "web-0001")
        #expect(outcome == .failure(.exited(status: 1, message: "tmcloud: createnode: HTTP 422: quota exceeded")))
        #expect(DriverFailure.exited(status: 1, message: "").event(for: .createNode) == .changeProcessFailure)
        #expect(DriverFailure.exited(status: 1, message: "").event(for: .status) == .statusUpdateError)
        #expect(r.stats[.createNode]?.failures == 1)
    }

    @Test func aHangingDriverIsKilledAtTheTimeout() throws {
        let dir = TempDirectory()
        let r = try runner(dir, "exec sleep 20", timeout: 0.5)
        let started = Date()
        let outcome = r.status()
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(outcome == .failure(.hung(after: 0.5)))
        #expect(DriverFailure.hung(after: 1).event(for: .status) == .statusProcessHanging)
        #expect(DriverFailure.hung(after: 1).event(for: .destroyNode) == .changeProcessHanging)
        #expect(r.stats[.status]?.hung == 1)
    }

    @Test(arguments: [
        "echo 'Error: Request Failed: 500'",
        "echo '{\"NodeStatusResponse\":{\"version\":1,\"code\":500,\"nodes\":[]}}'",
        "echo '{\"CreateNodeResponse\":{\"version\":1,\"code\":202,\"nodes\":[]}}'",
        "echo '{\"NodeStatusResponse\":{\"version\":1,\"code\":200,\"nodes\":[{\"name\":\"x\"}]}}'",
        "true",
    ])
    func unparseableOutputIsAParseError(body: String) throws {
        let dir = TempDirectory()
        let r = try runner(dir, body)
        guard case .failure(let failure) = r.status(), case .unparseable = failure else {
            Issue.record("expected a parse error, got \(r.status())")
            return
        }
        #expect(failure.event(for: .status) == .responseParseError)
        #expect(r.stats[.status]?.unparseable == 1)
    }

    @Test func aMissingDriverIsAFailureNotACrash() {
        let r = DriverRunner(
            transport: SubprocessTransport(executable: "/nonexistent/tmcloud", zeusHome: "/tmp"), cloudCredentials: "sim",
            settings: PoolSettings(), statusTimeout: 1)
        guard case .failure = r.status() else {
            Issue.record("expected a failure")
            return
        }
    }

    /// A driver file still open for writing somewhere (here, in this process) cannot be
    /// run; the runner waits for it to be closed rather than report a failed run.
    @Test func aDriverBusyBeingWrittenIsRunOnceClosed() throws {
        let dir = TempDirectory()
        let driver = dir.script("tmcloud", "echo ran")
        let writer = open(driver, O_WRONLY | O_CLOEXEC)
        #expect(writer >= 0)
        let transport = SubprocessTransport(executable: driver, zeusHome: dir.path)
        let started = Date()
        let closer = Thread {
            usleep(300_000)
            close(writer)
        }
        closer.start()
        let execution = transport.execute(arguments: [], timeout: 5)
        #expect(execution.exitStatus == 0, "\(String(decoding: execution.stderr, as: UTF8.self))")
        #expect(String(decoding: execution.stdout, as: UTF8.self) == "ran\n")
        #expect(Date().timeIntervalSince(started) >= 0.29)

        // Held open for good, it fails after the wait with the system's reason.
        let holder = open(driver, O_WRONLY | O_CLOEXEC)
        defer { close(holder) }
        let busy = transport.execute(arguments: [], timeout: 5)
        #expect(busy.exitStatus == 127)
        #expect(String(decoding: busy.stderr, as: UTF8.self).contains("busy"))
    }
}
