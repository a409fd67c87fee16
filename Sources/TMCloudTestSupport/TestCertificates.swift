import CloudEmulators
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
        if access(dir + "/capath/ca-certificates.crt", F_OK) == 0 { return dir }
        let script = RepositoryPaths.root + "/scripts/testing/make-test-certs.sh"
        let result = try? ProcessRunner.run("/bin/bash", arguments: [script, dir], environment: ["PATH": "/usr/bin:/bin"], timeout: 60)
        precondition(result?.exitStatus == 0, "cannot make test certificates: \(result?.stderrText ?? "")")
        return dir
    }()

    public static func path(_ name: String) -> String { directory + "/" + name }

    /// The named certificate (server, expired, wronghost, selfsigned) with its key, to
    /// serve HTTPS with.
    public static func identity(_ name: String) throws -> TLSIdentity {
        try TLSIdentity(certificate: path("\(name).pem"), key: path("\(name).key"))
    }
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
}
