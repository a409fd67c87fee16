#if canImport(Glibc)
import Glibc
#endif

/// Small files the driver keeps in `$ZEUSHOME/zxtm/internal/` between runs, written
/// atomically with mode 0600 so that a reader never sees half a file and two Traffic
/// Managers running the driver at once cannot interleave their writes.
public enum StateFile {
    /// Replaces `path` with `bytes`: a private temporary file in the same folder,
    /// flushed, then renamed over the old one. With `modified`, the new file keeps that
    /// modification time (a file whose age means something, changed without renewing it).
    public static func write(_ bytes: [UInt8], to path: String, modified: timespec? = nil) throws(DriverError) {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        try makeDirectory(directory)
        var template = Array("\(path).XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw DriverError(.config, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let temporary = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        fchmod(fd, 0o600)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temporary)
                throw DriverError(.config, "cannot write \(path): \(reason)")
            }
            offset += n
        }
        if let modified {
            let times = [modified, modified]
            _ = times.withUnsafeBufferPointer { futimens(fd, $0.baseAddress) }
        }
        fsync(fd)
        close(fd)
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw DriverError(.config, "cannot write \(path): \(reason)")
        }
    }

    /// The file's bytes, or nil when it does not exist or cannot be read.
    public static func read(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        try? TextFile.read(path, limit: limit)
    }

    public static func remove(_ path: String) {
        unlink(path)
    }

    /// The file's modification time, or nil when it does not exist.
    public static func modified(_ path: String) -> timespec? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mtim
    }

    /// Sets the file's modification time to now, without writing it.
    public static func touch(_ path: String) {
        _ = utimensat(AT_FDCWD, path, nil, 0)
    }

    /// Runs `body` holding an advisory lock on `lockPath`, so that runs which read,
    /// change and write back one state file at the same moment do not lose each
    /// other's changes. The lock is held for a read and a write, so a wait beyond two
    /// seconds means a stuck process: `body` then runs unguarded rather than never.
    public static func locked<T>(_ lockPath: String, _ body: () throws(DriverError) -> T) throws(DriverError) -> T {
        try? makeDirectory(
            lockPath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return try body() }
        defer { close(fd) }
        var waited = 0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 && (errno == EWOULDBLOCK || errno == EINTR) && waited < 1000 {
            usleep(2000)
            waited += 1
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// Creates `path` and its parents (mode 0700) when missing.
    static func makeDirectory(_ path: String) throws(DriverError) {
        guard !path.isEmpty, !TextFile.exists(path) else { return }
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        try makeDirectory(parent)
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw DriverError(.config, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }
}
