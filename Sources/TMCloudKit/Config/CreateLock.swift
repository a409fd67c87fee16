import TMCloudTransport

#if canImport(Glibc)
import Glibc
#endif

/// An advisory lock (`flock`) on `$ZEUSHOME/zxtm/internal/tmcloud.<stateName>.lock`,
/// held by `createnode` around its look-up and create, so that two runs on this
/// machine with the same credentials cannot both find a name missing and both create
/// it. It guards one machine only: Traffic Managers of a cluster each have their own
/// `internal` folder, and across machines the look-up before every create (and the
/// autoscaler's single active member per pool) is what keeps one name one node.
///
/// The kernel drops the lock when the process exits, however it exits, so a killed
/// run never leaves it held.
public final class CreateLock {
    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }

    /// Takes the lock, waiting at most `seconds`. Nil when the lock file cannot be
    /// opened (an unwritable folder): the action goes on unguarded rather than fail.
    public static func acquire(
        path: String, waitingAtMost seconds: Double, note: (String) -> Void
    ) throws(DriverError) -> CreateLock? {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        try? StateFile.makeDirectory(directory)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            note("cannot open the lock file \(path): \(String(cString: strerror(errno))); going on without it")
            return nil
        }
        let started = ProcessClock.seconds()
        var waited = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                note("cannot lock \(path): \(String(cString: strerror(errno))); going on without it")
                close(fd)
                return nil
            }
            if !waited {
                note("another createnode with these credentials is running: waiting for it")
                waited = true
            }
            let elapsed = ProcessClock.seconds() - started
            guard elapsed < seconds else {
                close(fd)
                throw DriverError(
                    .transport,
                    "another createnode with these credentials held \(path) for \(Int(elapsed)) s; gave up waiting")
            }
            usleep(50_000)
        }
        return CreateLock(fd: fd)
    }
}
