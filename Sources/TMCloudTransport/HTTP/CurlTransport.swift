import CCurl

#if canImport(Glibc)
import Glibc
#endif

/// TLS trust for a transport.
public struct TLSOptions: Sendable, Equatable {
    /// A PEM bundle to trust instead of the system store.
    public var caFile: String?
    /// Skip certificate and host name verification. Never the default.
    public var insecure: Bool
    /// Where the system store is, when there is no caFile.
    public var systemStore: SystemTrustStore

    public init(caFile: String? = nil, insecure: Bool = false, systemStore: SystemTrustStore = .standard) {
        self.caFile = caFile
        self.insecure = insecure
        self.systemStore = systemStore
    }
}

/// The system's trust store: a hashed certificate directory, from which OpenSSL loads
/// only the issuer a connection needs (the 140-certificate bundle costs ~30 ms on every
/// run), else the first readable bundle of a list.
public struct SystemTrustStore: Sendable, Equatable {
    /// Used when it holds `ca-certificates.crt` and hashed links (`update-ca-certificates`).
    public var directory: String
    /// Read in order when the directory is not hashed.
    public var bundles: [String]

    public init(directory: String, bundles: [String]) {
        self.directory = directory
        self.bundles = bundles
    }

    /// The release driver carries its own libcurl, whose built-in default is Debian's
    /// bundle; these are where Debian and Ubuntu, RHEL and Fedora, SUSE, RHEL's
    /// extracted trust, and Alpine keep theirs.
    public static let standard = SystemTrustStore(
        directory: "/etc/ssl/certs",
        bundles: [
            "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
            "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem", "/etc/ssl/cert.pem",
        ])
}

/// HTTP over libcurl: one easy handle reused for every request of a run, so that a
/// second request to the same host reuses the connection and TLS session.
///
/// libcurl rather than FoundationNetworking: URLSession costs several milliseconds of
/// startup on every poll and has no way to name a CA file on Linux.
public final class CurlTransport: HTTPTransport {
    /// Replies larger than this are refused; the largest real one (a 200-droplet page)
    /// is about 1 MB.
    public static let defaultMaximumBodySize = 32 << 20

    /// Bytes libcurl reads from the connection at a time.
    static let receiveBufferSize = 100 << 10

    private static let globalInit: CURLcode = tmc_curl_global_init()

    /// libcurl's version and its TLS and zlib libraries' (`libcurl/7.88.1
    /// OpenSSL/3.0.19 zlib/1.2.13`): the release driver carries them inside it, so an
    /// administrator learns from `version --verbose` or `check` which fixes a build has.
    public static var libraryVersions: String { String(cString: curl_version()) }

    private let handle: UnsafeMutableRawPointer
    /// Drives the easy handle, so that a request can be under way while the caller
    /// works; it also keeps the run's connections for reuse.
    private let multi: UnsafeMutableRawPointer
    private let tls: TLSOptions
    private let maximumBodySize: Int
    private let userAgent: String
    /// A GET sent ahead by `prefetch`, whose reply the next `send` of the same request
    /// reads instead of sending it again.
    private var prefetched: Transfer?
    /// Looked at on the first HTTPS request only: plain HTTP never needs it.
    private lazy var useHashedDirectory: Bool =
        access(tls.systemStore.directory + "/ca-certificates.crt", F_OK) == 0
        && CurlTransport.hasHashedLinks(tls.systemStore.directory)
    /// The bundle to read when there is no hashed directory.
    private lazy var systemBundle: String? = tls.systemStore.bundles.first { access($0, R_OK) == 0 }

    /// Creates a transport.
    ///
    /// - Throws: `TransportError` (permanent) when libcurl cannot start or the CA file
    ///   cannot be read.
    public init(
        tls: TLSOptions = TLSOptions(), userAgent: String = "tmcloud",
        maximumBodySize: Int = CurlTransport.defaultMaximumBodySize
    ) throws(TransportError) {
        guard CurlTransport.globalInit == CURLE_OK, let h = curl_easy_init() else {
            throw TransportError(kind: .permanent, message: "libcurl could not be initialised")
        }
        guard let m = curl_multi_init() else {
            curl_easy_cleanup(h)
            throw TransportError(kind: .permanent, message: "libcurl could not be initialised")
        }
        if let caFile = tls.caFile, access(caFile, R_OK) != 0 {
            curl_multi_cleanup(m)
            curl_easy_cleanup(h)
            throw TransportError(kind: .permanent, message: "caFile \(caFile) cannot be read")
        }
        self.handle = h
        self.multi = m
        self.tls = tls
        self.userAgent = userAgent
        self.maximumBodySize = maximumBodySize
    }

