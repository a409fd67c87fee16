import TMCloudJSON

/// `check`: a report an administrator can act on, one line per fact.
extension OpenStackProvider {
    func check() -> [CheckResult] {
        var results: [CheckResult] = []
        func attempt(_ label: String, _ body: () throws(DriverError) -> String) {
            do {
                results.append(CheckResult(true, "\(label): \(try body())"))
            } catch {
                results.append(CheckResult(false, "\(label): \(error.message)"))
            }
        }

        // Always a new token: the check is about the credentials, not a cached token.
        let session: OpenStackSession
        do {
            session = try api.authenticate()
            results.append(CheckResult(true, "Keystone accepted \(api.identity.principal)"))
        } catch {
            results.append(CheckResult(false, "credentials: \(error.message)"))
            return results
        }
        results.append(CheckResult(true, "compute endpoint \(session.computeURL) (region \(session.region))"))
        let needsNeutron = usesFloatingIPs || !context.config.list("network").isEmpty
            || !context.config.list("securityGroups").isEmpty
        if let network = session.networkURL {
            results.append(CheckResult(true, "network endpoint \(network)"))
        } else if needsNeutron {
            results.append(
                CheckResult(false, "the catalog has no network (Neutron) endpoint in region \(session.region)"))
        }

        var nodes: [CloudNode] = []
        attempt("servers") { () throws(DriverError) -> String in
            finishesPendingWork = false
            defer { finishesPendingWork = true }
            nodes = try listNodes()
            return "\(nodes.count) carry \(OpenStackMetadata.tag)=\(tag)"
        }
        for value in context.config.list("network") {
            attempt("network \(value)") { () throws(DriverError) -> String in
                let id = try names.networkID(value, key: "network")
                _ = try api.get(.network, "networks/\(id)", doing: "reading network \(id)")
                return "found (\(id))"
            }
        }
        if let value = context.config.string("floatingNetwork") {
            attempt("floatingNetwork \(value)") { () throws(DriverError) -> String in
                let id = try names.networkID(value, key: "floatingNetwork")
                let network = try api.get(.network, "networks/\(id)", doing: "reading network \(id)")
                guard network["network"]?["router:external"]?.boolValue != false else {
                    throw DriverError(.cloud, "network \(id) is not external: no floating IPs come from it")
                }
                return "found (\(id))"
            }
        }
        if let key = context.config.string("keyName") {
            attempt("key pair \(key)") { () throws(DriverError) -> String in
                // The list rather than GET /os-keypairs/{name}: one request either way,
                // and it answers "not found" with the names that do exist.
                let pairs = try api.list(.compute, "os-keypairs", key: "keypairs", doing: "listing key pairs")
                let names = pairs.compactMap { $0["keypair"]?["name"]?.stringValue ?? $0["name"]?.stringValue }
                guard names.contains(key) else {
                    throw DriverError(.cloud, "not found (key pairs: \(names.joined(separator: ", ")))")
                }
                return "found"
            }
        }
        for group in context.config.list("securityGroups") {
            attempt("security group \(group)") { () throws(DriverError) -> String in
                let filter = OpenStackURL.looksLikeUUID(group) ? "id=" : "name="
                let found = try api.list(
                    .network, "security-groups?" + filter + OpenStackURL.encode(group), key: "security_groups",
                    doing: "looking up security group \(group)")
                guard !found.isEmpty else { throw DriverError(.cloud, "not found") }
                return "found"
            }
        }
        if context.config.string("userDataFile") != nil {
            attempt("userDataFile") { () throws(DriverError) -> String in
                let bytes = try context.readFile(key: "userDataFile") ?? []
                return "\(bytes.count) bytes"
            }
        }
        checkImagesAndFlavors(of: nodes, attempt: attempt)
        return results
    }

    /// Checks the `--imageid`/`--sizeid` given to `check` (the pool's settings), and the
    /// ones the pool's nodes were created with, which the next `createnode` will ask for.
    private func checkImagesAndFlavors(
        of nodes: [CloudNode], attempt: (String, () throws(DriverError) -> String) -> Void
    ) {
        let images = Set((nodes.map(\.record.imageID) + [context.requestedImageID]).filter { !$0.isEmpty }).sorted()
        let flavors = Set((nodes.map(\.record.sizeID) + [context.requestedSizeID]).filter { !$0.isEmpty }).sorted()
        for image in images {
            attempt("image \(image)") { () throws(DriverError) -> String in
                let id = try names.imageID(image)
                let session = try api.currentSession()
                if session.imageURL != nil {
                    _ = try api.get(.image, "images/\(id)", doing: "reading image \(id)")
                } else {
                    _ = try api.get(.compute, "images/\(id)", doing: "reading image \(id)")
                }
                return "found (\(id))"
            }
        }
        for flavor in flavors {
            attempt("flavor \(flavor)") { () throws(DriverError) -> String in
                "found (\(try names.flavorID(flavor)))"
            }
        }
        if images.isEmpty && flavors.isEmpty {
            attempt("flavors") { () throws(DriverError) -> String in
                let count = try api.list(.compute, "flavors", key: "flavors", doing: "listing flavors").count
                return "\(count) available (give --imageid and --sizeid to check the pool's)"
            }
        }
    }
}
