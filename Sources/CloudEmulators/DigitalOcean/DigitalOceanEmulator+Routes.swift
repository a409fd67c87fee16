import TMCloudJSON

extension DigitalOceanEmulator {
    public func route(_ request: HTTPRequest) -> HTTPResponse {
        guard let token = bearerToken(request), state.withLock({ $0.tokens.contains(token) }) else {
            return Self.error(401, "unauthorized", "Unable to authenticate you.")
        }
        let now = time.now
        return state.withLock { state in
            let limit = rateLimitHeaders(&state, token: token, now: now, counting: true)
            var reply: HTTPResponse
            if limit.exhausted {
                reply = Self.error(429, "too_many_requests", "API Rate limit exceeded.")
                reply.setHeader("Retry-After", String(limit.retryAfter))
            } else {
                settle(&state, now: now)
                reply = routeAuthenticated(request, state: &state, now: now)
            }
            for (name, value) in limit.headers { reply.setHeader(name, value) }
            return reply
        }
    }

    private func routeAuthenticated(_ request: HTTPRequest, state: inout DOState, now: Double) -> HTTPResponse {
        let segments = request.pathSegments
        guard segments.first == "v2", segments.count >= 2 else { return notFound() }
        let r = RouteMatcher(method: request.method, segments: Array(segments.dropFirst()))
        if r.on("GET", "account") != nil {
            return .json(200, ["account": [
                "droplet_limit": 500, "floating_ip_limit": 3, "email": "ops@example.com",
                "uuid": "b6fr89dbf6d9156cace5f3c78dc9851d957381ef", "email_verified": true,
                "status": "active", "status_message": "",
            ]])
        }
        if r.on("GET", "regions") != nil {
            return .json(200, ["regions": .array(catalog.regions.map(catalog.regionJSON)), "links": [:], "meta": ["total": catalog.regions.count.json]])
        }
        if r.on("GET", "sizes") != nil {
            return .json(200, ["sizes": .array(catalog.sizes.map(catalog.sizeJSON)), "links": [:], "meta": ["total": catalog.sizes.count.json]])
        }
        if r.on("GET", "images") != nil {
            return .json(200, ["images": .array(catalog.images.map(catalog.imageJSON)), "links": [:], "meta": ["total": catalog.images.count.json]])
        }
        if let captured = r.on("GET", "images/*") {
            guard let image = catalog.image(captured[0]) else { return notFound() }
            return .json(200, ["image": catalog.imageJSON(image)])
        }
        if r.on("GET", "droplets") != nil { return listDroplets(request, state: state) }
        if r.on("POST", "droplets") != nil { return createDroplet(request, state: &state, now: now) }
        if r.on("DELETE", "droplets") != nil {
            guard let tag = request.queryValue("tag_name"), !tag.isEmpty else {
                return Self.error(422, "unprocessable_entity", "tag_name is required to delete droplets in bulk")
            }
            for droplet in state.droplets.values where droplet.tags.contains(tag) && droplet.destroyRequestedAt == nil {
                requestDelete(droplet.id, state: &state, now: now)
            }
            return .empty(204)
        }
        if let captured = r.on("GET", "droplets/*") {
            guard let droplet = Int(captured[0]).flatMap({ state.droplets[$0] }) else { return notFound() }
            return .json(200, dropletDocument(droplet))
        }
        if let captured = r.on("DELETE", "droplets/*") {
            guard let id = Int(captured[0]), let droplet = state.droplets[id], droplet.destroyRequestedAt == nil else {
                return notFound()
            }
            requestDelete(id, state: &state, now: now)
            return .empty(204)
        }
        if let captured = r.on("POST", "droplets/*/actions") {
            guard let droplet = Int(captured[0]).flatMap({ state.droplets[$0] }) else { return notFound() }
            return dropletAction(request, droplet: droplet, state: &state, now: now)
        }
        if let captured = r.on("GET", "actions/*") ?? r.on("GET", "droplets/*/actions/*").map({ [$0[1]] }) {
            guard let action = Int(captured[0]).flatMap({ state.actions[$0] }) else { return notFound() }
            return .json(200, ["action": action.json])
        }
        return notFound()
    }

    func notFound() -> HTTPResponse {
        Self.error(404, "not_found", "The resource you were accessing could not be found.")
    }

    private func requestDelete(_ id: Int, state: inout DOState, now: Double) {
        state.droplets[id]?.destroyRequestedAt = now
        settle(&state, now: now)
    }

    // MARK: - List

    private func listDroplets(_ request: HTTPRequest, state: DOState) -> HTTPResponse {
        let tag = request.queryValue("tag_name").flatMap { $0.isEmpty ? nil : $0 }
        let name = request.queryValue("name").flatMap { $0.isEmpty ? nil : $0 }
        if tag != nil && name != nil {
            return Self.error(422, "unprocessable_entity", "tag_name cannot be combined with name or type")
        }
        let page = max(1, Int(request.queryValue("page") ?? "") ?? 1)
        let perPage = min(200, max(1, Int(request.queryValue("per_page") ?? "") ?? 20))
        // Oldest first: ids only grow.
        let matching = state.droplets.keys.sorted().filter { id in
            let droplet = state.droplets[id]!
            return (tag == nil || droplet.tags.contains(tag!))
                && (name == nil || droplet.name.lowercased() == name!.lowercased())
        }
        let lastPage = max(1, (matching.count + perPage - 1) / perPage)
        let slice = matching.dropFirst((page - 1) * perPage).prefix(perPage)

        var filters = ""
        if let tag { filters += "&tag_name=\(PercentEncoding.encode(tag))" }
        if let name { filters += "&name=\(PercentEncoding.encode(name))" }
        func link(_ number: Int) -> JSONValue {
            .string("\(baseURL)/v2/droplets?page=\(number)&per_page=\(perPage)\(filters)")
        }
        var pages = JSONObject()
        if page > 1 {
            pages["first"] = link(1)
            pages["prev"] = link(min(page - 1, lastPage))
        }
        if page < lastPage {
            pages["next"] = link(page + 1)
            pages["last"] = link(lastPage)
        }
        var json = JSONOutput(capacity: 1300 * slice.count + 600)
        json.object { body in
            body.key("droplets")
            body.array { list in
                for id in slice { state.droplets[id]!.write(to: &list, catalog: renderedCatalog) }
            }
            body.field("links", ["pages": .object(pages)])
            body.field("meta", ["total": matching.count.json])
        }
        return .json(200, json)
    }

