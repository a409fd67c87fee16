#if canImport(Glibc)
import Glibc
#endif

/// Reads the small text files the driver is given (credentials, configuration, user
/// data), refusing what cannot be one: a directory, a binary file, a huge file.
public enum TextFile {
    /// Why a file could not be read, phrased to follow "<what> <path> ".
    public struct ReadError: Error, Sendable {
        public var reason: String
    }

    /// The file's bytes, or an error that says why not.
    public static func read(_ path: String, limit: Int = 1 << 20) throws(ReadError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReadError(reason: reason(errno)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ReadError(reason: reason(errno)) }
        guard info.st_mode & S_IFMT != S_IFDIR else { throw ReadError(reason: "is a directory") }
        guard info.st_size <= limit else { throw ReadError(reason: "is larger than \(limit >> 10) KB") }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ReadError(reason: reason(errno))
            }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
            // A file that grows while read (or a device) is held to the same limit.
            guard bytes.count <= limit else { throw ReadError(reason: "is larger than \(limit >> 10) KB") }
        }
        return bytes
    }

    /// The file as text lines (LF or CRLF), refusing binary content.
    public static func lines(_ path: String, limit: Int = 1 << 20) throws(ReadError) -> [String] {
        try lines(bytes: read(path, limit: limit))
    }

    /// Bytes as text lines (LF or CRLF), refusing binary content.
    public static func lines(bytes: [UInt8]) throws(ReadError) -> [String] {
        guard !bytes.contains(0) else { throw ReadError(reason: "is not a text file") }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ReadError(reason: "is not UTF-8 text")
        }
        // Split on bytes: Swift reads "\r\n" as one character, which a split on "\n" misses.
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            String(decoding: line.last == 0x0D ? line.dropLast() : line, as: UTF8.self)
        }
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    public static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    private static func reason(_ code: Int32) -> String {
        switch code {
        case ENOENT: return "does not exist"
        case EACCES, EPERM: return "cannot be read (permission denied)"
        case ENOTDIR: return "does not exist (a parent is not a directory)"
        case EISDIR: return "is a directory"
        case ELOOP: return "cannot be read (too many symbolic links)"
        default: return "cannot be read (\(String(cString: strerror(code))))"
        }
    }
}
