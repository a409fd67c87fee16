// Provider tests: one group of files per cloud, each against its emulated cloud over
// loopback HTTP, plus scripted replies for what an emulator cannot produce.
import TMCloudTransport

/// Answers each request with what the script says and keeps the requests: for replies
/// no emulator gives (a next-page link that repeats, an HTML page from a proxy).
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    var script: (HTTPRequest) -> HTTPResponse
    private(set) var requests: [HTTPRequest] = []

    init(_ script: @escaping (HTTPRequest) -> HTTPResponse) { self.script = script }

    func send(_ request: HTTPRequest, timeout: Double) throws(TransportError) -> HTTPResponse {
        requests.append(request)
        return script(request)
    }
}
