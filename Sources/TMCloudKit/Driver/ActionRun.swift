import TMCloudTransport

/// One action with everything it needs: configuration, provider, client and log.
final class ActionRun {
    let invocation: Invocation
    let config: DriverConfig
    let context: ProviderContext
    let provider: any CloudProvider
    let started: Double
    let logPath: String?

    private init(
        invocation: Invocation, config: DriverConfig, context: ProviderContext, provider: any CloudProvider,
        started: Double, logPath: String?
    ) {
        self.invocation = invocation
        self.config = config
        self.context = context
        self.provider = provider
        self.started = started
        self.logPath = logPath
    }

    var action: DriverAction { invocation.action }

    /// Reads credentials and configuration and builds the provider.
    static func prepare(
        _ invocation: Invocation, environment: [String: String], redactor: Redactor,
        note: @escaping (String) -> Void, started: Double
    ) throws(DriverError) -> ActionRun {
        try validateArguments(invocation)
        let home = ZeusHome.resolve(environment: environment)
        let credentials = try Credentials.load(invocation, home: home)
        redactor.add(credentials.cred2)
        let configPath = try home.resolveExtraFile(credentials.cred1, what: "cred1")
        let config = try DriverConfig.load(path: configPath)
        note("\(config.provider.rawValue) provider, configuration \(configPath)")

        var tls = TLSOptions(insecure: config.insecure)
        if let caFile = config.string("caFile") {
            tls.caFile = try home.resolveExtraFile(caFile, what: "caFile")
        }
        let transport: CurlTransport
        do {
            transport = try CurlTransport(tls: tls, userAgent: "tmcloud/\(Driver.version)")
        } catch {
            throw .config("\(config.location(of: "caFile")): \(error.message)")
        }
        let client = APIClient(
            transport: transport, requestTimeout: config.timeout,
            deadline: ProcessClock.seconds() + invocation.action.deadline)
        client.trace = note
        let context = ProviderContext(
            config: config, credentials: credentials, home: home, client: client, redactor: redactor, note: note)
        context.requestedImageID = invocation.value("imageid") ?? ""
        context.requestedSizeID = invocation.value("sizeid") ?? ""
        let provider = try ProviderRegistry.make(context)

        var logPath: String?
        if let logFile = config.string("logFile") {
            logPath = logFile.hasPrefix("/") ? logFile : home.logDirectory + "/" + logFile
            if !logFile.hasPrefix("/") && !ZeusHome.isBareName(logFile) {
                throw .config("\(config.location(of: "logFile")): logFile must be a bare file name or an absolute path")
            }
        }
        return ActionRun(
            invocation: invocation, config: config, context: context, provider: provider, started: started,
            logPath: logPath)
    }

    /// Checks the arguments each action needs before anything is read or sent.
    static func validateArguments(_ invocation: Invocation) throws(DriverError) {
        for key in ["id", "name", "imageid", "sizeid"] {
            if let value = invocation.options[key] {
                try validateIdentifier(value, key: key)
            }
        }
        if let since = invocation.options["deltasince"], !since.isEmpty, Int64(since) == nil {
            throw .usage("--deltasince must be a Unix time in seconds")
        }
        switch invocation.action {
        case .createnode:
            guard invocation.value("name") != nil else { throw .usage("missing --name (the new node's name)") }
            guard invocation.value("imageid") != nil else { throw .usage("missing --imageid") }
        case .destroynode, .statusnode:
            guard invocation.value("id") != nil || invocation.value("name") != nil else {
                throw .usage("missing --id (or --name) of the node")
            }
        default:
            break
        }
    }

    /// Ids, names, images and sizes end up in URL paths and request bodies: only the
    /// characters clouds use in them are let through.
    static func validateIdentifier(_ value: String, key: String) throws(DriverError) {
        guard value.count <= 255 else { throw .usage("--\(key) is longer than 255 characters") }
        let allowed = value.unicodeScalars.allSatisfy { s in
            (s.properties.isAlphabetic || s.properties.numericType != nil || "-_.:@~+".unicodeScalars.contains(s))
                && s.isASCII
        }
        guard allowed else {
            throw .usage("--\(key) '\(Invocation.printable(value))' may hold only letters, digits and - _ . : @ ~ +")
        }
    }

    // MARK: - Log file

    /// Appends one line for this action to `logFile`; a log that cannot be written
    /// never fails the action (the Traffic Manager needs the answer more).
    func log(result: String) {
        guard let logPath else { return }
        let duration = ProcessClock.seconds() - started
        var fields = ["\(Timestamp.format(Double(time(nil))))", action.rawValue]
        if let name = invocation.value("name") { fields.append("name=\(name)") }
        if let id = invocation.value("id") { fields.append("id=\(id)") }
        fields.append(result)
        fields.append("requests=\(context.client.requestCount)")
        fields.append("duration=\(Int(duration * 1000))ms")
        let line = context.redactor.redact(fields.joined(separator: " ").replacingAll("\n", with: " ")) + "\n"
        let fd = open(logPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            context.note("cannot write the log file \(logPath)")
            return
        }
        _ = Array(line.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }
}

#if canImport(Glibc)
import Glibc
#endif
