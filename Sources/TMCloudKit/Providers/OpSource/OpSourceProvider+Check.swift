extension OpSourceProvider {
    /// Credentials, organisation, VLAN, the server listing and the images, one line each.
    func check() -> [CheckResult] {
        var results: [CheckResult] = []
        let accountOrg: String
        do {
            accountOrg = try api.accountOrgID()
            api.rememberOrgID(accountOrg)
            results.append(CheckResult(true, "credentials accepted for user \(api.user) at \(api.base)"))
        } catch {
            results.append(CheckResult(false, "credentials for user \(api.user) at \(api.base): \(error.message)"))
            return results
        }
        if let configured = context.config.string("orgID"), configured != accountOrg {
            results.append(
                CheckResult(
                    false, "\(context.config.location(of: "orgID")): orgID \(configured) is not the account's organisation \(accountOrg)"))
            return results
        }
        results.append(
            CheckResult(
                true, "organisation \(accountOrg)" + (context.config.string("orgID") == nil ? " (looked up)" : "")))

        var location = ""
        do {
            let networks = try networks(org: accountOrg)
            if let vlan = networks.first(where: { $0.id == vlanID }) {
                location = vlan.location
                results.append(CheckResult(true, "vlanID \(vlanID) found: \(vlan.name) in \(vlan.location)"))
            } else {
                let known = networks.prefix(8).map { "\($0.id) (\($0.name))" }.joined(separator: ", ")
                results.append(
                    CheckResult(
                        false,
                        "\(context.config.location(of: "vlanID")): vlanID \(vlanID) is not a network of the organisation"
                            + (known.isEmpty ? "" : "; networks: \(known)")))
            }
        } catch {
            results.append(CheckResult(false, "networks (networkWithLocation): \(error.message)"))
        }

        do {
            let servers = try api.servers()
            let form = api.state.listing == .legacy ? "deployed + pendingDeploy" : "serverWithState"
            results.append(
                CheckResult(
                    true, "server listing (\(form)): \(servers.count) servers, \(servers.filter(inPool).count) on the VLAN"))
        } catch {
            results.append(CheckResult(false, "server listing: \(error.message)"))
        }
        results += checkImages(location: location)
        if context.config.string("serverPassword") == nil {
            results.append(CheckResult(true, "new servers get a random administrator password (not kept)"))
        }
        return results
    }

    /// The images a pool's imageid may name: base images and the organisation's own,
    /// those in the VLAN's data centre listed by id.
    private func checkImages(location: String) -> [CheckResult] {
        var results: [CheckResult] = []
        do {
            var images = try api.baseImages()
            var text = "\(images.count) base images"
            if let own = try api.customerImages() {
                text += " and \(own.count) organisation images"
                images += own
            }
            let local = images.filter { location.isEmpty || $0.location.isEmpty || $0.location == location }
            let wanted = context.requestedImageID
            if !wanted.isEmpty {
                // The pool's imageid, given to check as --imageid: found, and where.
                guard let image = images.first(where: { $0.id == wanted }) else {
                    results.append(CheckResult(false, "image \(wanted) is not a base or organisation image"))
                    return results
                }
                let here = location.isEmpty || image.location.isEmpty || image.location == location
                results.append(
                    CheckResult(
                        here,
                        "image \(wanted) found" + (image.location.isEmpty ? "" : " in \(image.location)")
                            + (here ? "" : ", not in the VLAN's data centre \(location)")))
                return results
            }
            let ids = local.prefix(12).map(\.id).joined(separator: ", ")
            text += "; the pool's imageid must be one of them" + (ids.isEmpty ? "" : " (\(location.isEmpty ? "" : "\(location): ")\(ids)\(local.count > 12 ? ", …" : ""))")
            results.append(CheckResult(!images.isEmpty, text))
        } catch {
            results.append(CheckResult(false, "images (base/image): \(error.message)"))
        }
        return results
    }

    /// `GET {org}/networkWithLocation`.
    private func networks(org: String) throws(DriverError) -> [(id: String, name: String, location: String)] {
        let root = try api.get(OpSourceAPI.segment(org) + "/networkWithLocation", doing: "list networks")
        let ns = OpSourceNamespace.network
        return root.children("network", ns: ns).compactMap { n in
            guard let id = n.childText("id", ns: ns), !id.isEmpty else { return nil }
            return (id, n.childText("name", ns: ns) ?? "", n.childText("location", ns: ns) ?? "")
        }
    }
}
