import Foundation

/// A folder of its own for one test, removed when the value goes.
final class TempDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "tmcloud-sim-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes an executable shell script and returns its path.
    func script(_ name: String, _ body: String) -> String {
        let file = path + "/" + name
        // Close-on-exec, so that a driver spawned meanwhile by a parallel test does not
        // keep the file open for writing (exec would then fail with ETXTBSY).
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        precondition(fd >= 0, "cannot write \(file)")
        let bytes = Array(("#!/bin/sh\n" + body + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        return file
    }

    func read(_ name: String) -> String {
        (try? String(contentsOfFile: path + "/" + name, encoding: .utf8)) ?? ""
    }
}
