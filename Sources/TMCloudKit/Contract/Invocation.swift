/// The actions the driver answers.
public enum DriverAction: String, Sendable, CaseIterable {
    case status, listnodes, statusnode, createnode, destroynode, check, help, version

    /// Seconds the whole action may take, retries included (contract section 5):
    /// under the Traffic Manager's `update_interval` for reads, under its 200 s change
    /// timeout for changes.
    public var deadline: Double {
        switch self {
        case .status, .listnodes, .statusnode: return 20
        case .createnode, .destroynode: return 150
        case .check: return 60
        case .help, .version: return 0
        }
    }

    /// Whether the action talks to a cloud and so needs credentials.
    public var needsCredentials: Bool { self != .help && self != .version }
}

/// A parsed command line.
public struct Invocation: Sendable, Equatable {
    public var action: DriverAction
    /// `--key=value` arguments by lower-case key, the ones the driver knows.
    public var options: [String: String]
    /// Keys given that this release does not know: ignored, noted under --verbose.
    public var ignoredKeys: [String]
    public var verbose: Bool

    public func value(_ key: String) -> String? {
        guard let v = options[key], !v.isEmpty else { return nil }
        return v
    }

    /// Keys with a meaning to this release.
    public static let knownKeys: Set<String> = [
        "action", "cloudcreds", "cred1", "cred2", "cred3", "name", "id", "imageid", "sizeid", "deltasince",
        "verbose",
    ]

    /// Reads argv (without the program name): `ACTION [--key=value ...]`, or
    /// `--action=ACTION` anywhere.
    public static func parse(_ arguments: [String]) throws(DriverError) -> Invocation {
        var actionWord: String?
        var options: [String: String] = [:]
        var ignored: [String] = []
        for argument in arguments {
            if argument == "-h" || argument == "--help" {
                actionWord = actionWord ?? "help"
                continue
            }
            if argument == "--version" {
                actionWord = actionWord ?? "version"
                continue
            }
            guard argument.hasPrefix("--"), argument.count > 2 else {
                guard actionWord == nil else {
                    throw .usage("unexpected argument '\(printable(argument))' (arguments are --key=value)")
                }
                guard !argument.hasPrefix("-") else {
                    throw .usage("unexpected argument '\(printable(argument))' (arguments are --key=value)")
                }
                actionWord = argument
                continue
            }
            let body = argument.dropFirst(2)
            let key: String
            let value: String
            if let eq = body.firstIndex(of: "=") {
                key = String(body[..<eq]).lowercased()
                value = String(body[body.index(after: eq)...])
            } else {
                key = String(body).lowercased()
                value = ""
            }
            guard Invocation.knownKeys.contains(key) else {
                if !ignored.contains(key) { ignored.append(key) }
                continue
            }
            if let earlier = options[key], earlier != value {
                throw .usage("--\(key) given twice with different values")
            }
            options[key] = value
        }
        if let fromOption = options["action"] {
            if let word = actionWord, word.lowercased() != fromOption.lowercased() {
                throw .usage("two actions given: '\(printable(word))' and --action=\(printable(fromOption))")
            }
            actionWord = fromOption
        }
        guard let word = actionWord, !word.isEmpty else {
            throw .usage("no action given (try 'tmcloud help')")
        }
        guard let action = DriverAction(rawValue: word.lowercased()) else {
            let names = DriverAction.allCases.map(\.rawValue).joined(separator: ", ")
            throw .usage("unknown action '\(printable(word))' (expected one of \(names))")
        }
        let verboseValue = options["verbose"]?.lowercased()
        let verbose = verboseValue != nil && !["0", "false", "no", "off"].contains(verboseValue!)
        return Invocation(action: action, options: options, ignoredKeys: ignored, verbose: verbose)
    }

    /// `text` safe to echo in one error line: control characters shown as '?', cut to
    /// 80 characters.
    static func printable(_ text: String, limit: Int = 80) -> String {
        var out = String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
        if out.count > limit { out = String(out.prefix(limit - 3)) + "..." }
        return out
    }
}
