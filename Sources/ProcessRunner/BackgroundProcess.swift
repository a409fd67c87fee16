#if canImport(Glibc)
import Glibc
#endif

/// A child process that keeps running while its parent works: a test server, say.
///
/// Its standard input stays open as a lifeline (the helper servers stop when it
/// closes), its standard output is read line by line, and `stop()` kills it for sure.
public final class BackgroundProcess: @unchecked Sendable {
    public let pid: pid_t
    private var stdinFD: Int32
    private let stdoutFD: Int32
    private var buffered: [UInt8] = []
    private var stopped = false

    /// Starts `executable`; stderr is discarded.
    public init(_ executable: String, arguments: [String] = [], environment: [String: String] = [:]) throws(ProcessSpawnError) {
        var inPipe: [Int32] = [-1, -1]
        var outPipe: [Int32] = [-1, -1]
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0 else { throw ProcessSpawnError(executable: executable, errno: errno) }
        for fd in inPipe + outPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var child: pid_t = 0
        let rc = ProcessRunner.spawn(
            executable, arguments: arguments, environment: environment, stdin: inPipe[0], stdout: outPipe[1],
            stderr: nil, pid: &child)
        close(inPipe[0])
        close(outPipe[1])
        guard rc == 0 else {
            close(inPipe[1])
            close(outPipe[0])
            throw ProcessSpawnError(executable: executable, errno: rc)
        }
        pid = child
        stdinFD = inPipe[1]
        stdoutFD = outPipe[0]
    }

    deinit { stop() }

    /// The next line the child prints, or nil at end of output or after `timeout` seconds.
    public func readLine(timeout: Double) -> String? {
        let deadline = ProcessRunner.monotonicSeconds() + timeout
        while true {
            if let newline = buffered.firstIndex(of: 10) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                return line
            }
            let left = deadline - ProcessRunner.monotonicSeconds()
            guard left > 0 else { return nil }
            var p = pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, Int32(left * 1000) + 1) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = chunk.withUnsafeMutableBytes { read(stdoutFD, $0.baseAddress, $0.count) }
            if n <= 0 { return nil }
            buffered.append(contentsOf: chunk[0..<n])
        }
    }

    /// Closes the lifeline, kills the child and reaps it.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        close(stdinFD)
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        close(stdoutFD)
    }
}
