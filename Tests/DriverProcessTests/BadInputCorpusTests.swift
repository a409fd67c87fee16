import CloudEmulators
import TMCloudKit
import TMCloudTransport
import ProcessRunner
import TMCloudTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every case of `Tests/Corpus/bad-input.cases` against the real binary: each one
/// must fail with its exit status and words on one stderr line, print nothing on
/// stdout, finish before its deadline, and never show the secret planted in cred2.
@Suite struct BadInputCorpusTests {
    static let cases: [CorpusCase] = {
        let path = RepositoryPaths.root + "/Tests/Corpus/bad-input.cases"
        guard let text = try? ProcessRunnerShim.cat(path) else { return [] }
        return CorpusCase.parse(String(decoding: text, as: UTF8.self))
    }()

    @Test func corpusIsLargeAndNamesAreUnique() {
        #expect(Self.cases.count >= 60, "only \(Self.cases.count) cases")
        #expect(Set(Self.cases.map(\.name)).count == Self.cases.count)
    }

    @Test(arguments: cases) func badInput(_ c: CorpusCase) throws {
        let home = ZeusHomeFixture()
        var server: ScriptedServer?
        defer { server?.stop() }
        var url = "http://127.0.0.1:9"
        if c.server != nil {
            let s = try ScriptedServer(response: c.response(), delivery: c.delivery, certificate: c.tls)
            server = s
            url = s.baseURL
        }
        let fill = { (text: String) in
            text.replacingAll("{URL}", with: url).replacingAll("{HOME}", with: home.path)
                .replacingAll("{SECRET}", with: CorpusCase.secret)
                .replacingAll("{CA}", with: TestCertificates.path("ca.pem"))
        }
        let credsPath = home.path + "/zxtm/conf/cloudcredentials/pool"
        let configPath = home.extraDirectory + "/pool.cfg"
        switch c.credsFile {
        case "absent": break
        case "directory": mkdir(credsPath, 0o755)
        case "huge": home.write(credsPath, "cred1 pool.cfg\ncred2 {SECRET}\n".replacingAll("{SECRET}", with: CorpusCase.secret) + String(repeating: "# padding\n", count: 8000))
        default: writeBytes(credsPath, Array(fill(c.creds).utf8Bytes))
        }
        if c.credsFile == "unreadable" { chmod(credsPath, 0) }
        switch c.configFile {
        case "absent": break
        case "directory": mkdir(configPath, 0o755)
        case "huge": home.write(configPath, fill(c.config ?? c.defaultConfig) + String(repeating: "# padding\n", count: 120_000))
        default: writeBytes(configPath, Array(fill(c.config ?? c.defaultConfig).utf8Bytes))
        }
        // argv is text: an escaped byte reaches the driver as itself where it is valid UTF-8.
        let arguments = c.arguments.map { String(decoding: fill($0).utf8Bytes, as: UTF8.self) }
        let started = monotonicSeconds()
        let run: DriverRun
        if c.runAsNobody && geteuid() == 0 {
            // root reads any file: run as nobody so that a permission error is real.
            chmod(home.path, 0o755)
            let env = ["ZEUSHOME": home.path, "PATH": "/usr/bin:/bin"]
            run = DriverRun.run(
                ["--reuid=65534", "--regid=65534", "--clear-groups", TMCloudBinary.path] + arguments,
                environment: env, timeout: c.deadline + 5, executable: "/usr/bin/setpriv")
        } else {
            run = home.run(arguments, timeout: c.deadline + 5)
        }
        let elapsed = monotonicSeconds() - started
        // TMCLOUD_CORPUS_PRINT=1 shows every case's line, for reading them all at once.
        if getenv("TMCLOUD_CORPUS_PRINT") != nil { print("corpus \(c.name): \(run.stderr)", terminator: "") }
        let context = "case \(c.name) (line \(c.line)): exit \(run.exitStatus) in \(Int(elapsed * 1000)) ms, stderr: \(run.stderr)"
        #expect(!run.timedOut && elapsed < c.deadline, "past its deadline: \(context)")
        #expect(run.exitStatus == c.exit, "\(context)")
        #expect(run.stdout.isEmpty, "stdout \(run.stdout.prefix(200)): \(context)")
        #expect(run.stderrLines.count == 1, "\(context)")
        #expect(run.stderr.hasPrefix("tmcloud: "), "\(context)")
        for words in c.stderrWords {
            #expect(run.stderr.contains(fill(words)), "missing '\(words)': \(context)")
        }
        #expect(!run.stderr.contains(CorpusCase.secret), "secret on stderr: \(context)")
        // Nothing the driver wrote under ZEUSHOME (logs, state) holds the secret either.
        let leaked = try ProcessRunner.run(
            "/bin/grep", arguments: ["-rlF", "--exclude-dir=cloudcredentials", CorpusCase.secret, home.path])
        #expect(leaked.stdoutText.isEmpty, "secret in \(leaked.stdoutText): \(context)")
        if let server, c.expectNoRequests {
            #expect(server.receivedRequests.isEmpty, "\(context)")
        }
    }

