import TMCloudJSON

/// Image, flavor and network names resolved to ids.
///
/// Each resolution costs a request the first time and is then kept in the token
/// cache, so it is asked again only when the token is renewed (hours later). An id
/// given as such costs nothing: images and networks are UUIDs; flavors are matched by
/// id or name from one flavor listing.
struct OpenStackNames {
    let api: OpenStackAPI

    /// An image id from an id or a name (Glance, or Nova's image list when the
    /// catalog has no Glance endpoint).
    func imageID(_ value: String) throws(DriverError) -> String {
        if OpenStackURL.looksLikeUUID(value) { return value }
        let key = "image:" + value
        let session = try api.currentSession()
        if let id = session.resolved[key] { return id }
        let query = "images?name=" + OpenStackURL.encode(value)
        let images =
            session.imageURL != nil
            ? try api.list(.image, query, key: "images", doing: "looking up image \(value)")
            : try api.list(.compute, query, key: "images", doing: "looking up image \(value)")
        var matches = images.filter { $0["name"]?.stringValue == value }
        if matches.count > 1 {
            // An old image kept under the same name, deactivated or still uploading,
            // is not a rival for the active one.
            let active = matches.filter { $0["status"]?.stringValue?.lowercased() == "active" }
            if !active.isEmpty { matches = active }
        }
        let id = try single(matches, kind: "image", value: value)
        api.remember(key, id: id)
        return id
    }

    /// A flavor id from an id or a name.
    func flavorID(_ value: String) throws(DriverError) -> String {
        let key = "flavor:" + value
        if let id = try cached(key) { return id }
        let flavors = try api.list(.compute, "flavors", key: "flavors", doing: "listing flavors")
        let byID = flavors.filter { $0["id"]?.scalarText == value }
        let matches = byID.isEmpty ? flavors.filter { $0["name"]?.stringValue == value } : byID
        let id = try single(matches, kind: "flavor", value: value)
        api.remember(key, id: id)
        return id
    }

    /// A network id from an id or a name (Neutron).
    func networkID(_ value: String, key configKey: String) throws(DriverError) -> String {
        if OpenStackURL.looksLikeUUID(value) { return value }
        let key = "network:" + value
        if let id = try cached(key) { return id }
        let networks = try api.list(
            .network, "networks?name=" + OpenStackURL.encode(value), key: "networks",
            doing: "looking up network \(value)")
        let matches = networks.filter { $0["name"]?.stringValue == value }
        guard !matches.isEmpty else {
            throw .config("\(api.context.config.location(of: configKey)): \(configKey): no network called '\(value)'")
        }
        let id = try single(matches, kind: "network", value: value)
        api.remember(key, id: id)
        return id
    }

    /// A name resolved before, from the session (loaded from the token cache on the
    /// first call: a create may be the run's first request).
    private func cached(_ key: String) throws(DriverError) -> String? {
        try api.currentSession().resolved[key]
    }

    /// The one id among the matches, or an error that says why there is not exactly one.
    private func single(_ matches: [JSONView], kind: String, value: String) throws(DriverError) -> String {
        let ids = matches.compactMap { $0["id"]?.scalarText }
        switch ids.count {
        case 1:
            return ids[0]
        case 0:
            throw DriverError(.cloud, "no \(kind) called '\(value)' (give its name or id)")
        default:
            throw DriverError(
                .cloud, "\(ids.count) \(kind)s are called '\(value)' (\(ids.joined(separator: ", "))): give the id")
        }
    }
}
