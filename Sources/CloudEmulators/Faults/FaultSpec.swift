/// Reads fault plans from a small text spec, for the simulator's command line.
///
/// Clauses are separated by newlines or `;`; `#` starts a comment. A clause is
/// `seed=N`, or a cloud (`digitalocean`/`do`, `openstack`/`os`, `opsource`/`oec`, or
/// `all`), an optional route (`*`, `/path/prefix`, `METHOD:/path/prefix`) and settings:
///
///     seed=42
///     do * latency=0.01..0.05 error=0.1 statuses=500,503
///     do POST:/v2/droplets throttle=0.2 retryAfter=2
///     os /compute drop=0.05 dropAfterReply=0.01
///     oec * hang=0.01 hangFor=2
///     do boot=lognormal(20,0.5,5,120) buildFail=0.1
///
/// Rule settings: latency (seconds, `a..b` or `a`), error (share), statuses, throttle
/// (share), retryAfter (seconds), drop, dropAfterReply, hang (shares), hangFor
/// (seconds). Cloud settings: boot (`fixed(s)`, `uniform(min,max)`,
/// `lognormal(median,sigma,min,max)`) and buildFail (share).
public enum FaultSpec {
    public static let clouds = ["digitalocean", "openstack", "opsource"]

    public struct ParseError: Error, CustomStringConvertible {
        public var clause: String
        public var reason: String
        public var description: String { "fault spec: \(reason) in \"\(clause)\"" }
    }

