/// Where the Traffic Manager keeps its files.
public struct ZeusHome: Sendable, Equatable {
    public var path: String

    public init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// `$ZEUSHOME`, else `/usr/local/zeus`, then `/opt/zeus` (the first that exists),
    /// as the Traffic Manager's own drivers look it up.
    public static func resolve(environment: [String: String]) -> ZeusHome {
        if let home = environment["ZEUSHOME"], !home.isEmpty { return ZeusHome(path: home) }
        for candidate in ["/usr/local/zeus", "/opt/zeus"] where TextFile.exists(candidate) {
            return ZeusHome(path: candidate)
        }
        return ZeusHome(path: "/usr/local/zeus")
    }

    public var cloudCredentialsDirectory: String { path + "/zxtm/conf/cloudcredentials" }
    /// Uploaded extra files (Catalogs > Extra Files), replicated across the cluster.
    public var extraDirectory: String { path + "/zxtm/conf/extra" }
    /// Per-machine state the Traffic Manager's drivers keep (token caches).
    public var internalDirectory: String { path + "/zxtm/internal" }
    public var logDirectory: String { path + "/zxtm/log" }

    /// A file named in a credential or config value: a bare name lives in the extra
    /// files folder, an absolute path is used as it is. Anything else (a relative path,
    /// `..`) is refused, so a value cannot reach outside those two forms.
    public func resolveExtraFile(_ value: String, what: String) throws(DriverError) -> String {
        if value.hasPrefix("/") { return value }
        guard Self.isBareName(value) else {
            throw .config("\(what) '\(Invocation.printable(value))' must be a bare file name or an absolute path")
        }
        return extraDirectory + "/" + value
    }

    /// A name without a slash, not `.` or `..`, without control characters.
    public static func isBareName(_ value: String) -> Bool {
        !value.isEmpty && value != "." && value != ".." && !value.contains("/")
            && !value.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}

/// cred1..cred3 of a Cloud Credentials object.
public struct Credentials: Sendable {
    /// The driver configuration file, as given (a bare name or an absolute path).
    public var cred1: String
    /// The secret. Never printed.
    public var cred2: String
    public var cred3: String
    /// The credentials object's name, when it came from `--cloudcreds`.
    public var objectName: String?

    /// Reads `--cloudcreds` and the `--cred1/2/3` overrides.
    public static func load(_ invocation: Invocation, home: ZeusHome) throws(DriverError) -> Credentials {
        var values: [String: String] = [:]
        var objectName: String?
        if let name = invocation.options["cloudcreds"] {
            guard !name.isEmpty else { throw .usage("--cloudcreds is empty: give the name of a Cloud Credentials object") }
            guard ZeusHome.isBareName(name) else {
                throw .usage("--cloudcreds must name a credentials object, not a path")
            }
            objectName = name
            let path = home.cloudCredentialsDirectory + "/" + name
            let lines: [String]
            do {
                lines = try TextFile.lines(path, limit: 64 << 10)
            } catch {
                throw .config("credentials file \(path) \(error.reason)")
            }
            values = Self.values(fromLines: lines)
        }
        for key in ["cred1", "cred2", "cred3"] {
            if let v = invocation.options[key] { values[key] = v }
        }
        guard objectName != nil || values["cred1"] != nil || values["cred2"] != nil else {
            throw .usage("no credentials: give --cloudcreds=NAME, or --cred1=CONFIG and --cred2=SECRET")
        }
        let where_ = objectName.map { "in credentials \($0)" } ?? "on the command line"
        guard let cred1 = values["cred1"], !cred1.isEmpty else {
            throw .config("cred1 (the configuration file) is missing or empty \(where_)")
        }
        guard let cred2 = values["cred2"], !cred2.isEmpty else {
            throw .config("cred2 (the password or token) is missing or empty \(where_)")
        }
        return Credentials(cred1: cred1, cred2: cred2, cred3: values["cred3"] ?? "", objectName: objectName)
    }

    /// cred1..cred3 from the lines of a credentials file; other keys, blank lines and
    /// `#` comments are skipped.
    public static func values(fromLines lines: [String]) -> [String: String] {
        var values: [String: String] = [:]
        for line in lines {
            let trimmed = line.trimmingCharacters(in: " \t")
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            let (key, value) = splitKeyValue(trimmed)
            if ["cred1", "cred2", "cred3"].contains(key) { values[key] = value }
        }
        return values
    }

    /// Splits "key<whitespace>value"; the value keeps inner spaces.
    static func splitKeyValue(_ line: String) -> (String, String) {
        guard let gap = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { return (line, "") }
        let key = String(line[..<gap])
        let value = String(line[gap...]).trimmingCharacters(in: " \t")
        return (key, value)
    }
}
