/// The timeline as CSV, one row per timeline interval.
public enum TimelineCSV {
    public static let header =
        "time,clock,rps,compliance,within_target,nodes_active,nodes_pending,nodes_in_pool,decisions"

    public static func render(_ rows: [TimelineRow]) -> String {
        var out = header + "\n"
        for row in rows {
            let fields = [
                String(Int(row.time)), SimTime.clock(row.time), fixed(row.rps, 1), fixed(row.compliance, 1),
                fixed(row.servedWithinTarget, 1), String(row.active), String(row.pending), String(row.inPool),
                quote(row.decisions),
            ]
            out += fields.joined(separator: ",") + "\n"
        }
        return out
    }

    /// `value` with `digits` decimals, without Foundation's formatter.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled) - whole * Int(scale)
        var text = (value < 0 && scaled > 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let f = String(fraction)
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text
    }

    static func quote(_ field: String) -> String {
        guard field.contains(",") || field.contains("\"") || field.contains("\n") else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
