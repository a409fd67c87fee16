#if canImport(Glibc)
import Glibc
#endif

extension Simulation {
    /// Destroys every node the run created (and, on a cloud of its own, every node with
    /// the pool's prefix), waits for the cloud to confirm, and checks what is left.
    func teardown(at end: Double) {
        let prefix = scenario.settings.name
        let pause = min(scenario.settings.updateInterval, 10)
        var t = end
        var destroyed: Set<String> = []
        for round in 0..<10 {
            // The first re-check comes at once (most clouds drop a node promptly); later
            // ones wait a little, and destroynode is issued again every third round.
            if round >= 2 {
                clock.advance(by: pause)
                t += pause
            }
            let listing = driver.status()
            if case .failure(let failure) = listing {
                // Every failed run is an event, the teardown's too.
                recordTeardown(EngineEvent(time: t, tag: failure.event(for: .status), message: "teardown: status: \(failure)"))
            }
            guard case .success(let listed) = listing else { continue }
            let ours = listed.filter { node in
                !node.isDestroyed && node.name.hasPrefix(prefix) && (ownsWholeCloud || createdNameSet.contains(node.name))
            }
            if ours.isEmpty { break }
            guard round % 3 == 0 else { continue }
            for node in ours {
                switch driver.destroyNode(uniqID: node.uniqID) {
                case .success:
                    destroyed.insert(node.uniqID)
                    recordTeardown(
                        EngineEvent(time: t, tag: .autoNodeDestroyed, node: node.name, message: "teardown: destroynode \(node.uniqID)"))
                case .failure(let failure):
                    recordTeardown(
                        EngineEvent(
                            time: t, tag: failure.event(for: .destroyNode), node: node.name,
                            message: "teardown: destroynode: \(failure)"))
                }
            }
        }
        // A deletion in progress is not a node left behind: let the cloud settle first
        // (a status run is what makes an emulator work out where its deletions stand).
        for _ in 0..<6 {
            guard let left = cloud.leftovers(prefix: prefix), !left.isEmpty else { break }
            clock.advance(by: pause)
            _ = driver.status()
        }
        var left = cloud.leftovers(prefix: prefix)
        if left == nil, case .success(let listed) = driver.status() {
            left = listed.filter { !$0.isDestroyed && createdNameSet.contains($0.name) }.map(\.name)
        }
        let remaining = (left ?? []).filter { ownsWholeCloud || createdNameSet.contains($0) }
        noteTeardown(destroyed: destroyed.count, leftovers: remaining)
        if !remaining.isEmpty {
            noteViolation("nodes left behind after teardown: \(remaining.sorted().joined(separator: ", "))")
        }
    }
}

/// Monotonic seconds for measuring the run's own wall time.
enum ProcessClock {
    static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
