#if canImport(Glibc)
import Glibc
#endif

/// Administrator passwords for new servers when `serverPassword` is not configured:
/// random, from /dev/urandom, never printed or kept. OEC asks for upper and lower case
/// letters, a digit and a symbol, so one of each is always present.
enum OpSourcePassword {
    static let length = 20
    static let classes: [[Character]] = [
        Array("ABCDEFGHJKLMNPQRSTUVWXYZ"), Array("abcdefghijkmnopqrstuvwxyz"), Array("23456789"), Array("!#%+-=_"),
    ]

    static func generate() throws(DriverError) -> String {
        var source = try RandomBytes()
        var characters: [Character] = []
        for set in classes { characters.append(set[try source.below(set.count)]) }
        let all = classes.flatMap { $0 }
        while characters.count < length { characters.append(all[try source.below(all.count)]) }
        // Shuffle, so that the required classes are not always in front.
        for i in stride(from: characters.count - 1, to: 0, by: -1) {
            characters.swapAt(i, try source.below(i + 1))
        }
        return String(characters)
    }

    /// Bytes from /dev/urandom, read in one go and handed out without modulo bias.
    private struct RandomBytes {
        var buffer: [UInt8] = []

        init() throws(DriverError) {
            try refill()
        }

        mutating func refill() throws(DriverError) {
            let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw DriverError(.config, "cannot open /dev/urandom for a server password") }
            defer { close(fd) }
            var bytes = [UInt8](repeating: 0, count: 256)
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw DriverError(.config, "cannot read /dev/urandom for a server password") }
            buffer = Array(bytes[0..<n])
        }

        /// A uniform number in 0..<bound (bound ≤ 256).
        mutating func below(_ bound: Int) throws(DriverError) -> Int {
            let limit = 256 - 256 % bound
            while true {
                if buffer.isEmpty { try refill() }
                let b = Int(buffer.removeLast())
                if b < limit { return b % bound }
            }
        }
    }
}
