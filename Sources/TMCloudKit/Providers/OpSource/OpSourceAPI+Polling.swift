import TMCloudTransport

extension OpSourceAPI {
    /// Looks at a server, with growing pauses, until `done` holds or `budget` seconds
    /// (never beyond the deadline) pass; the last look is returned either way.
    func wait(
        for id: String, budget: Double, until done: (OpSourceServer?) -> Bool
    ) throws(DriverError) -> (server: OpSourceServer?, done: Bool) {
        var poll = poller(budget: budget)
        while true {
            let server = try server(id: id)
            if done(server) { return (server, true) }
            guard poll.next() else { return (server, false) }
        }
    }

    /// Pauses for a wait of at most `budget` seconds, ending 5 s before the deadline.
    func poller(budget: Double) -> Poller {
        let clock = context.client.clock
        return Poller(
            clock: clock, giveUp: clock.now() + min(budget, context.client.remainingTime - 5), wait: firstPollInterval,
            longest: pollInterval)
    }

    /// Sleeps between looks with a growing interval, until the time allowed is over.
    struct Poller {
        let clock: any RetryClock
        let giveUp: Double
        var wait: Double
        let longest: Double

        /// Sleeps and returns true, or returns false when there is no time for another look.
        mutating func next() -> Bool {
            guard clock.now() + wait < giveUp else { return false }
            clock.sleep(wait)
            wait = min(longest, wait * 1.5)
            return true
        }
    }
}
