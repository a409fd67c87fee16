#if canImport(Glibc)
import Glibc
#endif

/// Shows a run as it goes. On a terminal: a progress bar with a live status line, and
/// changes and problems printed above it. Otherwise: a plain line every simulated hour
/// (or tenth of the run) and problems only.
public final class ProgressDisplay: SimulationObserver {
    public let isTerminal: Bool
    private let write: (String) -> Void
    private var lastDraw = -1.0
    private var lastPlainStep = -1
    private var lineShown = false

    public init(isTerminal: Bool = isatty(STDOUT_FILENO) == 1, write: @escaping (String) -> Void = { print($0, terminator: "") }) {
        self.isTerminal = isTerminal
        self.write = write
    }

    public func progress(time: Double, of duration: Double, rps: Double, compliance: Double, counts: PoolCounts) {
        let fraction = duration > 0 ? min(1, time / duration) : 1
        let status =
            "\(SimTime.clock(time))  \(TimelineCSV.fixed(rps, 0)) req/s  \(TimelineCSV.fixed(compliance, 1))% conforming  "
            + "nodes \(counts.counted) (\(counts.pending) pending, \(counts.inPool) in pool)"
        if isTerminal {
            let now = ProcessClock.monotonic()
            guard now - lastDraw >= 0.1 || fraction >= 1 else { return }
            lastDraw = now
            let width = 30
            let filled = Int(Double(width) * fraction)
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            let percent = Int(fraction * 100)
            write("\r\u{1B}[2K[\(bar)] \(percent < 10 ? " " : "")\(percent)%  \(status)")
            lineShown = true
        } else {
            let stepLength = duration >= 36000 ? 3600 : max(60, duration / 10)
            let step = Int(time / stepLength)
            guard step > lastPlainStep else { return }
            lastPlainStep = step
            write("\(Int(fraction * 100))% \(status)\n")
        }
    }

    public func event(_ event: EngineEvent) {
        let notable: Bool
        switch event.tag {
        case .autoNodeCreationStarted, .autoNodeDestroyed, .autoNodeDisappeared: notable = isTerminal
        default: notable = event.tag.isWarning && event.tag != .hitRoof || isTerminal && event.tag == .hitRoof
        }
        guard notable else { return }
        if isTerminal && lineShown {
            write("\r\u{1B}[2K")
            lineShown = false
            lastDraw = -1
        }
        write(event.description + "\n")
    }

    /// Ends the live line before the final report.
    public func finish() {
        if isTerminal && lineShown { write("\n") }
        lineShown = false
    }
}
