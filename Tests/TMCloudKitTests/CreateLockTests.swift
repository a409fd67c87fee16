import ProcessRunner
import TMCloudKit
import TMCloudTestSupport
import TMCloudTransport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The createnode lock: exclusive between processes, and its wait is bounded.
@Suite struct CreateLockTests {
    /// While another process holds the lock, acquiring it gives up after the time
    /// allowed with a message that says why; once released, it is taken at once.
    @Test func waitIsBoundedAndLockIsExclusive() throws {
        let home = ZeusHomeFixture()
        let path = home.internalDirectory + "/tmcloud.pool.lock"
        // The shell locks its own descriptor and becomes `sleep`: killing it frees the lock.
        let holder = try BackgroundProcess(
            "/bin/sh", arguments: ["-c", "exec 9>'\(path)'; flock 9; echo held; exec sleep 300"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(holder.readLine(timeout: 10) == "held")
        var notes: [String] = []
        let started = ProcessClock.seconds()
        #expect {
            _ = try CreateLock.acquire(path: path, waitingAtMost: 1.0) { notes.append($0) }
        } throws: { error in
            (error as? DriverError)?.message.contains("another createnode with these credentials held") == true
        }
        let waited = ProcessClock.seconds() - started
        #expect(waited >= 1.0 && waited < 3.0, "waited \(waited) s")
        #expect(notes.contains { $0.contains("waiting for it") })
        holder.stop()
        usleep(100_000)
        let lock = try CreateLock.acquire(path: path, waitingAtMost: 5) { _ in }
        #expect(lock != nil)
        // Held by this process now: flock(1) cannot take it without waiting.
        let probe = try ProcessRunner.run("/usr/bin/flock", arguments: ["-n", path, "true"])
        #expect(probe.exitStatus != 0)
        _ = lock
    }

    /// A lock file that cannot be opened (a directory in its place) lets the action
    /// go on unguarded, with a note, rather than fail it.
    @Test func unusableLockFileIsNotFatal() throws {
        let home = ZeusHomeFixture()
        let path = home.internalDirectory + "/tmcloud.pool.lock"
        home.write("zxtm/internal/placeholder", "")
        _ = try ProcessRunner.run("/bin/mkdir", arguments: [path])
        var notes: [String] = []
        let lock = try CreateLock.acquire(path: path, waitingAtMost: 1) { notes.append($0) }
        #expect(lock == nil)
        #expect(notes.first?.contains("going on without it") == true)
    }
}
