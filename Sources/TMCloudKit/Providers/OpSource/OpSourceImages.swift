import TMCloudTransport

/// An image a server can be deployed from.
struct OpSourceImage: Sendable, Equatable {
    var id: String
    var name: String
    var resourcePath: String
    var location: String

    init?(_ element: XMLElement) {
        let ns = OpSourceNamespace.server
        guard let id = element.attribute("id") ?? element.childText("id", ns: ns), !id.isEmpty else { return nil }
        self.id = id
        name = element.childText("name", ns: ns) ?? ""
        resourcePath = element.childText("resourcePath", ns: ns) ?? ""
        location = element.attribute("location") ?? element.childText("location", ns: ns) ?? ""
    }
}

extension OpSourceAPI {
    /// `GET base/image`: the operating system images every organisation may use.
    func baseImages() throws(DriverError) -> [OpSourceImage] {
        let root = try get("base/image", doing: "list base images")
        guard root.matches("ServerImages", ns: OpSourceNamespace.server) else {
            throw .malformed("base/image replied with \(root.localName), not ServerImages")
        }
        return root.children.compactMap(OpSourceImage.init)
    }

    /// The organisation's own (customer) images; nil where the API does not offer the
    /// listing.
    func customerImages() throws(DriverError) -> [OpSourceImage]? {
        let response = try context.send(request(.get, try orgPath("image/deployedWithSoftwareLabels")))
        if response.status == 404 { return nil }
        guard response.isSuccess else {
            throw OpSourceError.error(for: response, user: user, doing: "list the organisation's images")
        }
        let root = try context.xml(response, expecting: "the organisation's images")
        return root.children.compactMap(OpSourceImage.init)
    }
}
