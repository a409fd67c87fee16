import TMCloudJSON

extension HTTPRequest {
    /// The body as a JSON object, or nil when absent or not an object.
    var jsonObject: JSONObject? {
        guard !body.isEmpty, let value = try? JSONParser.parse(body) else { return nil }
        return value.objectValue
    }
}

extension JSONValue {
    /// An array of strings from a JSON array (non-strings dropped).
    var stringArray: [String]? {
        arrayValue?.compactMap(\.stringValue)
    }

    static func strings(_ list: [String]) -> JSONValue { .array(list.map { .string($0) }) }
}

extension Int {
    var json: JSONValue { .int(Int64(self)) }
}
