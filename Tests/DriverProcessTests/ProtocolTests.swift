import CloudEmulators
import TMCloudJSON
import TMCloudTestSupport
import Testing

/// The driver run as the Traffic Manager runs it: a fresh process, a ZEUSHOME tree,
/// checked on stdout, stderr and exit status.
@Suite struct ProtocolTests {
    static let secret = "S3CRET-marker-7f3a"

    /// A tree with a credentials object whose config names no reachable cloud.
    func home(config: String = "provider digitalocean\nregion lon1\napiHost http://127.0.0.1:9\ntimeout 1\n") -> ZeusHomeFixture {
        let home = ZeusHomeFixture()
        home.addExtraFile("pool.cfg", config)
        home.addCredentials("pool", cred1: "pool.cfg", cred2: Self.secret)
        return home
    }

    /// Checks the failure contract: nothing on stdout, exactly one stderr line with the
    /// action and the words, the exit status, and never the secret.
    func expectFailure(
        _ run: DriverRun, exit: Int32, action: String, words: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(run.exitStatus == exit, "exit \(run.exitStatus): \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stdout.isEmpty, "stdout: \(run.stdout)", sourceLocation: sourceLocation)
        #expect(run.stderrLines.count == 1, "stderr: \(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.hasPrefix("tmcloud: \(action): "), "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(run.stderr.contains(words), "\(run.stderr)", sourceLocation: sourceLocation)
        #expect(!run.stderr.contains(Self.secret), sourceLocation: sourceLocation)
    }

    /// help and version print text and exit 0, without credentials.
    @Test func helpAndVersion() {
        let home = ZeusHomeFixture()
        let version = home.run(["version"])
        #expect(version.exitStatus == 0)
        #expect(version.stdout.hasPrefix("tmcloud "))
        #expect(version.stderr.isEmpty)
        // --verbose names the libcurl and OpenSSL inside, on stderr; stdout is the same.
        let verbose = home.run(["version", "--verbose"])
        #expect(verbose.stdout == version.stdout)
        #expect(verbose.stderr.hasPrefix("tmcloud: libcurl/") && verbose.stderr.contains(" OpenSSL/"), "\(verbose.stderr)")
        let help = home.run(["--action=HELP"])
        #expect(help.exitStatus == 0)
        #expect(help.stdout.contains("createnode"))
        #expect(help.stderr.isEmpty)
    }

    /// Unknown actions and missing arguments are usage errors (exit 2).
    @Test func usageErrors() {
        let home = home()
        expectFailure(home.run(["frobnicate", "--cloudcreds=pool"]), exit: 2, action: "frobnicate", words: "unknown action")
        expectFailure(home.run([]), exit: 2, action: "usage", words: "no action")
        expectFailure(home.run(["createnode", "--cloudcreds=pool", "--imageid=i"]), exit: 2, action: "createnode", words: "missing --name")
        expectFailure(home.run(["createnode", "--cloudcreds=pool", "--name=n"]), exit: 2, action: "createnode", words: "missing --imageid")
        expectFailure(home.run(["destroynode", "--cloudcreds=pool"]), exit: 2, action: "destroynode", words: "missing --id")
        expectFailure(home.run(["statusnode", "--cloudcreds=pool"]), exit: 2, action: "statusnode", words: "missing --id")
        expectFailure(home.run(["destroynode", "--cloudcreds=pool", "--id=../account"]), exit: 2, action: "destroynode", words: "may hold only")
        expectFailure(home.run(["status"]), exit: 2, action: "status", words: "no credentials")
        expectFailure(home.run(["status", "--cloudcreds=../../etc/passwd"]), exit: 2, action: "status", words: "not a path")
    }

    /// Credentials problems name the file and are configuration errors (exit 2).
    @Test func credentialErrors() {
        let home = home()
        expectFailure(home.run(["status", "--cloudcreds=nosuch"]), exit: 2, action: "status",
            words: "credentials file \(home.path)/zxtm/conf/cloudcredentials/nosuch does not exist")
        home.addCredentials("nocfg", cred1: "missing.cfg", cred2: Self.secret)
        expectFailure(home.run(["status", "--cloudcreds=nocfg"]), exit: 2, action: "status",
            words: "configuration file \(home.path)/zxtm/conf/extra/missing.cfg does not exist")
        home.write("zxtm/conf/cloudcredentials/empty2", "cred1 pool.cfg\ncred2\n")
        expectFailure(home.run(["status", "--cloudcreds=empty2"]), exit: 2, action: "status", words: "cred2 (the password or token) is missing or empty")
        home.addCredentials("escape", cred1: "../../../etc/passwd", cred2: Self.secret)
        expectFailure(home.run(["status", "--cloudcreds=escape"]), exit: 2, action: "status", words: "must be a bare file name or an absolute path")
        expectFailure(home.run(["status", "--cred1=pool.cfg", "--cred2="]), exit: 2, action: "status", words: "cred2")
    }

    /// An emulated DigitalOcean that accepts the test secret as its token.
    func cloud() throws -> DigitalOceanEmulator {
        var options = DigitalOceanEmulator.Options()
        options.tokens = [Self.secret]
        let emulator = DigitalOceanEmulator(options: options)
        _ = try emulator.start()
        return emulator
    }

    /// The credentials file tolerates comments, CRLF and extra keys; --cred overrides it.
    @Test func credentialsFileForms() throws {
        let cloud = try cloud()
        defer { cloud.stop() }
        let home = home(config: "provider digitalocean\r\nregion lon1\r\napiHost \(cloud.baseURL)\r\n")
        home.write("zxtm/conf/cloudcredentials/crlf", "# written on Windows\r\nscript tmcloud\r\ncred1\tbad.cfg\r\ncred2 \(Self.secret)\r\n\r\n")
        let run = home.run(["status", "--cloudcreds=crlf", "--cred1=pool.cfg"])
        #expect(run.exitStatus == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)
        #expect(run.json?["NodeStatusResponse"]?["code"] == 200)
    }

    /// Configuration errors name the file and line and suggest the key.
    @Test func configErrors() {
        let home = home(config: "provider digitalocean\nregoin lon1\n")
        expectFailure(home.run(["status", "--cloudcreds=pool"]), exit: 2, action: "status",
            words: "pool.cfg:2: unknown key 'regoin' (did you mean 'region'?)")
        home.addExtraFile("pool.cfg", "provider digitalocean\nregion lon1\nipv6 perhaps\n")
        expectFailure(home.run(["status", "--cloudcreds=pool"]), exit: 2, action: "status", words: "pool.cfg:3: ipv6 must be true or false")
        home.addExtraFile("pool.cfg", "user u\nvlanID v\napiHost not a host\n")
        expectFailure(home.run(["status", "--cloudcreds=pool"]), exit: 2, action: "status", words: "pool.cfg:3: apiHost")
        home.write("zxtm/conf/extra/pool.cfg", "provider digitalocean\nregion lon1\n\u{0}\u{1}\n")
        expectFailure(home.run(["status", "--cloudcreds=pool"]), exit: 2, action: "status", words: "is not a text file")
    }

    /// An unreachable cloud is a runtime failure (exit 1) that gives up within the deadline.
    @Test func unreachableCloud() {
        let home = home()
        let run = home.run(["status", "--cloudcreds=pool"], timeout: 40)
        expectFailure(run, exit: 1, action: "status", words: "gave up before the deadline: Failed to connect to 127.0.0.1 port 9")
        #expect(!run.timedOut)
    }

    /// --verbose writes diagnostics to stderr only, never the secret; unknown keys noted.
    @Test func verboseStaysOnStderr() {
        let home = home()
        let run = home.run(["status", "--cloudcreds=pool", "--verbose", "--extraargs=x", "--cred2=\(Self.secret)"])
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.contains("ignoring unknown argument --extraargs"))
        #expect(!run.stderr.contains(Self.secret))
        #expect(run.stderrLines.allSatisfy { $0.hasPrefix("tmcloud: ") })
    }

