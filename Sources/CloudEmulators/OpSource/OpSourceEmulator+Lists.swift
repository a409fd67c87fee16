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

    private func writeMachineSpecification(_ server: OECServer, to xml: XMLOutput) {
        xml.markup("<machineSpecification>")
        xml.element("cpuCount", server.image.cpuCount)
        xml.element("memoryMb", server.image.memoryMb)
        xml.element("osStorageGb", server.image.osStorageGb)
        xml.element("additionalLocalStorageGb", "0")
        xml.markup("<operatingSystem>")
        xml.element("type", server.image.osType)
        xml.element("displayName", server.image.osDisplayName)
        xml.markup("</operatingSystem></machineSpecification>")
    }

    /// The `<status>` child of a server with an operation in progress or failed.
    private func writeStatus(_ server: OECServer, now: Double, to xml: XMLOutput) {
        guard let operation = server.operation else { return }
        let span = max(0.001, operation.completesAt - operation.requestTime)
        let fraction = operation.failureReason != nil ? 1 : min(0.99, max(0, (now - operation.requestTime) / span))
        let step = min(operation.numberOfSteps, Int(fraction * Double(operation.numberOfSteps)) + 1)
        let stepNames = ["Waiting for operation", "Configuring machine", "Powering on", "Finalizing"]
        xml.markup("<status>")
        xml.element("action", operation.action)
        xml.element("requestTime", time: operation.requestTime)
        xml.element("userName", operation.userName)
        xml.element("numberOfSteps", operation.numberOfSteps)
        xml.element("updateTime", time: min(now, operation.completesAt))
        xml.markup("<step>")
        xml.element("name", stepNames[min(step - 1, stepNames.count - 1)])
        xml.element("number", step)
        xml.element("percentComplete", Int(fraction * 100))
        xml.markup("</step>")
        if let reason = operation.failureReason { xml.element("failureReason", reason) }
        xml.markup("</status>")
    }

    /// What DeployedServer and PendingDeployServer share, in their order.
    private func writeListedServer(_ server: OECServer, to xml: XMLOutput) {
        xml.element("id", server.id)
        xml.element("name", server.name)
        xml.element("description", server.description)
        writeMachineSpecification(server, to: xml)
        xml.element("sourceImageId", server.image.id)
        xml.element("networkId", server.networkID)
        xml.element("privateIpAddress", server.privateIP)
    }

    func deployedXML(_ state: OpSourceState, now: Double) -> XMLOutput {
        let xml = XMLOutput(capacity: 900 * state.servers.count + 400)
        xml.markup(OECXML.declaration + #"<DeployedServers xmlns="\#(OECNamespace.server)"\#(OECXML.declarations([("ns2", OECNamespace.directory), ("ns5", OECNamespace.general)]))>"#)
        for server in state.servers where server.isDeployed {
            xml.markup("<DeployedServer>")
            writeListedServer(server, to: xml)
            xml.element("machineName", server.machineName)
            xml.element("isStarted", server.isStarted)
            xml.element("deployedTime", time: server.deployedAt ?? server.createdAt)
            writeStatus(server, now: now, to: xml)
            xml.markup("</DeployedServer>")
        }
        xml.markup("</DeployedServers>")
        return xml
    }

    func pendingXML(_ state: OpSourceState, now: Double) -> XMLOutput {
        let xml = XMLOutput()
        xml.markup(OECXML.declaration + #"<PendingDeployServers xmlns="\#(OECNamespace.server)"\#(OECXML.declarations([("ns2", OECNamespace.directory), ("ns5", OECNamespace.general)]))>"#)
        for server in state.servers where !server.isDeployed {
            xml.markup("<PendingDeployServer>")
            writeListedServer(server, to: xml)
            writeStatus(server, now: now, to: xml)
            xml.markup("</PendingDeployServer>")
        }
        xml.markup("</PendingDeployServers>")
        return xml
    }

    func serversWithStateReply(_ request: HTTPRequest, state: OpSourceState, now: Double) -> HTTPResponse {
        var servers = state.servers
        if let id = request.queryValue("id"), !id.isEmpty { servers = servers.filter { $0.id == id } }
        if let name = request.queryValue("name"), !name.isEmpty { servers = servers.filter { $0.name == name } }
        let pageSize = min(250, max(1, Int(request.queryValue("pageSize") ?? "") ?? 250))
        let pageNumber = max(1, Int(request.queryValue("pageNumber") ?? "") ?? 1)
        let page = servers.dropFirst((pageNumber - 1) * pageSize).prefix(pageSize)
        let xml = XMLOutput(capacity: 900 * page.count + 400)
        xml.markup(OECXML.declaration
            + #"<ServersWithState xmlns="\#(OECNamespace.server)"\#(OECXML.declarations([("ns3", OECNamespace.directory), ("ns6", OECNamespace.general)])) totalCount="\#(servers.count)" pageCount="\#(page.count)" pageNumber="\#(pageNumber)" pageSize="\#(pageSize)">"#)
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
            let image = server.image
            // Attribute values are ids and catalog names, none of which needs escaping.
            xml.markup(#"<serverWithState id=""#)
            xml.markup(server.id)
            xml.markup(#"" location=""#)
            xml.markup(image.location)
            xml.markup(#"">"#)
            xml.element("name", server.name)
            xml.element("description", server.description)
            xml.markup(#"<operatingSystem id=""#)
            xml.markup(String(image.osDisplayName.filter { $0 != "/" }))
            xml.markup(#"" displayName=""#)
            xml.markup(image.osDisplayName)
            xml.markup(#"" type=""#)
            xml.markup(image.osType)
            xml.markup(#""/>"#)
            xml.element("cpuCount", image.cpuCount)
            xml.element("memoryMb", image.memoryMb)
            xml.markup(#"<disk id=""#)
            xml.markup(String(decoding: server.id.utf8.prefix(8), as: UTF8.self))
            xml.markup(#"-d0" scsiId="0" sizeGb=""#)
            xml.markup(String(image.osStorageGb))
            xml.markup(#"" speed="STANDARD" state="NORMAL"/>"#)
            xml.element("sourceImageId", image.id)
            xml.element("networkId", server.networkID)
            xml.element("machineName", server.machineName)
            xml.element("privateIp", server.privateIP)
            xml.element("created", time: server.createdAt)
            xml.element("isStarted", server.isStarted)
            xml.element("isDeployed", server.isDeployed)
            xml.element("state", stateName)
            if server.isDeployed {
                xml.markup(#"<machineStatus name="vmwareToolsRunningStatus"><value>"#)
                xml.markup(server.isStarted ? "RUNNING" : "NOT_RUNNING")
                xml.markup("</value></machineStatus>")
            }
            writeStatus(server, now: now, to: xml)
            xml.markup("</serverWithState>")
        }
        xml.markup("</ServersWithState>")
        return .xml(200, xml)
    }
}
