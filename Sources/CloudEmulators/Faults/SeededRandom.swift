/// SplitMix64: a small, fast generator whose whole state is one word, so a seed
/// reproduces a run exactly (same faults, same ids, same boot times).
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in [0, 1).
    public mutating func unit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A standard normal variate (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 1e-12)
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Lowercase hex digits.
    mutating func hex(_ count: Int) -> String {
        var text = ""
        while text.count < count {
            let word = String(next(), radix: 16)
            text += String(repeating: "0", count: 16 - word.count) + word
        }
        return String(text.prefix(count))
    }

    /// A random (version 4 shaped) UUID string.
    mutating func uuid() -> String {
        let h = hex(32)
        func part(_ from: Int, _ length: Int) -> Substring {
            let start = h.index(h.startIndex, offsetBy: from)
            return h[start..<h.index(start, offsetBy: length)]
        }
        return "\(part(0, 8))-\(part(8, 4))-4\(part(13, 3))-a\(part(17, 3))-\(part(20, 12))"
    }

    /// Derives an independent stream, e.g. one per fault rule, from a seed and a label.
    static func derived(seed: UInt64, label: String) -> SeededRandom {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in label.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        var mixer = SeededRandom(seed: seed ^ hash)
        return SeededRandom(seed: mixer.next())
    }
}

import Glibc
