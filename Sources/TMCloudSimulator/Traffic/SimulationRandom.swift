import CloudEmulators

/// The simulator draws from the emulators' generator (SplitMix64), so that one `--seed`
/// repeats a whole run, traffic, decisions and cloud alike.
public typealias SimulationRandom = SeededRandom

#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) func _exp(_ x: Double) -> Double { Glibc.exp(x) }
@inline(__always) func _sin(_ x: Double) -> Double { Glibc.sin(x) }
#endif