    /// One plan per cloud (all three present, empty when not mentioned). Text that
    /// starts with `{` is read as the JSON form (see `clauses(fromJSON:)`).
    public static func parse(_ text: String) throws(ParseError) -> [String: FaultPlan] {
        if text.trimmingSpaces().hasPrefix("{") { return try parse(clauses(fromJSON: text).joined(separator: "\n")) }
        var plans = Dictionary(uniqueKeysWithValues: clouds.map { ($0, FaultPlan()) })
        let clauses = text.split(whereSeparator: { $0 == "\n" || $0 == ";" })
            .map { String($0.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").trimmingSpaces() }
            .filter { !$0.isEmpty }
        for clause in clauses {
            var tokens = clause.split(separator: " ").map(String.init).filter { !$0.isEmpty }
            if tokens.count == 1, tokens[0].hasPrefix("seed=") {
                guard let seed = UInt64(tokens[0].dropFirst(5)) else { throw ParseError(clause: clause, reason: "bad seed") }
                for cloud in clouds { plans[cloud]!.seed = seed }
                continue
            }
            let targets: [String]
            switch tokens.removeFirst().lowercased() {
            case "digitalocean", "do": targets = ["digitalocean"]
            case "openstack", "os": targets = ["openstack"]
            case "opsource", "oec": targets = ["opsource"]
            case "all", "*": targets = clouds
            case let other: throw ParseError(clause: clause, reason: "unknown cloud \(other)")
            }
            var rule = FaultRule()
            var hasRule = false
            if let first = tokens.first, !first.contains("=") {
                rule.route = RoutePattern(parsing: first)
                tokens.removeFirst()
            }
            var boot: BootTimeDistribution?
            var buildFail: Double?
            for token in tokens {
                let pair = token.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2 else { throw ParseError(clause: clause, reason: "expected key=value, got \(token)") }
                let (key, value) = (pair[0], pair[1])
                func share() throws(ParseError) -> Double {
                    guard let number = Double(value), number >= 0, number <= 1 else {
                        throw ParseError(clause: clause, reason: "\(key) must be a share between 0 and 1")
                    }
                    return number
                }
                func seconds() throws(ParseError) -> Double {
                    guard let number = Double(value), number >= 0 else {
                        throw ParseError(clause: clause, reason: "\(key) must be a number of seconds")
                    }
                    return number
                }
                switch key {
                case "latency":
                    let parts = value.contains("..") ? value.components(separatedBy: "..") : [value]
                    guard let low = Double(parts[0]), let high = Double(parts.last!), low >= 0, high >= low else {
                        throw ParseError(clause: clause, reason: "latency must be a..b seconds")
                    }
                    rule.latency = low...high
                    hasRule = true
                case "error": rule.errorShare = try share(); hasRule = true
                case "statuses":
                    let statuses = value.split(separator: ",").compactMap { Int($0) }
                    guard !statuses.isEmpty else { throw ParseError(clause: clause, reason: "statuses must be numbers") }
                    rule.errorStatuses = statuses
                case "throttle": rule.throttleShare = try share(); hasRule = true
                case "retryAfter": rule.retryAfterSeconds = Int(try seconds())
                case "drop": rule.dropShare = try share(); hasRule = true
                case "dropAfterReply": rule.dropAfterReplyShare = try share(); hasRule = true
                case "hang": rule.hangShare = try share(); hasRule = true
                case "hangFor": rule.hangSeconds = try seconds()
                case "boot": boot = try parseBoot(value, clause: clause)
                case "buildFail": buildFail = try share()
                default: throw ParseError(clause: clause, reason: "unknown setting \(key)")
                }
            }
            for cloud in targets {
                if hasRule { plans[cloud]!.rules.append(rule) }
                if let boot { plans[cloud]!.bootTime = boot }
                if let buildFail { plans[cloud]!.buildFailureShare = buildFail }
            }
        }
        return plans
    }

    /// The JSON form: `{"seed": 42, "clauses": [{"cloud": "do", "route": "POST:/v2/droplets",
    /// "throttle": 0.2, "retryAfter": 2}, {"cloud": "all", "boot": "uniform(5,30)"}]}`,
    /// with the same keys as the text form (`statuses` may be an array).
    static func clauses(fromJSON text: String) throws(ParseError) -> [String] {
        guard let root = try? JSONParser.parse(text), let object = root.objectValue else {
            throw ParseError(clause: text, reason: "invalid JSON")
        }
        var lines: [String] = []
        if let seed = object["seed"]?.scalarText { lines.append("seed=\(seed)") }
        for entry in object["clauses"]?.arrayValue ?? [] {
            guard let clause = entry.objectValue, let cloud = clause["cloud"]?.stringValue else {
                throw ParseError(clause: JSONWriter.string(entry), reason: "each clause needs a cloud")
            }
            var line = cloud + " " + (clause["route"]?.stringValue ?? "*")
            for (key, value) in clause.pairs where key != "cloud" && key != "route" {
                let rendered = value.arrayValue.map { $0.compactMap(\.scalarText).joined(separator: ",") } ?? value.scalarText ?? ""
                line += " \(key)=\(rendered.replacingOccurrences(of: " ", with: ""))"
            }
            lines.append(line)
        }
        return lines
    }

    private static func parseBoot(_ text: String, clause: String) throws(ParseError) -> BootTimeDistribution {
        guard let open = text.firstIndex(of: "("), text.hasSuffix(")") else {
            if let seconds = Double(text) { return .fixed(seconds) }
            throw ParseError(clause: clause, reason: "boot must be fixed(s), uniform(min,max) or lognormal(median,sigma,min,max)")
        }
        let name = text[..<open]
        let numbers = text[text.index(after: open)..<text.index(before: text.endIndex)]
            .split(separator: ",").compactMap { Double(String($0).trimmingSpaces()) }
        switch (name, numbers.count) {
        case ("fixed", 1): return .fixed(numbers[0])
        case ("uniform", 2) where numbers[0] <= numbers[1]: return .uniform(min: numbers[0], max: numbers[1])
        case ("lognormal", 4) where numbers[2] <= numbers[3]:
            return .lognormal(median: numbers[0], sigma: numbers[1], min: numbers[2], max: numbers[3])
        default:
            throw ParseError(clause: clause, reason: "bad boot distribution \(text)")
        }
    }
}

import Foundation
import TMCloudJSON
