/// Matches path segments against patterns such as `droplets/*/actions`, where `*`
/// captures one segment. Returns the captures, or nil.
enum PathPattern {
    static func match(_ pattern: String, _ segments: [String]) -> [String]? {
        let parts = pattern.split(separator: "/").map(String.init)
        guard parts.count == segments.count else { return nil }
        var captures: [String] = []
        for (part, segment) in zip(parts, segments) {
            if part == "*" {
                captures.append(segment)
            } else if part != segment {
                return nil
            }
        }
        return captures
    }
}

/// A request's method and remaining path segments, to route with `on`.
struct RouteMatcher {
    let method: String
    let segments: [String]

    func on(_ method: String, _ pattern: String) -> [String]? {
        guard method == self.method else { return nil }
        return PathPattern.match(pattern, segments)
    }

    /// True when the path matches the pattern for some method (to answer 405 vs 404).
    func pathExists(_ patterns: [String]) -> Bool {
        patterns.contains { PathPattern.match($0, segments) != nil }
    }
}