    // MARK: - Create

    private func createDroplet(_ request: HTTPRequest, state: inout DOState, now: Double) -> HTTPResponse {
        guard let body = request.jsonObject else {
            return Self.error(400, "bad_request", "The request body must be a JSON object.")
        }
        func invalid(_ message: String) -> HTTPResponse { Self.error(422, "unprocessable_entity", message) }
        if body["names"] != nil {
            return invalid("Creating several droplets in one request is not emulated; send one name.")
        }
        guard let name = body["name"]?.stringValue, !name.isEmpty else { return invalid("Name is required.") }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }) else {
            return invalid("Name is invalid: only valid hostname characters are allowed. (a-z, A-Z, 0-9, . and -)")
        }
        guard let sizeSlug = body["size"]?.stringValue else { return invalid("Size is required.") }
        guard let imageReference = body["image"]?.scalarText else { return invalid("Image is required.") }
        let regionSlug = body["region"]?.stringValue ?? "lon1"
        guard let region = catalog.region(regionSlug), region.available else {
            return invalid("You specified an invalid region for Droplet creation.")
        }
        guard let size = catalog.size(sizeSlug) else { return invalid("You specified an invalid size for Droplet creation.") }
        guard size.available, size.regions.contains(region.slug) else {
            return invalid("Size is not available in this region.")
        }
        guard let image = catalog.image(imageReference), image.status == "available" else {
            return invalid("You specified an invalid image for Droplet creation.")
        }
        guard image.regions.contains(region.slug) else { return invalid("Image is not available in this region.") }
        let tags = body["tags"]?.stringArray ?? []
        let (bootDelay, _) = options.withLock { ($0.bootDelay, $0.actionDelay) }
        let build = core.faults.drawBuild(defaultBoot: bootDelay)
        var droplet = makeDroplet(
            state: &state, name: name, size: size, image: image, region: region, tags: tags, now: now,
            throughAPI: true, ipv6: body["ipv6"]?.boolValue ?? false, vpcUUID: body["vpc_uuid"]?.stringValue)
        droplet.status = "new"
        state.droplets[droplet.id] = droplet
        let action = startAction(
            state: &state, type: "create", droplet: droplet, now: now, duration: build.bootSeconds,
            effect: .create(fails: build.fails))
        var json = JSONOutput(capacity: 1500)
        json.object { body in
            body.key("droplet")
            droplet.write(to: &body, catalog: renderedCatalog)
            body.field("links", ["actions": [["id": action.id.json, "rel": "create", "href": .string("\(baseURL)/v2/actions/\(action.id)")]]])
        }
        return .json(202, json)
    }

    @discardableResult
    func startAction(
        state: inout DOState, type: String, droplet: DODroplet, now: Double, duration: Double, effect: DOAction.Effect
    ) -> DOAction {
        let action = DOAction(
            id: state.nextActionID, type: type, status: "in-progress", startedAt: now,
            completesAt: now + duration, resourceID: droplet.id, region: droplet.region, effect: effect)
        state.nextActionID += 1
        state.actions[action.id] = action
        return action
    }

    // MARK: - Droplet actions

    private func dropletAction(_ request: HTTPRequest, droplet: DODroplet, state: inout DOState, now: Double) -> HTTPResponse {
        func invalid(_ message: String) -> HTTPResponse { Self.error(422, "unprocessable_entity", message) }
        guard let body = request.jsonObject, let type = body["type"]?.stringValue else {
            return invalid("Action type is required.")
        }
        if droplet.locked || droplet.status == "new" || droplet.destroyRequestedAt != nil {
            return invalid("Droplet already has a pending event.")
        }
        let effect: DOAction.Effect
        switch type {
        case "power_on":
            guard droplet.status == "off" else { return invalid("Droplet is already powered on.") }
            effect = .powerOn
        case "power_off", "shutdown":
            guard droplet.status == "active" else { return invalid("Droplet is already powered off.") }
            effect = .powerOff
        case "reboot":
            guard droplet.status == "active" else { return invalid("Droplet is powered off.") }
            effect = .reboot
        case "power_cycle":
            effect = .reboot
        case "rename":
            guard let name = body["name"]?.stringValue, !name.isEmpty else { return invalid("Name is required.") }
            effect = .rename(name)
        default:
            return invalid("Unknown or unsupported action type: \(type)")
        }
        let delay = options.withLock { $0.actionDelay }
        state.droplets[droplet.id]?.locked = true
        let action = startAction(state: &state, type: type, droplet: droplet, now: now, duration: delay, effect: effect)
        return .json(201, ["action": action.json])
    }
}
