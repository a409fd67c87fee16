import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C during a run ends it early but still tears down: against a real account an
/// abandoned run would leave servers running. A second Ctrl-C stops at once.
enum Interruption {
    private static let requested = Atomic<Bool>(false)

    static var isRequested: Bool { requested.load(ordering: .relaxed) }

    static func install() {
        signal(SIGINT) { _ in
            Interruption.requested.store(true, ordering: .relaxed)
            signal(SIGINT, SIG_DFL)
        }
    }
}
