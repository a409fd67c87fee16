#if canImport(Glibc)
import Glibc
#endif

/// What a finished child process left behind.
public struct ProcessResult: Sendable, Equatable {
    /// The exit status, or 128 + the signal number when a signal ended it.
    public var exitStatus: Int32
    /// True when the deadline passed and the child was killed.
    public var timedOut: Bool
    public var stdout: [UInt8]
    public var stderr: [UInt8]
    /// Wall time from spawn to exit, in seconds.
    public var duration: Double

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// Why a child could not be started.
public struct ProcessSpawnError: Error, Sendable, CustomStringConvertible {
    public var executable: String
    public var errno: Int32
    public var description: String {
        "cannot start \(executable): \(String(cString: strerror(errno)))"
    }
}

/// Runs a program to completion with pipes, a deadline and a clean signal state.
///
/// Written on posix_spawn rather than Foundation's Process because the Traffic Manager
/// runs the driver exactly this way, and because a child spawned from a test thread
/// inherits a blocked signal mask under Foundation (SIGTERM is then ignored): here the
/// mask is reset and the deadline is enforced with SIGKILL.
public enum ProcessRunner {
    /// Runs `executable` with `arguments` (argv[1...]) and exactly `environment`.
    ///
    /// - Parameters:
    ///   - stdin: bytes written to the child's standard input, which is then closed.
    ///   - timeout: seconds before the child is killed; nil waits for ever.
    public static func run(
        _ executable: String,
        arguments: [String] = [],
        environment: [String: String] = [:],
        stdin: [UInt8] = [],
        timeout: Double? = nil
    ) throws(ProcessSpawnError) -> ProcessResult {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        var inPipe: [Int32] = [-1, -1]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0, pipe(&inPipe) == 0 else {
            throw ProcessSpawnError(executable: executable, errno: errno)
        }
        // Close-on-exec, so that concurrent spawns do not inherit each other's pipes.
        for fd in outPipe + errPipe + inPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }

        let start = monotonicSeconds()
        var pid: pid_t = 0
        let rc = spawn(
            executable, arguments: arguments, environment: environment, stdin: inPipe[0], stdout: outPipe[1],
            stderr: errPipe[1], pid: &pid)
        close(inPipe[0])
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(inPipe[1])
            close(outPipe[0])
            close(errPipe[0])
            throw ProcessSpawnError(executable: executable, errno: rc)
        }

        // Feed stdin, then gather both outputs until they close or the deadline passes.
        var pending = stdin[...]
        var inFD: Int32 = inPipe[1]
        if pending.isEmpty {
            close(inFD)
            inFD = -1
        } else {
            _ = fcntl(inFD, F_SETFL, fcntl(inFD, F_GETFL) | O_NONBLOCK)
        }
        var out: [UInt8] = []
        var err: [UInt8] = []
        var open: [Int32] = [outPipe[0], errPipe[0]]
        var timedOut = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !open.isEmpty || inFD >= 0 {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if inFD >= 0 { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            var waitMs: Int32 = -1
            if let timeout {
                let left = timeout - (monotonicSeconds() - start)
                if left <= 0 {
                    timedOut = true
                    kill(pid, SIGKILL)
                    break
                }
                waitMs = Int32(min(left * 1000 + 1, 60_000))
            }
            let ready = poll(&fds, nfds_t(fds.count), waitMs)
            if ready < 0 {
                if errno == EINTR { continue }
                break
            }
            for p in fds where p.revents != 0 {
                if p.fd == inFD {
                    let written = pending.withUnsafeBytes { write(inFD, $0.baseAddress, $0.count) }
                    if written > 0 { pending = pending.dropFirst(written) }
                    if written < 0 && errno != EAGAIN || pending.isEmpty {
                        close(inFD)
                        inFD = -1
                    }
                    continue
                }
                let n = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if p.fd == outPipe[0] {
                        out.append(contentsOf: buffer[0..<n])
                    } else {
                        err.append(contentsOf: buffer[0..<n])
                    }
                } else if n == 0 || errno != EINTR && errno != EAGAIN {
                    open.removeAll { $0 == p.fd }
                }
            }
        }
        if inFD >= 0 { close(inFD) }
        close(outPipe[0])
        close(errPipe[0])

        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let exit: Int32
        if status & 0x7f == 0 {
            exit = (status >> 8) & 0xff
        } else {
            exit = 128 + (status & 0x7f)
        }
        return ProcessResult(
            exitStatus: exit, timedOut: timedOut, stdout: out, stderr: err,
            duration: monotonicSeconds() - start)
    }

    /// Starts `executable` with descriptors 0, 1 and 2 taken from `stdin`, `stdout` and
    /// `stderr` (nil: /dev/null), an empty signal mask and default signal dispositions.
    /// Returns posix_spawn's result: 0, or the error number.
    static func spawn(
        _ executable: String, arguments: [String], environment: [String: String], stdin: Int32, stdout: Int32,
        stderr: Int32?, pid: inout pid_t
    ) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        if let stderr {
            posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = [executable] + arguments
        let envp = environment.map { "\($0.key)=\($0.value)" }
        return withCStrings(argv) { cArgv in
            withCStrings(envp) { cEnvp in
                // ETXTBSY: the file is still open for writing somewhere, most often in
                // a child that another thread spawned while the file was being written
                // and that inherited the descriptor. It passes when that child ends,
                // so wait for it, up to 2 s.
                var rc = posix_spawn(&pid, executable, &actions, &attributes, cArgv, cEnvp)
                var waited = 0
                while rc == ETXTBSY && waited < 100 {
                    usleep(20_000)
                    waited += 1
                    rc = posix_spawn(&pid, executable, &actions, &attributes, cArgv, cEnvp)
                }
                return rc
            }
        }
    }

    /// Seconds on the monotonic clock.
    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Calls `body` with a NULL-terminated C array of the strings.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for p in pointers { free(p) } }
    return body(pointers)
}