    deinit {
        if prefetched != nil { curl_multi_remove_handle(multi, handle) }
        curl_multi_cleanup(multi)
        curl_easy_cleanup(handle)
    }

    public func send(_ request: HTTPRequest, timeout: Double) throws(TransportError) -> HTTPResponse {
        if let transfer = prefetched {
            prefetched = nil
            if transfer.request.sameExchange(as: request) { return try finish(transfer) }
            // Not what was sent ahead: its reply is dropped with its connection (the
            // handle leaves the multi handle before the transfer's buffers go).
            curl_multi_remove_handle(multi, handle)
            withExtendedLifetime(transfer) {}
        }
        return try finish(start(request, timeout: timeout))
    }

    /// Sends a GET now and leaves its reply to the next `send` of the same request,
    /// so that the server prepares it while the caller reads the previous page. Does
    /// nothing when the request cannot be started; `send` then sends it as usual.
    public func prefetch(_ request: HTTPRequest, timeout: Double) {
        guard request.method == .get, prefetched == nil, let transfer = try? start(request, timeout: timeout) else {
            return
        }
        // One turn puts the request on the wire when the connection is open already.
        var running: Int32 = 0
        _ = curl_multi_perform(multi, &running)
        prefetched = transfer
    }

    // MARK: - Transfers

    /// Sets the handle up for `request` and hands it to the multi handle.
    private func start(_ request: HTTPRequest, timeout: Double) throws(TransportError) -> Transfer {
        curl_easy_reset(handle)
        let transfer = Transfer(request, limit: maximumBodySize)
        try configure(request, timeout: timeout)
        for (name, value) in request.headers {
            transfer.headerList = curl_slist_append(transfer.headerList, "\(name): \(value)")
        }
        // No "Expect: 100-continue" round trip before a body.
        transfer.headerList = curl_slist_append(transfer.headerList, "Expect:")
        try check(tmc_curl_set_slist(handle, CURLOPT_HTTPHEADER, transfer.headerList), "headers")

        // The transfer outlives this call: the sink is held by it, and libcurl copies the body.
        let sink = Unmanaged.passUnretained(transfer.sink).toOpaque()
        _ = tmc_curl_set_pointer(handle, CURLOPT_ERRORBUFFER, transfer.errorBuffer)
        _ = tmc_curl_set_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        _ = tmc_curl_set_pointer(handle, CURLOPT_WRITEDATA, sink)
        _ = tmc_curl_set_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        _ = tmc_curl_set_pointer(handle, CURLOPT_HEADERDATA, sink)
        if request.method != .get {
            let body = request.body ?? []
            _ = tmc_curl_set_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            let code = body.withUnsafeBufferPointer { pointer in
                tmc_curl_set_pointer(
                    handle, CURLOPT_COPYPOSTFIELDS,
                    pointer.baseAddress.map { UnsafeMutableRawPointer(mutating: $0) } ?? emptyBody)
            }
            try check(code, "request body")
        }
        let added = curl_multi_add_handle(multi, handle)
        guard added == CURLM_OK else {
            throw TransportError(
                kind: .permanent, message: "libcurl could not start the request: \(String(cString: curl_multi_strerror(added)))")
        }
        return transfer
    }

