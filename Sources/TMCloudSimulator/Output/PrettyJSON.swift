import TMCloudJSON

/// JSON with two-space indentation, for files people read (the summary).
public enum PrettyJSON {
    public static func string(_ value: JSONValue) -> String {
        var out = ""
        write(value, indent: "", into: &out)
        return out + "\n"
    }

    private static func write(_ value: JSONValue, indent: String, into out: inout String) {
        let inner = indent + "  "
        switch value {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (n, item) in items.enumerated() {
                out += inner
                write(item, indent: inner, into: &out)
                out += n < items.count - 1 ? ",\n" : "\n"
            }
            out += indent + "]"
        case .object(let object) where !object.isEmpty:
            out += "{\n"
            let pairs = object.pairs
            for (n, pair) in pairs.enumerated() {
                out += inner + JSONWriter.quoted(pair.key) + ": "
                write(pair.value, indent: inner, into: &out)
                out += n < pairs.count - 1 ? ",\n" : "\n"
            }
            out += indent + "}"
        default:
            out += JSONWriter.string(value)
        }
    }
}
