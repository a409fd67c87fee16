/// A chart of a run, written as SVG by hand: offered load, nodes (counted, in pool, with
/// min_nodes/max_nodes), and the conforming percentage with the scale_up_level and
/// scale_down_level thresholds.
public enum SVGChart {
    static let width = 1100.0
    static let left = 70.0
    static let right = 30.0
    static var plotWidth: Double { width - left - right }

    struct Panel {
        var top: Double
        var height: Double
        var maximum: Double
        func y(_ value: Double) -> Double { top + height - height * min(max(value / maximum, 0), 1) }
    }

    public static func render(_ r: SimulationResult) -> String {
        let rows = r.timeline
        let s = r.scenario.settings
        let duration = max(r.simulatedSeconds, rows.last?.time ?? 1, 1)
        func x(_ t: Double) -> Double { left + plotWidth * t / duration }

        let peakRPS = rows.map(\.rps).max() ?? 1
        let load = Panel(top: 80, height: 170, maximum: niceCeiling(peakRPS * 1.1))
        let nodeMax = Double(max(s.maxNodes, rows.map { $0.active + $0.pending }.max() ?? 0) + 1)
        let nodes = Panel(top: 300, height: 150, maximum: nodeMax)
        let compliance = Panel(top: 500, height: 170, maximum: 100)

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(n(width))" height="740" viewBox="0 0 \(n(width)) 740" \
            font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(n(left))" y="26" font-size="16" font-weight="bold">\(escape("tmcloud-sim: \(r.scenario.name) on \(r.cloudName)"))</text>
            <text x="\(n(left))" y="46" fill="#555">\(escape(caption(r)))</text>

            """
        for (panel, title) in [(load, "offered load (req/s)"), (nodes, "nodes"), (compliance, "conforming responses (%)")] {
            svg += frame(panel, title: title)
        }
        // Hour grid and labels.
        let step = gridStep(duration)
        var tick = 0.0
        while tick <= duration {
            let gx = n(x(tick))
            for panel in [load, nodes, compliance] {
                svg += "<line x1=\"\(gx)\" y1=\"\(n(panel.top))\" x2=\"\(gx)\" y2=\"\(n(panel.top + panel.height))\" stroke=\"#eee\"/>\n"
            }
            svg += "<text x=\"\(gx)\" y=\"692\" text-anchor=\"middle\" fill=\"#555\">\(SimTime.clock(tick).dropLast(3))</text>\n"
            tick += step
        }
        svg += "<text x=\"\(n(left + plotWidth / 2))\" y=\"715\" text-anchor=\"middle\" fill=\"#555\">simulated time</text>\n"

        // Load.
        svg += axisLabels(load, format: { n($0) })
        svg += polyline(rows.map { (x($0.time), load.y($0.rps)) }, stroke: "#1f77b4", id: "load")

        // Nodes: counted (pending + active) and in pool, as steps; bounds dashed.
        svg += axisLabels(nodes, format: { n($0) }, count: Int(nodeMax))
        svg += hline(nodes, Double(s.maxNodes), x: left, color: "#999", id: "max-nodes", label: "max_nodes \(s.maxNodes)")
        if s.minNodes > 0 {
            svg += hline(nodes, Double(s.minNodes), x: left, color: "#999", id: "min-nodes", label: "min_nodes \(s.minNodes)")
        }
        // In-pool drawn wide underneath, so that the counted line shows where they differ.
        svg += polyline(
            steps(rows.map { (x($0.time), nodes.y(Double($0.inPool))) }), stroke: "#2ca02c", id: "nodes-in-pool", width: 4)
        svg += polyline(
            steps(rows.map { (x($0.time), nodes.y(Double($0.active + $0.pending))) }), stroke: "#ff7f0e", id: "nodes-counted")
        for row in rows where !row.decisions.isEmpty {
            let grow = row.decisions.hasPrefix("create")
            let cy = nodes.y(Double(row.active + row.pending))
            svg += "<circle cx=\"\(n(x(row.time)))\" cy=\"\(n(cy))\" r=\"3\" fill=\"\(grow ? "#d62728" : "#9467bd")\"/>\n"
        }
        svg += legend(nodes, [("#ff7f0e", "pending + active"), ("#2ca02c", "in pool"), ("#d62728", "createnode"), ("#9467bd", "destroynode")])

        // Compliance with both thresholds.
        svg += axisLabels(compliance, format: { n($0) })
        svg += hline(
            compliance, s.scaleDownLevel, x: left, color: "#2ca02c", id: "scale-down-level",
            label: "scale_down_level \(n(s.scaleDownLevel))%")
        svg += hline(
            compliance, s.scaleUpLevel, x: left, color: "#d62728", id: "scale-up-level",
            label: "scale_up_level \(n(s.scaleUpLevel))%")
        svg += polyline(rows.map { (x($0.time), compliance.y($0.servedWithinTarget)) }, stroke: "#333", id: "compliance")
        svg += "</svg>\n"
        return svg
    }

    static func caption(_ r: SimulationResult) -> String {
        let share = TimelineCSV.fixed(100 * r.shareWithinTarget, 2)
        let hours = TimelineCSV.fixed(r.nodeHours, 1)
        return "\(share)% of requests within \(n(r.scenario.settings.responseTime)) ms, \(hours) node-hours, "
            + "\(r.nodesCreated) created, \(r.nodesDestroyed) destroyed, seed \(r.scenario.seed)"
    }

    static func frame(_ p: Panel, title: String) -> String {
        "<rect x=\"\(n(left))\" y=\"\(n(p.top))\" width=\"\(n(plotWidth))\" height=\"\(n(p.height))\" fill=\"none\" stroke=\"#999\"/>\n"
            + "<text x=\"\(n(left))\" y=\"\(n(p.top - 8))\" font-weight=\"bold\">\(escape(title))</text>\n"
    }

    static func axisLabels(_ p: Panel, format: (Double) -> String, count: Int = 4) -> String {
        var out = ""
        let steps = max(1, count)
        for i in 0...steps {
            let value = p.maximum * Double(i) / Double(steps)
            out += "<text x=\"\(n(left - 6))\" y=\"\(n(p.y(value) + 4))\" text-anchor=\"end\" fill=\"#555\">\(format(value))</text>\n"
        }
        return out
    }

    static func hline(_ p: Panel, _ value: Double, x: Double, color: String, id: String, label: String) -> String {
        let y = n(p.y(value))
        return "<line id=\"\(id)\" x1=\"\(n(left))\" y1=\"\(y)\" x2=\"\(n(left + plotWidth))\" y2=\"\(y)\" stroke=\"\(color)\" stroke-dasharray=\"6 4\"/>\n"
            + "<text x=\"\(n(left + plotWidth - 4))\" y=\"\(n(p.y(value) - 4))\" text-anchor=\"end\" fill=\"\(color)\">\(escape(label))</text>\n"
    }

    static func polyline(_ points: [(Double, Double)], stroke: String, id: String, width: Double = 1.5) -> String {
        guard !points.isEmpty else { return "" }
        let text = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        return "<polyline id=\"\(id)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\" points=\"\(text)\"/>\n"
    }

    /// Turns a series into horizontal-then-vertical steps.
    static func steps(_ points: [(Double, Double)]) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        for point in points {
            if let last = out.last, last.1 != point.1 { out.append((point.0, last.1)) }
            out.append(point)
        }
        return out
    }

    static func legend(_ p: Panel, _ items: [(String, String)]) -> String {
        var out = ""
        var lx = left + 8
        for (color, label) in items {
            out += "<rect x=\"\(n(lx))\" y=\"\(n(p.top + 8))\" width=\"10\" height=\"10\" fill=\"\(color)\"/>\n"
            out += "<text x=\"\(n(lx + 14))\" y=\"\(n(p.top + 17))\">\(escape(label))</text>\n"
            lx += 28 + Double(label.count) * 6.5
        }
        return out
    }

    static func gridStep(_ duration: Double) -> Double {
        for step in [60.0, 300, 600, 1800, 3600, 7200, 10800, 21600, 43200, 86400] where duration / step <= 12 {
            return step
        }
        return 86400 * ((duration / 86400 / 12).rounded(.up))
    }

    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        var magnitude = 1.0
        while magnitude * 10 <= value { magnitude *= 10 }
        for factor in [1.0, 2, 2.5, 5, 10] where factor * magnitude >= value { return factor * magnitude }
        return 10 * magnitude
    }

    /// A coordinate or label number with at most one decimal.
    static func n(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : TimelineCSV.fixed(rounded, 1)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
