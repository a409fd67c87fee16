import TMCloudTransport

/// Keeps secrets out of everything the driver prints or logs.
///
/// Every line bound for stderr or the log file passes through `redact`, which replaces
/// each registered secret (cred2, its Basic-auth encoding, a cloud token) with `***`.
/// Messages are built so that they never hold a secret in the first place; this is the
/// second line of defence, for a cloud that echoes a credential back in an error.
public final class Redactor {
    private var secrets: [String] = []

    public init() {}

    /// Registers a secret; empty strings are ignored.
    public func add(_ secret: String) {
        guard !secret.isEmpty, !secrets.contains(secret) else { return }
        secrets.append(secret)
        // Longest first, so that a secret containing another is replaced whole.
        secrets.sort { $0.count > $1.count }
    }

    /// Registers the forms in which a user's password travels in HTTP Basic auth.
    public func addBasicAuth(user: String, password: String) {
        add(password)
        add(Base64.encode("\(user):\(password)"))
    }

    public func redact(_ text: String) -> String {
        var out = text
        for secret in secrets where out.containsUTF8(secret) {
            out = out.replacingAll(secret, with: "***")
        }
        return out
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement` (no Foundation).
    public func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstUTF8Range(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
