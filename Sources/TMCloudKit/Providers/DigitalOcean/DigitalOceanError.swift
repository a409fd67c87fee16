import TMCloudJSON
import TMCloudTransport

/// DigitalOcean's error replies, turned into the driver's one error type.
///
/// The API answers every failure with `{"id": "not_found", "message": "...",
/// "request_id": "..."}`; the message is what an administrator needs to read, the id
/// says which kind of failure it was when the message is empty.
enum DigitalOceanError {
    /// The error for an unexpected reply: "listing droplets: HTTP 401: Unable to
    /// authenticate you.".
    static func from(_ response: HTTPResponse, while what: String) -> DriverError {
        var error = DriverError.cloud(status: response.status, message: message(of: response))
        error.message = "\(what): \(error.message)"
        return error
    }

    /// The cloud's own words for a failure, or a short excerpt of a body that is not
    /// DigitalOcean's JSON (a proxy's HTML page, say).
    static func message(of response: HTTPResponse) -> String {
        if let body = try? JSONParser.parse(response.body) {
            let message = body["message"]?.stringValue ?? ""
            let id = body["id"]?.stringValue ?? ""
            switch (message.isEmpty, id.isEmpty) {
            case (false, false): return "\(oneLine(message)) (\(oneLine(id)))"
            case (false, true): return oneLine(message)
            case (true, false): return oneLine(id)
            case (true, true): break
            }
        }
        let text = oneLine(response.bodyText)
        return text.count > 120 ? String(text.prefix(120)) + "…" : text
    }

    /// Whether the reply is the API's "this droplet has an action in progress" refusal,
    /// which clears by itself once the action completes.
    static func isBusy(_ response: HTTPResponse) -> Bool {
        guard response.status == 422 else { return false }
        let text = message(of: response).lowercased()
        return text.containsUTF8("pending") || text.containsUTF8("in progress") || text.containsUTF8("locked")
    }

    /// Text on one line, without control characters, for the one-line error report.
    private static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            out.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar)
        }
        return out.trimmingCharacters(in: " ")
    }
}
