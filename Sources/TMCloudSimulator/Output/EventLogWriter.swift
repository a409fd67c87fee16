/// The event log as text, one event a line: `[HH:MM:SS] tag node: message`.
public enum EventLogWriter {
    public static func render(_ events: [EngineEvent]) -> String {
        events.map { $0.description + "\n" }.joined()
    }
}
