import TMCloudTransport

/// The `<Status>` document (general namespace) that OEC 0.9 answers every operation
/// with, successful or not.
struct OpSourceStatus: Sendable, Equatable {
    var operation: String
    /// `SUCCESS` or `ERROR`.
    var result: String
    /// `REASON_0` on success; `REASON_392` for "operation in progress", and so on.
    var resultCode: String
    var resultDetail: String

    var succeeded: Bool { result.uppercased() == "SUCCESS" }

    /// Another operation is still running on the server: the request may be made again
    /// once it ends.
    var isOperationInProgress: Bool { resultCode == OpSourceAPI.operationInProgress }

    /// The Status held by `root`, or nil when it is some other document.
    init?(_ root: XMLElement) {
        guard root.matches("Status", ns: OpSourceNamespace.general) else { return nil }
        let ns = OpSourceNamespace.general
        operation = root.childText("operation", ns: ns) ?? ""
        result = root.childText("result", ns: ns) ?? ""
        resultCode = root.childText("resultCode", ns: ns) ?? ""
        resultDetail = root.childText("resultDetail", ns: ns) ?? ""
    }

    init(operation: String, result: String, resultCode: String, resultDetail: String) {
        self.operation = operation
        self.result = result
        self.resultCode = resultCode
        self.resultDetail = resultDetail
    }

    /// "REASON_392: Operation in progress on Server with Id 11 (Delete Server)".
    var summary: String {
        var text = resultCode.isEmpty ? result : resultCode
        if !resultDetail.isEmpty { text += text.isEmpty ? resultDetail : ": \(resultDetail)" }
        if !operation.isEmpty { text += " (\(operation))" }
        return text
    }
}

/// Turns OEC 0.9 error replies into the driver's errors.
enum OpSourceError {
    /// The error for a reply that is not a success: the Status's `resultCode` and
    /// `resultDetail` when the body holds one, else a word about the HTTP status.
    static func error(for response: HTTPResponse, user: String, doing what: String) -> DriverError {
        if let root = try? XMLDocumentParser.parse(response.body), let status = OpSourceStatus(root) {
            return error(for: status, httpStatus: response.status, doing: what)
        }
        switch response.status {
        case 401:
            return .cloud(status: 401, message: "the API refused user \(printable(user)) and the password in cred2")
        case 403:
            return .cloud(status: 403, message: "user \(printable(user)) may not \(what)")
        case 404:
            return .cloud(status: 404, message: "not found while trying to \(what) (check apiHost and orgID)")
        default:
            return .cloud(status: response.status, message: "\(what) failed\(bodyHint(response))")
        }
    }

    /// The error for a Status whose result is not SUCCESS.
    static func error(for status: OpSourceStatus, httpStatus: Int, doing what: String) -> DriverError {
        .cloud(status: httpStatus, message: "\(what): \(status.summary)")
    }

    /// A short, printable excerpt of a body that is not a Status (an HTML error page).
    private static func bodyHint(_ response: HTTPResponse) -> String {
        let text = printable(response.bodyText)
        guard !text.isEmpty, !text.hasPrefix("<") else { return "" }
        return ": " + String(text.prefix(160))
    }

    /// `text` on one line, without control characters.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
            .trimmingCharacters(in: " ")
    }
}
