import TMCloudTransport

/// The driver configuration file (cred1), read and checked against the schema.
///
/// Every value keeps its line number, so that an error found later (a bad region, say)
/// can still name the line.
public struct DriverConfig: Sendable {
    public struct Entry: Sendable {
        public var value: String
        public var line: Int
    }

    /// The file's path, for messages.
    public var path: String
    public var provider: ProviderKind
    public var entries: [String: Entry]
    /// The schema the file was checked against.
    public var keys: [ConfigKey]

    // MARK: - Reading

    /// Reads and checks the file at `path`.
    public static func load(path: String) throws(DriverError) -> DriverConfig {
        let lines: [String]
        do {
            lines = try TextFile.lines(path, limit: 256 << 10)
        } catch {
            throw .config("configuration file \(path) \(error.reason)")
        }
        return try parse(lines: lines, path: path)
    }

    /// Checks the lines of a configuration file; `path` is used in messages.
    public static func parse(lines: [String], path: String) throws(DriverError) -> DriverConfig {
        var entries: [String: Entry] = [:]
        var order: [(String, Entry)] = []
        for (index, raw) in lines.enumerated() {
            let number = index + 1
            let line = raw.trimmingCharacters(in: " \t")
            guard !line.isEmpty, !line.hasPrefix("#") else { continue }
            if line.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F }) {
                throw .config("\(path):\(number): control character in the line")
            }
            let (key, value) = Credentials.splitKeyValue(line)
            if let earlier = entries[key] {
                throw .config("\(path):\(number): '\(Invocation.printable(key))' is set twice (first on line \(earlier.line))")
            }
            let entry = Entry(value: value, line: number)
            entries[key] = entry
            order.append((key, entry))
        }

        // The provider decides which keys are known, so read it first.
        var provider = ProviderKind.opsource
        if let entry = entries["provider"], !entry.value.isEmpty {
            guard let kind = ProviderKind(rawValue: entry.value) else {
                let names = ProviderKind.allCases.map(\.rawValue)
                let hint = ConfigSchema.nearest(to: entry.value, among: names).map { " (did you mean '\($0)'?)" } ?? ""
                throw .config(
                    "\(path):\(entry.line): unknown provider '\(Invocation.printable(entry.value))'\(hint); expected one of \(names.joined(separator: ", "))"
                )
            }
            provider = kind
        }
        let keys = ConfigSchema.allKeys(for: provider)
        let names = keys.map(\.name)
        for (key, entry) in order where !names.contains(key) {
            var message = "\(path):\(entry.line): unknown key '\(Invocation.printable(key))'"
            if let near = ConfigSchema.nearest(to: key, among: names) {
                message += " (did you mean '\(near)'?)"
            } else {
                message += " for provider \(provider.rawValue)"
            }
            throw .config(message)
        }
        let config = DriverConfig(path: path, provider: provider, entries: entries, keys: keys)
        try config.validate()
        return config
    }

    /// Checks every value's form and that required keys are present.
    private func validate() throws(DriverError) {
        for key in keys {
            // A key written without a value is a mistake, never a way to ask for the default.
            if let entry = entries[key.name], entry.value.isEmpty {
                throw .config("\(path):\(entry.line): '\(key.name)' has no value")
            }
            guard let entry = entries[key.name], !entry.value.isEmpty else {
                if key.required || (provider == .opsource && key.name == "apiHost") {
                    throw .config("\(path): required key '\(key.name)' is missing")
                }
                continue
            }
            try check(key, entry)
        }
        if provider == .openstack {
            if string("applicationCredentialID") == nil {
                for name in ["username", "project"] where string(name) == nil {
                    throw .config("\(path): required key '\(name)' is missing (or set applicationCredentialID)")
                }
            }
        }
    }

    private func check(_ key: ConfigKey, _ entry: Entry) throws(DriverError) {
        let where_ = "\(path):\(entry.line)"
        let shown = Invocation.printable(entry.value)
        switch key.kind {
        case .text, .list:
            break
        case .file:
            guard entry.value.hasPrefix("/") || ZeusHome.isBareName(entry.value) else {
                throw .config("\(where_): \(key.name) '\(shown)' must be a bare file name or an absolute path")
            }
        case .boolean:
            guard Self.boolean(entry.value) != nil else {
                throw .config("\(where_): \(key.name) must be true or false, not '\(shown)'")
            }
        case .seconds(let range):
            guard let n = Double(entry.value), n.isFinite, range.contains(n) else {
                throw .config(
                    "\(where_): \(key.name) must be a number of seconds from \(Int(range.lowerBound)) to \(Int(range.upperBound)), not '\(shown)'"
                )
            }
        case .choice(let words):
            guard words.contains(entry.value) else {
                throw .config("\(where_): \(key.name) must be one of \(words.joined(separator: ", ")), not '\(shown)'")
            }
        case .hostOrURL:
            do {
                _ = try EndpointURL(parsing: entry.value, requireScheme: false)
            } catch {
                throw .config("\(where_): \(key.name) '\(shown)' is not a host name or URL (\(error.reason))")
            }
        case .url:
            do {
                _ = try EndpointURL(parsing: entry.value, requireScheme: true)
            } catch {
                throw .config("\(where_): \(key.name) '\(shown)' is not an http(s) URL (\(error.reason))")
            }
        }
    }

    // MARK: - Typed values

    /// The value of `name`, or its documented default; nil when neither exists.
    public func string(_ name: String) -> String? {
        if let entry = entries[name], !entry.value.isEmpty { return entry.value }
        return keys.first { $0.name == name }?.defaultValue
    }

    public func bool(_ name: String) -> Bool {
        string(name).flatMap(Self.boolean) ?? false
    }

    public func seconds(_ name: String) -> Double {
        string(name).flatMap { Double($0) } ?? 30
    }

    /// A comma-separated value as its trimmed, non-empty items.
    public func list(_ name: String) -> [String] {
        guard let value = string(name) else { return [] }
        return value.split(separator: ",").map { String($0).trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
    }

    /// The line a key was set on, for messages about its value.
    public func location(of name: String) -> String {
        if let line = entries[name]?.line { return "\(path):\(line)" }
        return path
    }

    /// The API endpoint from `apiHost`, or `fallback` when the key is absent.
    public func endpoint(default fallback: String? = nil) throws(DriverError) -> EndpointURL {
        guard let value = entries["apiHost"]?.value ?? fallback, !value.isEmpty else {
            throw .config("\(path): required key 'apiHost' is missing")
        }
        do {
            return try EndpointURL(parsing: value, requireScheme: false)
        } catch {
            throw .config("\(location(of: "apiHost")): apiHost is not a host name or URL (\(error.reason))")
        }
    }

    /// The destroy setting: false powers nodes off instead of deleting them.
    public var destroy: Bool { bool("destroy") }
    public var timeout: Double { seconds("timeout") }
    public var insecure: Bool { bool("insecure") }

    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0": return false
        default: return nil
        }
    }
}

