extension DigitalOceanEmulator {
    /// Counts one request against `token`'s sliding window and returns the headers
    /// for the reply, and whether the budget was already spent.
    func rateLimitHeaders(
        _ state: inout DOState, token: String, now: Double, counting: Bool
    ) -> (headers: [(name: String, value: String)], exhausted: Bool, retryAfter: Int) {
        let (limit, window) = options.withLock { ($0.rateLimit, $0.rateLimitWindow) }
        var times = state.rateWindows[token, default: []].filter { $0 > now - window }
        let exhausted = times.count >= limit
        if counting && !exhausted { times.append(now) }
        state.rateWindows[token] = times
        let oldest = times.first ?? now
        let reset = Int((oldest + window).rounded(.up))
        let retryAfter = max(1, Int((oldest + window - now).rounded(.up)))
        let headers: [(name: String, value: String)] = [
            ("ratelimit-limit", String(limit)),
            ("ratelimit-remaining", String(max(0, limit - times.count))),
            ("ratelimit-reset", String(reset)),
        ]
        return (headers, exhausted, retryAfter)
    }
}
