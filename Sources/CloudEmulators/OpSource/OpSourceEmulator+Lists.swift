extension OpSourceEmulator {
    func accountXML(_ o: Options) -> String {
        let p = o.directoryPrefix
        let others = [("ns2", OECNamespace.organization), ("ns4", OECNamespace.general), ("ns5", OECNamespace.datacenter)]
            .filter { $0.0 != p }
        return OECXML.declaration
            + "<\(p):Account\(OECXML.declarations(others + [(p, OECNamespace.directory)]))>"
            + OECXML.element("\(p):userName", o.userName) + OECXML.element("\(p):fullName", "Traffic Manager autoscaler")
            + OECXML.element("\(p):firstName", "Traffic") + OECXML.element("\(p):lastName", "Manager")
            + OECXML.element("\(p):emailAddress", "ops@example.com") + OECXML.element("\(p):orgId", o.orgID)
            + "<\(p):roles><\(p):role>" + OECXML.element("\(p):name", "server") + "</\(p):role></\(p):roles>"
            + "</\(p):Account>"
    }

    func imagesXML() -> String {
        var xml = OECXML.declaration + #"<ServerImages xmlns="\#(OECNamespace.server)"\#(OECXML.declarations([("ns2", OECNamespace.directory), ("ns4", OECNamespace.general)]))>"#
        for image in catalog.images {
            xml += "<ServerImage>" + OECXML.element("id", image.id) + OECXML.element("resourcePath", image.resourcePath)
                + OECXML.element("name", image.name) + OECXML.element("description", image.name)
                + "<operatingSystem>" + OECXML.element("type", image.osType)
                + OECXML.element("displayName", image.osDisplayName) + "</operatingSystem>"
                + OECXML.element("location", image.location) + OECXML.element("cpuCount", String(image.cpuCount))
                + OECXML.element("memory", String(image.memoryMb)) + OECXML.element("osStorage", String(image.osStorageGb))
                + OECXML.element("additionalLocalStorage", "0")
                + OECXML.element("deployedTime", "2026-01-15T09:00:00.000Z") + "</ServerImage>"
        }
        return xml + "</ServerImages>"
    }

    func networksXML() -> String {
        var xml = OECXML.declaration + "<ns4:NetworkWithLocations\(OECXML.declarations([("ns2", OECNamespace.directory), ("ns3", OECNamespace.organization), ("ns4", OECNamespace.network)]))>"
        for network in catalog.networks {
            xml += "<ns4:network>" + OECXML.element("ns4:id", network.id) + OECXML.element("ns4:name", network.name)
                + OECXML.element("ns4:description", "") + OECXML.element("ns4:location", network.location)
                + OECXML.element("ns4:privateNet", network.privateNet) + OECXML.element("ns4:multicast", "false")
                + "</ns4:network>"
        }
        return xml + "</ns4:NetworkWithLocations>"
    }

    private func machineSpecification(_ server: OECServer) -> String {
        "<machineSpecification>" + OECXML.element("cpuCount", String(server.image.cpuCount))
            + OECXML.element("memoryMb", String(server.image.memoryMb))
            + OECXML.element("osStorageGb", String(server.image.osStorageGb))
            + OECXML.element("additionalLocalStorageGb", "0")
            + "<operatingSystem>" + OECXML.element("type", server.image.osType)
            + OECXML.element("displayName", server.image.osDisplayName) + "</operatingSystem></machineSpecification>"
    }

    /// The `<status>` child of a server with an operation in progress or failed.
    func statusXML(_ server: OECServer, now: Double) -> String {
        guard let operation = server.operation else { return "" }
        let span = max(0.001, operation.completesAt - operation.requestTime)
        let fraction = operation.failureReason != nil ? 1 : min(0.99, max(0, (now - operation.requestTime) / span))
        let step = min(operation.numberOfSteps, Int(fraction * Double(operation.numberOfSteps)) + 1)
        let stepNames = ["Waiting for operation", "Configuring machine", "Powering on", "Finalizing"]
        var xml = "<status>" + OECXML.element("action", operation.action)
            + OECXML.element("requestTime", Timestamp.iso8601Milli(operation.requestTime))
            + OECXML.element("userName", operation.userName)
            + OECXML.element("numberOfSteps", String(operation.numberOfSteps))
            + OECXML.element("updateTime", Timestamp.iso8601Milli(min(now, operation.completesAt)))
            + "<step>" + OECXML.element("name", stepNames[min(step - 1, stepNames.count - 1)])
            + OECXML.element("number", String(step))
            + OECXML.element("percentComplete", String(Int(fraction * 100))) + "</step>"
        if let reason = operation.failureReason { xml += OECXML.element("failureReason", reason) }
        return xml + "</status>"
    }

    func deployedXML(_ state: OpSourceState, now: Double) -> String {
        var xml = OECXML.declaration + #"<DeployedServers xmlns="\#(OECNamespace.server)"\#(OECXML.declarations([("ns2", OECNamespace.directory), ("ns5", OECNamespace.general)]))>"#
        for server in state.servers where server.isDeployed {
            xml += "<DeployedServer>" + OECXML.element("id", server.id) + OECXML.element("name", server.name)
                + OECXML.element("description", server.description) + machineSpecification(server)
                + OECXML.element("sourceImageId", server.image.id) + OECXML.element("networkId", server.networkID)
                + OECXML.element("privateIpAddress", server.privateIP) + OECXML.element("machineName", server.machineName)
                + OECXML.element("isStarted", server.isStarted ? "true" : "false")
                + OECXML.element("deployedTime", Timestamp.iso8601Milli(server.deployedAt ?? server.createdAt))
                + statusXML(server, now: now) + "</DeployedServer>"
        }
        return xml + "</DeployedServers>"
    }

    func pendingXML(_ state: OpSourceState, now: Double) -> String {
        var xml = OECXML.declaration + #"<PendingDeployServers xmlns="\#(OECNamespace.server)"\#(OECXML.declarations([("ns2", OECNamespace.directory), ("ns5", OECNamespace.general)]))>"#
        for server in state.servers where !server.isDeployed {
            xml += "<PendingDeployServer>" + OECXML.element("id", server.id) + OECXML.element("name", server.name)
                + OECXML.element("description", server.description) + machineSpecification(server)
                + OECXML.element("sourceImageId", server.image.id) + OECXML.element("networkId", server.networkID)
                + OECXML.element("privateIpAddress", server.privateIP) + statusXML(server, now: now)
                + "</PendingDeployServer>"
        }
        return xml + "</PendingDeployServers>"
    }

    func serversWithStateReply(_ request: HTTPRequest, state: OpSourceState, now: Double) -> HTTPResponse {
        var servers = state.servers
        if let id = request.queryValue("id"), !id.isEmpty { servers = servers.filter { $0.id == id } }
        if let name = request.queryValue("name"), !name.isEmpty { servers = servers.filter { $0.name == name } }
        let pageSize = min(250, max(1, Int(request.queryValue("pageSize") ?? "") ?? 250))
        let pageNumber = max(1, Int(request.queryValue("pageNumber") ?? "") ?? 1)
        let page = Array(servers.dropFirst((pageNumber - 1) * pageSize).prefix(pageSize))
        var xml = OECXML.declaration
            + #"<ServersWithState xmlns="\#(OECNamespace.server)"\#(OECXML.declarations([("ns3", OECNamespace.directory), ("ns6", OECNamespace.general)])) totalCount="\#(servers.count)" pageCount="\#(page.count)" pageNumber="\#(pageNumber)" pageSize="\#(pageSize)">"#
        for server in page {
            let stateName: String
            if server.isLocked {
                stateName = server.isDeployed ? "FAILED_CHANGE" : "FAILED_ADD"
            } else if let operation = server.operation {
                stateName = operation.action == "DEPLOY_SERVER" ? "PENDING_ADD"
                    : operation.action == "DELETE_SERVER" ? "PENDING_DELETE" : "PENDING_CHANGE"
            } else {
                stateName = "NORMAL"
            }
            xml += #"<serverWithState id="\#(server.id)" location="\#(server.image.location)">"#
                + OECXML.element("name", server.name) + OECXML.element("description", server.description)
                + #"<operatingSystem id="\#(server.image.osDisplayName.replacingOccurrences(of: "/", with: ""))" displayName="\#(server.image.osDisplayName)" type="\#(server.image.osType)"/>"#
                + OECXML.element("cpuCount", String(server.image.cpuCount))
                + OECXML.element("memoryMb", String(server.image.memoryMb))
                + #"<disk id="\#(server.id.prefix(8))-d0" scsiId="0" sizeGb="\#(server.image.osStorageGb)" speed="STANDARD" state="NORMAL"/>"#
                + OECXML.element("sourceImageId", server.image.id) + OECXML.element("networkId", server.networkID)
                + OECXML.element("machineName", server.machineName) + OECXML.element("privateIp", server.privateIP)
                + OECXML.element("created", Timestamp.iso8601Milli(server.createdAt))
                + OECXML.element("isStarted", server.isStarted ? "true" : "false")
                + OECXML.element("isDeployed", server.isDeployed ? "true" : "false")
                + OECXML.element("state", stateName)
                + (server.isDeployed ? #"<machineStatus name="vmwareToolsRunningStatus"><value>\#(server.isStarted ? "RUNNING" : "NOT_RUNNING")</value></machineStatus>"# : "")
                + statusXML(server, now: now) + "</serverWithState>"
        }
        return .xml(200, xml + "</ServersWithState>")
    }
}
