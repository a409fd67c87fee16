import CloudEmulators
import Foundation
import Testing

private let curlPath = "/usr/bin/curl"

/// Runs curl to completion (it exits on its own: `--max-time`), returning stdout and
/// stderr together.
private func curl(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: curlPath)
    process.arguments = ["--silent", "--show-error", "--max-time", "5"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: output, as: UTF8.self)
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
