import TMCloudJSON

#if canImport(Glibc)
import Glibc
#endif

/// A Keystone token with what it unlocks: the endpoints read from its catalog and
/// the image, flavor and network names already resolved to ids.
///
/// The driver is a fresh process on every poll, so this is kept in a file between
/// runs: a warm `status` then costs one request, the server listing.
struct OpenStackSession {
    /// The token (a secret: registered with the redactor, never printed).
    var token: String
    /// Unix time on this machine after which the token is renewed rather than used.
    var renewAfter: Double
    /// The Nova endpoint, as the catalog gives it.
    var computeURL: String
    /// The Neutron endpoint with `/v2.0`, when the catalog has one.
    var networkURL: String?
    /// The Glance endpoint with `/v2`, when the catalog has one.
    var imageURL: String?
    /// The region whose endpoints these are.
    var region: String
    /// "image:NAME", "flavor:NAME", "network:NAME" → id.
    var resolved: [String: String] = [:]

    /// The time left on a token, kept from Keystone's own `issued_at` and `expires_at`
    /// rather than from this machine's clock, so that clock skew between the two
    /// cannot make a dead token look fresh (or a fresh one dead).
    static func renewAfter(issuedAt: String?, expiresAt: String?, now: Double) -> Double {
        guard let expires = expiresAt.flatMap(Timestamp.parse) else { return now }
        let issued = issuedAt.flatMap(Timestamp.parse)
        let lifetime = issued.map { expires - $0 } ?? (expires - now)
        guard lifetime > 0 else { return now }
        // Renew five minutes early (or a quarter of a short lifetime), so a token
        // never expires in the middle of an action.
        return now + lifetime - min(300, lifetime / 4)
    }
}

/// The token cache file, `$ZEUSHOME/zxtm/internal/tmcloud.<credentials>.token`.
///
/// It holds the token, its renewal time, the endpoints and the resolved names, and a
/// fingerprint of the settings that produced them (never the secret): a change of
/// user, project, region or interface makes the cached token unusable.
struct OpenStackTokenCache {
    let path: String
    let fingerprint: String

    init(directory: String, stateName: String, config: DriverConfig) {
        path = directory + "/tmcloud.\(stateName).token"
        let keys = [
            "authURL", "applicationCredentialID", "username", "userDomain", "project", "projectDomain", "region",
            "interface",
        ]
        fingerprint = keys.map { "\($0)=\(config.string($0) ?? "")" }.joined(separator: "\n")
    }

    /// The cached session, when there is one for these settings that is still fresh.
    func load(now: Double) -> OpenStackSession? {
        guard let bytes = StateFile.read(path, limit: 256 << 10), let json = try? JSONParser.parse(bytes),
            json["fingerprint"]?.stringValue == fingerprint, let token = json["token"]?.stringValue, !token.isEmpty,
            let renewAfter = json["renew_after"]?.doubleValue, renewAfter > now,
            let compute = json["compute"]?.stringValue, !compute.isEmpty
        else { return nil }
        var session = OpenStackSession(
            token: token, renewAfter: renewAfter, computeURL: compute, networkURL: json["network"]?.stringValue,
            imageURL: json["image"]?.stringValue, region: json["region"]?.stringValue ?? "")
        for (key, value) in json["resolved"]?.objectValue?.pairs ?? [] {
            if let id = value.stringValue { session.resolved[key] = id }
        }
        return session
    }

    /// Writes the session (atomically, mode 0600).
    func save(_ session: OpenStackSession) throws(DriverError) {
        var resolved = JSONObject()
        for key in session.resolved.keys.sorted() { resolved[key] = .string(session.resolved[key]!) }
        var object = JSONObject()
        object["version"] = 1
        object["fingerprint"] = .string(fingerprint)
        object["token"] = .string(session.token)
        object["renew_after"] = .int(Int64(session.renewAfter))
        object["compute"] = .string(session.computeURL)
        if let network = session.networkURL { object["network"] = .string(network) }
        if let image = session.imageURL { object["image"] = .string(image) }
        object["region"] = .string(session.region)
        object["resolved"] = .object(resolved)
        try StateFile.write(JSONWriter.bytes(.object(object)), to: path)
    }

    /// Forgets the token (it was refused, or the settings changed).
    func drop() {
        StateFile.remove(path)
    }

    /// The current Unix time.
    static func now() -> Double { Double(time(nil)) }
}
