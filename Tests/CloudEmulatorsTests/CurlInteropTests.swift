import CloudEmulators
import Foundation
import Testing
import TMCloudTestSupport

private let curlPath = "/usr/bin/curl"

/// Runs curl to completion (it exits on its own: `--max-time`), returning its exit
/// status and its stdout and stderr together.
func runCurl(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: curlPath)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

private func curl(_ arguments: [String]) throws -> String {
    try runCurl(["--silent", "--show-error", "--max-time", "5"] + arguments).output
}

/// The driver speaks through libcurl: check the server against the real thing.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: curlPath)))
struct CurlInteropTests {
    @Test func reusesOneConnectionAndSendsLargeBodiesWithoutStalling() throws {
        let emulator = DigitalOceanEmulator(time: .virtual(VirtualClock()))
        let base = try emulator.start()
        defer { emulator.stop() }
        let auth = ["-H", "Authorization: Bearer do-test-token"]
        let reused = try curl(auth + ["-v", "\(base)/v2/account", "\(base)/v2/sizes"])
        #expect(reused.contains("Re-using existing connection") || reused.contains("Reusing existing connection"))
        let userData = String(repeating: "#cloud-config ", count: 200)
        let body = #"{"name":"curl-1","region":"lon1","size":"s-1vcpu-1gb","image":"debian-12-x64","user_data":"\#(userData)"}"#
        let started = Date()
        let created = try curl(auth + [
            "-H", "Content-Type: application/json", "-H", "Expect: 100-continue",
            "-w", "\n%{http_code}", "--data-binary", body, "\(base)/v2/droplets",
        ])
        #expect(created.hasSuffix("\n202"))
        #expect(Date().timeIntervalSince(started) < 0.9)
        let chunked = try curl(auth + [
            "-H", "Content-Type: application/json", "-H", "Transfer-Encoding: chunked",
            "-w", "\n%{http_code}", "--data-binary", body.replacingOccurrences(of: "curl-1", with: "curl-2"),
            "\(base)/v2/droplets",
        ])
        #expect(chunked.hasSuffix("\n202"))
        #expect(emulator.inventory().createdThroughAPI.count == 2)
    }
}

/// The emulators' own HTTPS (`tmcloud-sim serve --tls-cert`), checked with curl: the
/// same keep-alive and the same socket-level faults as over HTTP.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: curlPath)))
struct HTTPSInteropTests {
    func start(faults: FaultPlan = .none) throws -> (DigitalOceanEmulator, String) {
        let emulator = DigitalOceanEmulator(time: .virtual(VirtualClock()), faults: faults)
        return (emulator, try emulator.start(tls: TestCertificates.identity("server")))
    }

    let trust = ["--cacert", TestCertificates.path("ca.pem"), "-H", "Authorization: Bearer do-test-token"]

    @Test func servesHTTPSOnOneConnectionWithTheSameReplies() throws {
        let (emulator, base) = try start()
        defer { emulator.stop() }
        #expect(base.hasPrefix("https://127.0.0.1:"))
        let reused = try runCurl(["-sS", "-v", "--max-time", "5"] + trust + ["\(base)/v2/account", "\(base)/v2/sizes"])
        #expect(reused.status == 0)
        #expect(reused.output.contains("SSL connection using TLSv1.3"))
        #expect(reused.output.contains("Re-using existing connection") || reused.output.contains("Reusing existing connection"))
        #expect(reused.output.contains(#""email":"ops@example.com""#))
        #expect(reused.output.contains(#""slug":"s-2vcpu-4gb""#))
        #expect(emulator.requestLog.count(method: "GET") == 2)
    }

    @Test func aClientThatDoesNotSpeakTLSIsDroppedAndOthersAreServed() throws {
        let (emulator, base) = try start()
        defer { emulator.stop() }
        let plain = try runCurl(["-sS", "--max-time", "5", base.replacingOccurrences(of: "https:", with: "http:") + "/v2/account"])
        #expect(plain.status != 0)
        let secure = try runCurl(["-sS", "--max-time", "5", "-o", "/dev/null", "-w", "%{http_code}"] + trust + ["\(base)/v2/account"])
        #expect(secure.output == "200")
        #expect(emulator.requestLog.all.map(\.path) == ["/v2/account"])
    }

    @Test func aReplyCutHalfWayIsCutOverTLSToo() throws {
        var rule = FaultRule(route: RoutePattern(parsing: "GET:/v2/sizes"))
        rule.dropAfterReplyShare = 1
        let (emulator, base) = try start(faults: FaultPlan(rules: [rule]))
        defer { emulator.stop() }
        let cut = try runCurl(["-sS", "--max-time", "5", "-o", "/dev/null"] + trust + ["\(base)/v2/sizes"])
        // 18: the body ended before its Content-Length.
        #expect(cut.status == 18, "\(cut.output)")
        #expect(emulator.requestLog.all.first?.fault == "drop-after-reply")
    }

    @Test func stopEndsAHeldTLSConnection() throws {
        var rule = FaultRule()
        rule.hangShare = 1
        rule.hangSeconds = 20
        let (emulator, base) = try start(faults: FaultPlan(rules: [rule]))
        let started = Date()
        let stopper = Thread {
            Thread.sleep(forTimeInterval: 0.5)
            emulator.stop()
        }
        stopper.start()
        let held = try runCurl(["-sS", "--max-time", "10", "-o", "/dev/null"] + trust + ["\(base)/v2/account"])
        #expect(held.status != 0)
        #expect(Date().timeIntervalSince(started) < 5)
    }
}