    /// Runs the transfer to its end and reads the reply.
    private func finish(_ transfer: Transfer) throws(TransportError) -> HTTPResponse {
        var running: Int32 = 1
        var code = CURLE_OK
        while true {
            let performed = curl_multi_perform(multi, &running)
            guard performed == CURLM_OK else {
                curl_multi_remove_handle(multi, handle)
                throw TransportError(
                    kind: .maybeSent, message: "libcurl failed: \(String(cString: curl_multi_strerror(performed)))")
            }
            if running == 0 { break }
            // libcurl shortens the wait to its own next timeout (CURLOPT_TIMEOUT_MS included).
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            if message.pointee.msg == CURLMSG_DONE { code = message.pointee.data.result }
        }
        curl_multi_remove_handle(multi, handle)
        let duration = ProcessClock.seconds() - transfer.started

        guard code == CURLE_OK else {
            throw transportError(code, detail: transfer.errorMessage, sink: transfer.sink, url: transfer.request.url)
        }
        var status = 0
        _ = tmc_curl_get_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: transfer.sink.headers, body: transfer.sink.body, duration: duration)
    }

    // MARK: - Options

    private func configure(_ request: HTTPRequest, timeout: Double) throws(TransportError) {
        try check(tmc_curl_set_string(handle, CURLOPT_URL, request.url), "URL")
        // Only HTTP(S), also after a redirect (which is not followed anyway).
        try check(tmc_curl_set_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "protocols")
        try check(tmc_curl_set_long(handle, CURLOPT_FOLLOWLOCATION, 0), "redirects")
        _ = tmc_curl_set_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = tmc_curl_set_string(handle, CURLOPT_USERAGENT, userAgent)
        _ = tmc_curl_set_string(handle, CURLOPT_ACCEPT_ENCODING, "")
        // Replies are read 100 KB at a time, as the curl tool reads them, rather than
        // libcurl's default 16 KB: a 1,000-server page comes in 15 reads instead of 90.
        _ = tmc_curl_set_long(handle, CURLOPT_BUFFERSIZE, CurlTransport.receiveBufferSize)
        let timeoutMs = max(1, Int(timeout * 1000))
        _ = tmc_curl_set_long(handle, CURLOPT_TIMEOUT_MS, timeoutMs)
        _ = tmc_curl_set_long(handle, CURLOPT_CONNECTTIMEOUT_MS, min(timeoutMs, 10_000))

        switch request.method {
        case .get: _ = tmc_curl_set_long(handle, CURLOPT_HTTPGET, 1)
        case .post: _ = tmc_curl_set_long(handle, CURLOPT_POST, 1)
        case .put, .delete:
            _ = tmc_curl_set_long(handle, CURLOPT_POST, 1)
            _ = tmc_curl_set_string(handle, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }

        // Security options are checked: an old libcurl answers CURLE_UNKNOWN_OPTION.
        if tls.insecure {
            try check(tmc_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 0), "TLS verification")
            try check(tmc_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 0), "TLS verification")
        } else {
            try check(tmc_curl_set_long(handle, CURLOPT_SSL_VERIFYPEER, 1), "TLS verification")
            try check(tmc_curl_set_long(handle, CURLOPT_SSL_VERIFYHOST, 2), "TLS verification")
            if let caFile = tls.caFile {
                try check(tmc_curl_set_string(handle, CURLOPT_CAINFO, caFile), "caFile")
                _ = tmc_curl_set_pointer(handle, CURLOPT_CAPATH, nil)
            } else if request.url.utf8.starts(with: "https:".utf8) {
                if useHashedDirectory {
                    try check(
                        tmc_curl_set_string(handle, CURLOPT_CAPATH, tls.systemStore.directory), "CA path")
                    _ = tmc_curl_set_pointer(handle, CURLOPT_CAINFO, nil)
                } else if let bundle = systemBundle {
                    try check(tmc_curl_set_string(handle, CURLOPT_CAINFO, bundle), "CA bundle")
                    _ = tmc_curl_set_pointer(handle, CURLOPT_CAPATH, nil)
                } else {
                    throw TransportError(
                        kind: .permanent,
                        message: "no CA store on this system (no hashed \(tls.systemStore.directory) and no CA bundle "
                            + "where distributions keep one): install ca-certificates, or name a CA bundle in caFile")
                }
            }
        }
    }

    private func check(_ code: CURLcode, _ what: String) throws(TransportError) {
        guard code == CURLE_OK else {
            throw TransportError(
                kind: .permanent,
                message: "libcurl refused the \(what) setting: \(String(cString: curl_easy_strerror(code)))",
                code: Int(code.rawValue))
        }
    }

    private func transportError(_ code: CURLcode, detail: String, sink: ResponseSink, url: String) -> TransportError {
        var text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        if code == CURLE_PEER_FAILED_VERIFICATION {
            // Say whose certificate, and the two ways out.
            let origin = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false).prefix(3)
                .joined(separator: "/")
            text += " (the certificate of \(origin) is not trusted: fix it, or give the CA that signed it in caFile)"
        }
        var sentBytes = 0
        _ = tmc_curl_get_long(handle, CURLINFO_REQUEST_SIZE, &sentBytes)
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT, CURLE_SSL_CONNECT_ERROR:
            kind = .notSent
        case CURLE_OPERATION_TIMEDOUT, CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE,
            CURLE_HTTP2, CURLE_HTTP2_STREAM:
            kind = sentBytes == 0 ? .notSent : .maybeSent
        case CURLE_WRITE_ERROR where sink.overflowed:
            return TransportError(
                kind: .permanent, message: "reply larger than \(maximumBodySize >> 20) MB refused",
                code: Int(code.rawValue))
        default:
            kind = .permanent
        }
        return TransportError(kind: kind, message: text, code: Int(code.rawValue))
    }

    /// Whether the directory holds OpenSSL's hash links (`xxxxxxxx.0`). Reads the
    /// names as bytes: the directory has hundreds of entries.
    private static func hasHashedLinks(_ directory: String) -> Bool {
        guard let dir = opendir(directory) else { return false }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let isHashLink = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name.count > 10 && name[10] == 0 && name[8] == UInt8(ascii: ".") && name[9] == UInt8(ascii: "0")
                    && !name[0..<8].contains(0)
            }
            if isHashLink { return true }
        }
        return false
    }
}

