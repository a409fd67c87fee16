/// The clouds tmcloud drives.
public enum ProviderKind: String, Sendable, CaseIterable {
    case opsource, digitalocean, openstack
}

/// What a configuration value must look like.
public enum ConfigValueKind: Sendable, Equatable {
    case text
    case boolean
    /// Seconds, a number in the range.
    case seconds(ClosedRange<Double>)
    /// `host`, `host:port` or `scheme://host[:port][/path]`.
    case hostOrURL
    /// A full `http(s)://` URL.
    case url
    /// Comma-separated values.
    case list
    /// A file: a bare name in the extra files folder, or an absolute path.
    case file
    /// One of these words.
    case choice([String])
}

/// One key of the configuration file.
public struct ConfigKey: Sendable {
    public var name: String
    public var kind: ConfigValueKind
    public var required: Bool
    /// What applies when the key is absent (as documented), or nil for none.
    public var defaultValue: String?

    public init(_ name: String, _ kind: ConfigValueKind = .text, required: Bool = false, default value: String? = nil) {
        self.name = name
        self.kind = kind
        self.required = required
        self.defaultValue = value
    }
}

/// The keys of the configuration file (contract section 3), for every provider.
public enum ConfigSchema {
    public static let common: [ConfigKey] = [
        ConfigKey("provider", .choice(ProviderKind.allCases.map(\.rawValue)), default: "opsource"),
        ConfigKey("apiHost", .hostOrURL),
        ConfigKey("destroy", .boolean, default: "true"),
        ConfigKey("timeout", .seconds(1...600), default: "30"),
        ConfigKey("caFile", .file),
        ConfigKey("insecure", .boolean, default: "false"),
        ConfigKey("logFile", .text),
    ]

    public static func keys(for provider: ProviderKind) -> [ConfigKey] {
        switch provider {
        case .opsource:
            return [
                ConfigKey("user", required: true),
                ConfigKey("orgID"),
                ConfigKey("vlanID", required: true),
                ConfigKey("serverPassword"),
                ConfigKey("description", default: "tmcloud"),
            ]
        case .digitalocean:
            return [
                ConfigKey("region", required: true),
                ConfigKey("tag", default: "tmcloud"),
                ConfigKey("sshKeys", .list),
                ConfigKey("vpcUUID"),
                ConfigKey("userDataFile", .file),
                ConfigKey("monitoring", .boolean, default: "false"),
                ConfigKey("ipv6", .boolean, default: "false"),
            ]
        case .openstack:
            return [
                ConfigKey("authURL", .url, required: true),
                ConfigKey("username"),
                ConfigKey("userDomain", default: "Default"),
                ConfigKey("project"),
                ConfigKey("projectDomain", default: "Default"),
                ConfigKey("applicationCredentialID"),
                ConfigKey("region"),
                ConfigKey("interface", .choice(["public", "internal", "admin"]), default: "public"),
                ConfigKey("network", .list),
                ConfigKey("floatingNetwork"),
                ConfigKey("keyName"),
                ConfigKey("securityGroups", .list),
                ConfigKey("availabilityZone"),
                ConfigKey("userDataFile", .file),
                ConfigKey("tag", default: "tmcloud"),
            ]
        }
    }

    /// Every key a file for `provider` may hold.
    public static func allKeys(for provider: ProviderKind) -> [ConfigKey] {
        common + keys(for: provider)
    }

    /// The known key closest to an unknown one, for "did you mean" hints.
    public static func nearest(to key: String, among names: [String]) -> String? {
        let lower = key.lowercased()
        if let sameLetters = names.first(where: { $0.lowercased() == lower }) { return sameLetters }
        var best: (String, Int)?
        for name in names {
            let d = editDistance(lower, name.lowercased())
            if d <= max(2, name.count / 3), best == nil || d < best!.1 { best = (name, d) }
        }
        return best?.0
    }

    /// Levenshtein distance.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
