import TMCloudJSON

extension OpenStackEmulator {
    func routeImages(_ request: HTTPRequest, segments: [String]) -> HTTPResponse {
        let r = RouteMatcher(method: request.method, segments: segments)
        if r.on("GET", "images") != nil {
            let name = request.queryValue("name")
            let status = request.queryValue("status")
            let images = catalog.images.filter {
                (name == nil || $0.name == name) && (status == nil || $0.status == status)
            }
            return .json(200, ["images": .array(images.map(imageJSON)), "first": "/v2/images", "schema": "/v2/schemas/images"])
        }
        if let captured = r.on("GET", "images/*") {
            guard let image = catalog.images.first(where: { $0.id == captured[0] }) else {
                return .text(404, "404 Not Found\n\nNo image found with ID \(captured[0])")
            }
            return .json(200, imageJSON(image))
        }
        return .text(404, "404 Not Found")
    }

    private func imageJSON(_ image: OSImage) -> JSONValue {
        [
            "id": .string(image.id), "name": .string(image.name), "status": .string(image.status),
            "visibility": "public", "protected": false, "container_format": "bare", "disk_format": "qcow2",
            "min_disk": 0, "min_ram": 0, "size": 524_288_000, "tags": [],
            "created_at": "2026-10-01T08:00:00Z", "updated_at": "2026-10-01T08:00:00Z",
            "self": .string("/v2/images/\(image.id)"), "file": .string("/v2/images/\(image.id)/file"),
            "schema": "/v2/schemas/image",
        ]
    }
}