/// A zero-length body that libcurl can point at.
nonisolated(unsafe) private let emptyBody = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 1)

/// One request under way: what libcurl writes into, alive until its reply is read.
private final class Transfer {
    let request: HTTPRequest
    let sink: ResponseSink
    var headerList: UnsafeMutablePointer<curl_slist>?
    let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    let started = ProcessClock.seconds()

    init(_ request: HTTPRequest, limit: Int) {
        self.request = request
        sink = ResponseSink(limit: limit)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    var errorMessage: String { String(cString: errorBuffer) }
}

/// Collects one reply's headers and body; used on the calling thread only.
private final class ResponseSink {
    var headers: [String: String] = [:]
    var body: [UInt8] = []
    var overflowed = false
    let limit: Int

    init(limit: Int) { self.limit = limit }
}

private let curlWriteBody: tmc_curl_data_cb = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    if sink.body.count + length > sink.limit {
        sink.overflowed = true
        return 0
    }
    pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
        sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
    }
    return length
}

private let curlWriteHeader: tmc_curl_data_cb = { pointer, size, count, userdata in
    guard let pointer, let userdata else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
    let length = size * count
    let line = pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }
    if line.hasPrefix("HTTP/") {
        // A new status line (after a 100 Continue, say): earlier headers were not the reply's.
        sink.headers.removeAll()
    } else if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].lowercased()
        let value = line[line.index(after: colon)...].trimmingSpaces()
        sink.headers[name] = value
        // The body's size, when announced, is allocated once rather than doubled up to it.
        if name == "content-length", let size = Int(value), size > 0, size <= sink.limit {
            sink.body.reserveCapacity(size)
        }
    }
    return length
}

extension Substring {
    func trimmingSpaces() -> String {
        // "\r\n" is one Character (a grapheme cluster), distinct from "\r" and "\n".
        func isSpace(_ c: Character) -> Bool { c == " " || c == "\t" || c == "\r" || c == "\n" || c == "\r\n" }
        var s = self[...]
        while let f = s.first, isSpace(f) { s = s.dropFirst() }
        while let l = s.last, isSpace(l) { s = s.dropLast() }
        return String(s)
    }
}

/// Monotonic time for durations and deadlines.
public enum ProcessClock {
    public static func seconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}
