import TMCloudKit

#if canImport(Glibc)
import Glibc
#endif

// The Traffic Manager runs this as a fresh process for every poll and change.
// A closed pipe must become an error line, not a silent death.
signal(SIGPIPE, SIG_IGN)

/// Writes all of `text` to `fd`, retrying short writes; false when it could not. The
/// reply is written from the string's own storage (a 1,000-node reply is 240 KB).
func writeAll(_ text: String, to fd: Int32) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += n
        }
        return true
    }
}

// Split at the first '=' as bytes: searching a String for a Character walks
// grapheme clusters, a few thousand instructions per variable.
var environment: [String: String] = [:]
var entry = environ
while let pointer = entry.pointee {
    if let eq = strchr(pointer, 0x3D) {
        let key = String(decoding: UnsafeRawBufferPointer(start: pointer, count: eq - pointer), as: UTF8.self)
        environment[key] = String(cString: eq + 1)
    }
    entry += 1
}

let outcome = Driver.run(arguments: Array(CommandLine.arguments.dropFirst()), environment: environment) { line in
    _ = writeAll(line + "\n", to: 2)
}
// stdout is written in one piece, only once the action has succeeded.
if !outcome.stdout.isEmpty && !writeAll(outcome.stdout, to: 1) {
    _ = writeAll("tmcloud: cannot write the reply to stdout: \(String(cString: strerror(errno)))\n", to: 2)
    _exit(1)
}
// Everything is written with write(2), so nothing waits in a stdio buffer: _exit skips
// the exit handlers, where OpenSSL alone would spend half a million instructions
// freeing memory the kernel is about to take back.
_exit(outcome.exitStatus)
