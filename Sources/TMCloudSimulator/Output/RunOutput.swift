import Foundation

/// Writes a run's files into one folder: `summary.json`, `timeline.csv`, `events.log`,
/// `chart.svg`.
public enum RunOutput {
    public static let files = ["summary.json", "timeline.csv", "events.log", "chart.svg"]

    /// Writes every file and returns their paths.
    @discardableResult
    public static func write(_ result: SimulationResult, to directory: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let contents = [
            PrettyJSON.string(SummaryJSON.make(result)), TimelineCSV.render(result.timeline),
            EventLogWriter.render(result.events), SVGChart.render(result),
        ]
        var paths: [String] = []
        for (name, text) in zip(files, contents) {
            let path = (directory as NSString).appendingPathComponent(name)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        return paths
    }
}
