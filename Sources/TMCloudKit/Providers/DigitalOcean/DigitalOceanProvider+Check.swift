import TMCloudJSON
import TMCloudTransport

/// `check`: is the token accepted, and do the region, image, size, VPC and ssh keys
/// exist and fit together? One line each.
extension DigitalOceanProvider {
    func check() -> [CheckResult] {
        var results: [CheckResult] = []
        let token = checkToken()
        results.append(token)
        // Every other lookup would fail the same way.
        guard token.passed else { return results }

        let regionResult = checkRegion()
        results.append(regionResult)
        results.append(checkImage())
        results.append(checkSize())
        if let vpc = context.config.string("vpcUUID") { results.append(checkVPC(vpc)) }
        for key in context.config.list("sshKeys") { results.append(checkSSHKey(key)) }
        if context.config.string("userDataFile") != nil { results.append(checkUserData()) }
        return results
    }

    /// The reply of a GET, or the line that says why there is none.
    private func lookUp(_ url: String, _ what: String) -> Result<JSONView, DriverError> {
        do {
            return .success(try api.get(url, while: what))
        } catch {
            return .failure(error)
        }
    }

    private func checkToken() -> CheckResult {
        switch lookUp(api.url("/account"), "reading the account") {
        case .success(let reply):
            let status = reply["account"]?["status"]?.stringValue ?? "unknown"
            guard status == "active" || status == "unknown" else {
                return CheckResult(false, "API token accepted at \(api.base), but the account is \(status)")
            }
            return CheckResult(true, "API token accepted at \(api.base) (account \(status))")
        case .failure(let error):
            return CheckResult(false, "API token at \(api.base): \(error.message)")
        }
    }

    private func checkRegion() -> CheckResult {
        let regions: [JSONView]
        do {
            regions = try api.list("/regions", query: [], key: "regions", while: "listing the regions")
        } catch {
            return CheckResult(false, "region \(region): \(error.message)")
        }
        guard let found = regions.first(where: { $0["slug"]?.stringValue == region }) else {
            let known = regions.compactMap { $0["slug"]?.stringValue }.sorted().joined(separator: ", ")
            return CheckResult(false, "region \(region) does not exist (regions: \(known))")
        }
        guard found["available"]?.boolValue != false else {
            return CheckResult(false, "region \(region) exists but takes no new droplets")
        }
        return CheckResult(true, "region \(region) is available")
    }

    private func checkImage() -> CheckResult {
        let image = context.requestedImageID
        guard !image.isEmpty else {
            return CheckResult(true, "image not checked: give --imageid=SLUG_OR_ID (the pool's image id)")
        }
        let url = api.url("/images/\(DigitalOceanAPI.percentEncoded(image))")
        switch lookUp(url, "reading the image \(image)") {
        case .failure(let error):
            if error.httpStatus == 404 { return CheckResult(false, "image \(image) does not exist") }
            return CheckResult(false, "image \(image): \(error.message)")
        case .success(let reply):
            let status = reply["image"]?["status"]?.stringValue ?? "available"
            guard status == "available" else { return CheckResult(false, "image \(image) is \(status)") }
            let regions = (reply["image"]?["regions"]?.arrayValue ?? []).compactMap(\.stringValue)
            guard regions.contains(region) else {
                return CheckResult(
                    false,
                    "image \(image) is not in region \(region) (it is in: \(regions.joined(separator: ", "))); transfer the snapshot there first"
                )
            }
            let name = reply["image"]?["name"]?.stringValue ?? ""
            return CheckResult(true, "image \(image)\(name.isEmpty ? "" : " (\(name))") is available in \(region)")
        }
    }

    private func checkSize() -> CheckResult {
        let size = context.requestedSizeID
        guard !size.isEmpty else {
            return CheckResult(true, "size not checked: give --sizeid=SLUG (the pool's machine type)")
        }
        let sizes: [JSONView]
        do {
            sizes = try api.list("/sizes", query: [], key: "sizes", while: "listing the sizes")
        } catch {
            return CheckResult(false, "size \(size): \(error.message)")
        }
        guard let found = sizes.first(where: { $0["slug"]?.stringValue == size }) else {
            return CheckResult(false, "size \(size) does not exist")
        }
        let regions = (found["regions"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard found["available"]?.boolValue != false, regions.contains(region) else {
            return CheckResult(false, "size \(size) is not available in region \(region)")
        }
        return CheckResult(true, "size \(size) is available in \(region)")
    }

    private func checkVPC(_ vpc: String) -> CheckResult {
        let url = api.url("/vpcs/\(DigitalOceanAPI.percentEncoded(vpc))")
        switch lookUp(url, "reading the VPC \(vpc)") {
        case .failure(let error):
            if error.httpStatus == 404 { return CheckResult(false, "vpcUUID \(vpc) does not exist") }
            return CheckResult(false, "vpcUUID \(vpc): \(error.message)")
        case .success(let reply):
            let vpcRegion = reply["vpc"]?["region"]?.stringValue ?? region
            guard vpcRegion == region else {
                return CheckResult(false, "vpcUUID \(vpc) is in region \(vpcRegion), not \(region)")
            }
            return CheckResult(true, "VPC \(vpc) is in \(region)")
        }
    }

    private func checkSSHKey(_ key: String) -> CheckResult {
        let url = api.url("/account/keys/\(DigitalOceanAPI.percentEncoded(key))")
        switch lookUp(url, "reading the ssh key \(key)") {
        case .failure(let error):
            if error.httpStatus == 404 { return CheckResult(false, "ssh key \(key) is not in the account") }
            return CheckResult(false, "ssh key \(key): \(error.message)")
        case .success(let reply):
            let name = reply["ssh_key"]?["name"]?.stringValue ?? ""
            return CheckResult(true, "ssh key \(key)\(name.isEmpty ? "" : " (\(name))") found")
        }
    }

    private func checkUserData() -> CheckResult {
        do {
            guard let bytes = try context.readFile(key: "userDataFile") else {
                return CheckResult(false, "userDataFile is not set")
            }
            guard String(validating: bytes, as: UTF8.self) != nil else {
                return CheckResult(false, "userDataFile is not UTF-8 text")
            }
            return CheckResult(true, "userDataFile read (\(bytes.count) bytes)")
        } catch {
            return CheckResult(false, error.message)
        }
    }
}