    func writeBytes(_ path: String, _ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot write \(path)")
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// One case of the bad-input corpus. The file is blocks separated by blank lines;
/// `#` lines are comments; each block is `case NAME` and `field: value` lines. Values
/// take the escapes \n \r \t \s (space) \\ and \xHH, and the placeholders {URL} (the
/// scripted server, HTTPS with `tls: CERTIFICATE`), {HOME} (ZEUSHOME), {SECRET} and {CA}.
struct CorpusCase: Sendable, CustomTestStringConvertible {
    static let secret = "MARKER-cred2-9d41e7"

    var name = ""
    var line = 0
    var arguments: [String] = []
    var creds = "cred1 pool.cfg\ncred2 {SECRET}\n"
    var credsFile = "text"
    var config: String?
    var configFile = "text"
    var server: String?
    var status = 200
    var headers: [(String, String)] = []
    var body: [UInt8] = []
    var bodyGenerator: String?
    var delivery = ScriptedServer.Delivery.whole
    var tls: String?
    var runAsNobody = false
    var expectNoRequests = false
    var deadline: Double = 25
    var exit: Int32 = -99
    var stderrWords: [String] = []

    var testDescription: String { name }

    /// The configuration when the case gives none: its provider pointed at {URL}.
    var defaultConfig: String {
        switch server {
        case "openstack":
            return "provider openstack\nauthURL {URL}/identity/v3\nusername tmcloud\nproject tmcloud\ntimeout 3\n"
        case "opsource":
            return "provider opsource\napiHost {URL}\nuser api\norgID org-1\nvlanID vlan-1\ntimeout 3\n"
        default:
            return "provider digitalocean\nregion lon1\napiHost {URL}\ntimeout 3\n"
        }
    }

    func response() -> CloudEmulators.HTTPResponse {
        var bytes = body
        switch bodyGenerator {
        case "50mb":
            bytes = Array("{\"droplets\":[".utf8) + [UInt8](repeating: 0x20, count: 50 << 20) + Array("]}".utf8)
        case "billion-laughs":
            var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol0 \"lollollollollollollollollollol\">\n"
            for i in 1...9 {
                xml += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i - 1);", count: 10) + "\">\n"
            }
            xml += "]>\n<ServersWithState xmlns=\"http://oec.api.opsource.net/schemas/server\"><serverWithState><name>&lol9;</name></serverWithState></ServersWithState>"
            bytes = Array(xml.utf8)
        case "deep-json":
            bytes = [UInt8](repeating: UInt8(ascii: "["), count: 200_000)
        case "deep-xml":
            bytes = Array(String(repeating: "<a>", count: 100_000).utf8)
        default:
            break
        }
        return CloudEmulators.HTTPResponse(status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: bytes)
    }

    static func parse(_ text: String) -> [CorpusCase] {
        var cases: [CorpusCase] = []
        var current: CorpusCase?
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if line.hasPrefix("#") { continue }
            if line.trimmingCharacters(in: " \t").isEmpty {
                if let c = current { cases.append(c) }
                current = nil
                continue
            }
            if line.hasPrefix("case ") {
                if let c = current { cases.append(c) }
                current = CorpusCase(name: String(line.dropFirst(5)), line: index + 1)
                continue
            }
            guard var c = current, let colon = line.firstIndex(of: ":") else {
                preconditionFailure("corpus line \(index + 1): expected 'case NAME' or 'field: value'")
            }
            let field = String(line[..<colon])
            var value = String(line[line.index(after: colon)...])
            if value.hasPrefix(" ") { value.removeFirst() }
            switch field {
            case "args": c.arguments = value.split(separator: " ").map { unescape(String($0)) }
            case "creds": c.creds = unescape(value)
            case "creds-file": c.credsFile = value; c.runAsNobody = c.runAsNobody || value == "unreadable"
            case "config": c.config = unescape(value)
            case "config-file": c.configFile = value
            case "server": c.server = value
            case "status": c.status = Int(value)!
            case "header":
                let parts = value.split(separator: ":", maxSplits: 1).map { String($0).trimmingCharacters(in: " ") }
                c.headers.append((parts[0], unescape(parts[1])))
            case "body": c.body = Array(unescape(value.replacingAll("{SECRET}", with: secret)).utf8Bytes)
            case "body-gen": c.bodyGenerator = value
            case "delivery": c.delivery = value == "partial" ? .partlyThenClose : .close
            case "tls": c.tls = value
            case "no-requests": c.expectNoRequests = value == "yes"
            case "deadline": c.deadline = Double(value)!
            case "exit": c.exit = Int32(value)!
            case "stderr": c.stderrWords.append(unescape(value))
            default: preconditionFailure("corpus line \(index + 1): unknown field \(field)")
            }
            current = c
        }
        if let c = current { cases.append(c) }
        return cases
    }

    /// Undoes the escapes; \xHH gives a raw byte, kept as a Latin-1 scalar that
    /// `utf8Bytes` turns back into that byte.
    static func unescape(_ text: String) -> String {
        var out = ""
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            guard c == "\\", let next = chars.popFirst() else {
                out.unicodeScalars.append(c)
                continue
            }
            switch next {
            case "n": out += "\n"
            case "r": out += "\r"
            case "t": out += "\t"
            case "s": out += " "
            case "0": out.unicodeScalars.append(Unicode.Scalar(UInt32(0xE000))!)
            case "x":
                let hex = String(String.UnicodeScalarView(chars.prefix(2)))
                chars = chars.dropFirst(2)
                out.unicodeScalars.append(Unicode.Scalar(0xE000 + UInt32(hex, radix: 16)!)!)
            default: out.unicodeScalars.append(next)
            }
        }
        return out
    }
}

fileprivate extension String {
    /// UTF-8, except that the private-use scalars U+E000...U+E0FF stand for raw bytes.
    var utf8Bytes: [UInt8] {
        var bytes: [UInt8] = []
        for scalar in unicodeScalars {
            if (0xE000...0xE0FF).contains(scalar.value) {
                bytes.append(UInt8(truncatingIfNeeded: scalar.value &- 0xE000))
            } else {
                bytes.append(contentsOf: Array(String(scalar).utf8))
            }
        }
        return bytes
    }
}
