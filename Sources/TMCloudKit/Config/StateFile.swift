#if canImport(Glibc)
import Glibc
#endif

/// Small files the driver keeps in `$ZEUSHOME/zxtm/internal/` between runs, written
/// atomically with mode 0600 so that a reader never sees half a file and two Traffic
/// Managers running the driver at once cannot interleave their writes.
public enum StateFile {
    /// Replaces `path` with `bytes`: a private temporary file in the same folder,
    /// flushed, then renamed over the old one.
    public static func write(_ bytes: [UInt8], to path: String) throws(DriverError) {
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
