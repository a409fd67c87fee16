import ProcessRunner

#if canImport(Glibc)
import Glibc
#endif

/// Test certificates made once per test process by scripts/testing/make-test-certs.sh.
public enum TestCertificates {
    /// The folder holding ca.pem, server.pem, expired.pem, wronghost.pem, selfsigned.pem.
    public static let directory: String = {
        // Kept in the build folder and reused: making them costs about two seconds.
        let dir = TMCloudBinary.buildDirectory + "/test-certs"
        if access(dir + "/capath", F_OK) == 0 { return dir }
        let script = RepositoryPaths.root + "/scripts/testing/make-test-certs.sh"
        let result = try? ProcessRunner.run("/bin/bash", arguments: [script, dir], environment: ["PATH": "/usr/bin:/bin"], timeout: 60)
        precondition(result?.exitStatus == 0, "cannot make test certificates: \(result?.stderrText ?? "")")
        return dir
    }()

    public static func path(_ name: String) -> String { directory + "/" + name }
}

/// A TLS front on loopback: serves a fixed JSON reply, or forwards to a plain HTTP
/// server, with the certificate named (server, expired, wronghost, selfsigned).
public final class TLSFront: @unchecked Sendable {
    public let port: Int
    private let process: BackgroundProcess

    public init(certificate: String = "server", upstreamPort: Int? = nil) throws {
        var arguments = [
            RepositoryPaths.root + "/scripts/testing/tls-front.py",
            "--cert", TestCertificates.path("\(certificate).pem"), "--key", TestCertificates.path("\(certificate).key"),
        ]
        if let upstreamPort { arguments += ["--upstream", "127.0.0.1:\(upstreamPort)"] }
        process = try BackgroundProcess(
            "/usr/bin/env", arguments: ["python3"] + arguments, environment: ["PATH": RepositoryPaths.searchPath])
        guard let line = process.readLine(timeout: 20), line.hasPrefix("listening "), let p = Int(line.dropFirst(10))
        else { throw TLSFrontError() }
        port = p
    }

    public var baseURL: String { "https://127.0.0.1:\(port)" }

    public func stop() { process.stop() }

    struct TLSFrontError: Error {}
}

/// Paths of the repository the tests run from.
public enum RepositoryPaths {
    /// The package root: the folder above `.build`.
    public static var root: String {
        var parts = TMCloudBinary.buildDirectory.split(separator: "/", omittingEmptySubsequences: false)
        while let last = parts.last, !last.hasPrefix(".build") { parts.removeLast() }
        if !parts.isEmpty { parts.removeLast() }
        return parts.joined(separator: "/")
    }

    /// The caller's PATH, so that python3 is found wherever it is installed.
    public static var searchPath: String {
        if let p = getenv("PATH") { return String(cString: p) }
        return "/usr/local/bin:/usr/bin:/bin"
    }
}