    /// The log file gets one line per action, without the secret.
    @Test func logFile() throws {
        let cloud = try cloud()
        defer { cloud.stop() }
        let home = home(config: "provider digitalocean\nregion lon1\napiHost \(cloud.baseURL)\nlogFile \(ZeusHomeFixture().path)/x\n")
        home.addExtraFile("pool.cfg", "provider digitalocean\nregion lon1\napiHost \(cloud.baseURL)\nlogFile tmcloud.log\n")
        #expect(home.run(["status", "--cloudcreds=pool"]).exitStatus == 0)
        _ = home.run(["frob", "--cloudcreds=pool"])
        let bad = home.run(["statusnode", "--cloudcreds=pool", "--id=1", "--cred2=wrong-token"])
        #expect(bad.exitStatus == 1)
        let log = try #require(try? String(decoding: readAll(home.path + "/zxtm/log/tmcloud.log"), as: UTF8.self))
        let lines = log.split(separator: "\n")
        #expect(lines.count == 2, "\(log)")
        #expect(lines.first?.contains(" status ok nodes=0 requests=1 ") == true, "\(log)")
        #expect(lines.last?.contains(" statusnode id=1 error exit=1 ") == true, "\(log)")
        #expect(!log.contains(Self.secret) && !log.contains("wrong-token"))
    }
}

func readAll(_ path: String) throws -> [UInt8] {
    let r = try ProcessRunnerShim.cat(path)
    return r
}
