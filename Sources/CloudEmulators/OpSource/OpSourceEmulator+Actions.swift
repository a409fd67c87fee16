extension OpSourceEmulator {
    private func error(_ httpStatus: Int = 400, operation: String, code: String, detail: String) -> HTTPResponse {
        statusReply(httpStatus, prefix: "ns4", operation: operation, result: "ERROR", code: code, detail: detail)
    }

    func deploy(_ request: HTTPRequest, state: inout OpSourceState, now: Double) -> HTTPResponse {
        let xml = request.bodyText
        let operation = "Deploy Server"
        guard let root = OECXML.root(of: xml), root.localName == "Server", root.namespace == OECNamespace.server else {
            return error(operation: operation, code: "REASON_1", detail: "The request body must be a Server element in namespace \(OECNamespace.server)")
        }
        var fields: [String: String] = [:]
        for name in ["name", "description", "vlanResourcePath", "imageResourcePath", "administratorPassword", "isStarted"] {
            guard let value = OECXML.text(of: name, in: xml) else {
                return error(operation: operation, code: "REASON_1", detail: "Missing element: \(name)")
            }
            fields[name] = value
        }
        guard !fields["name"]!.isEmpty else { return error(operation: operation, code: "REASON_1", detail: "name must not be empty") }
        guard let image = catalog.image(resourcePath: fields["imageResourcePath"]!) else {
            return error(operation: operation, code: "REASON_1", detail: "Image \(fields["imageResourcePath"]!) not found")
        }
        guard let network = catalog.network(resourcePath: fields["vlanResourcePath"]!) else {
            return error(operation: operation, code: "REASON_1", detail: "Network \(fields["vlanResourcePath"]!) not found")
        }
        guard let isStarted = Bool(fields["isStarted"]!.lowercased()) else {
            return error(operation: operation, code: "REASON_1", detail: "isStarted must be true or false")
        }
        guard fields["administratorPassword"]!.count >= 8 else {
            return error(operation: operation, code: "REASON_1", detail: "administratorPassword must have at least 8 characters")
        }
        let o = settings
        let build = core.faults.drawBuild(defaultBoot: o.deployDelay)
        var server = makeServer(
            &state, name: fields["name"]!, description: fields["description"]!, image: image, network: network,
            start: isStarted, now: now, throughAPI: true)
        server.operation = .init(
            action: "DEPLOY_SERVER", requestTime: now, completesAt: now + build.bootSeconds, userName: o.userName,
            numberOfSteps: 3, failureReason: nil, failsOnCompletion: build.fails)
        state.servers.append(server)
        settle(&state, now: now)
        return statusReply(200, prefix: "ns5", operation: operation, result: "SUCCESS", code: "REASON_0",
                           detail: "Server \"Deploy\" issued")
    }

    func serverAction(_ request: HTTPRequest, id: String, state: inout OpSourceState, now: Double) -> HTTPResponse {
        let verbs: [(word: String, operation: String, action: String, detailVerb: String)] = [
            ("start", "Start Server", "START_SERVER", "Start"),
            ("shutdown", "Graceful Shutdown Server", "SHUTDOWN_SERVER", "Graceful Shutdown"),
            ("poweroff", "Power Off Server", "POWER_OFF_SERVER", "Power Off"),
            ("restart", "Restart Server", "RESTART_SERVER", "Restart"),
            ("delete", "Delete Server", "DELETE_SERVER", "Delete"),
        ]
        guard let verb = verbs.first(where: { request.hasQueryItem($0.word) }) else {
            return error(operation: "Server Action", code: "REASON_1", detail: "Unknown or missing server action")
        }
        guard let index = state.servers.firstIndex(where: { $0.id == id }) else {
            return error(operation: verb.operation, code: "REASON_393", detail: "Server with Id \(id) not found")
        }
        let server = state.servers[index]
        if server.isBusy {
            return error(operation: verb.operation, code: "REASON_392", detail: "Operation in progress on Server with Id \(id)")
        }
        // A server left locked by a failed operation can only be deleted.
        if server.isLocked && verb.word != "delete" {
            return error(operation: verb.operation, code: "REASON_392", detail: "Operation in progress on Server with Id \(id)")
        }
        let o = settings
        var delay = o.actionDelay
        switch verb.word {
        case "start":
            guard !server.isStarted else {
                return error(operation: verb.operation, code: "REASON_395", detail: "Server with Id \(id) is already started")
            }
        case "shutdown", "poweroff", "restart":
            guard server.isStarted else {
                return error(operation: verb.operation, code: "REASON_395", detail: "Server with Id \(id) is not started")
            }
        default:
            if server.isStarted && o.deleteRequiresStopped && !server.isLocked {
                return error(operation: verb.operation, code: "REASON_395", detail: "Server with Id \(id) must be stopped before it is deleted")
            }
            delay = o.deleteDelay
            state.servers[index].deleteRequested = true
        }
        state.servers[index].operation = .init(
            action: verb.action, requestTime: now, completesAt: now + delay, userName: o.userName, numberOfSteps: 2,
            failureReason: nil, failsOnCompletion: false)
        settle(&state, now: now)
        return statusReply(200, prefix: "ns12", operation: verb.operation, result: "SUCCESS", code: "REASON_0",
                           detail: "Server \"\(verb.detailVerb)\" issued")
    }
}