/// A checked `scheme://host[:port][/path]`.
public struct EndpointURL: Sendable, Equatable {
    public struct ParseError: Error { public var reason: String }

    public var scheme: String
    public var host: String
    public var port: Int?
    /// The path without a trailing slash ("" for none).
    public var path: String

    /// The URL without a trailing slash; paths are appended to it.
    public var base: String {
        "\(scheme)://\(host)\(port.map { ":\($0)" } ?? "")\(path)"
    }

    public init(parsing text: String, requireScheme: Bool) throws(ParseError) {
        var rest = Substring(text)
        if let range = rest.firstUTF8Range(of: "://") {
            let scheme = rest[..<range.lowerBound].lowercased()
            guard scheme == "http" || scheme == "https" else {
                throw ParseError(reason: "scheme must be http or https")
            }
            self.scheme = scheme
            rest = rest[range.upperBound...]
        } else {
            guard !requireScheme else { throw ParseError(reason: "no http:// or https://") }
            self.scheme = "https"
        }
        let authority: Substring
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            var path = String(rest[slash...])
            while path.hasSuffix("/") { path.removeLast() }
            self.path = path
        } else {
            authority = rest
            self.path = ""
        }
        guard !authority.contains("@") else { throw ParseError(reason: "credentials do not belong in the URL") }
        guard !path.contains("?"), !path.contains("#") else { throw ParseError(reason: "no query or fragment allowed") }
        var hostPart = authority
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw ParseError(reason: "unclosed IPv6 bracket") }
            hostPart = authority[...close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else { throw ParseError(reason: "bad port") }
                port = p
            } else if !after.isEmpty {
                throw ParseError(reason: "bad host")
            }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else {
                throw ParseError(reason: "bad port")
            }
            port = p
        }
        guard !hostPart.isEmpty else { throw ParseError(reason: "no host") }
        if !hostPart.hasPrefix("[") {
            let allowed = hostPart.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") }
            guard allowed, !hostPart.hasPrefix("."), !hostPart.hasPrefix("-") else {
                throw ParseError(reason: "host may hold only letters, digits, '-' and '.'")
            }
        }
        host = String(hostPart)
        guard path.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw ParseError(reason: "path may not hold spaces or non-ASCII characters")
        }
    }
}
