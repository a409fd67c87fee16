import Synchronization
import TMCloudJSON
import TMCloudTransport

@testable import TMCloudKit

/// Builds DigitalOcean providers for in-process tests.
enum DigitalOceanTestRig {
    static let token = "dop_v1_test_0123456789abcdef"

    /// A provider reading `config` (lines after `provider digitalocean`), talking
    /// through `transport`.
    static func provider(
        _ config: [String], transport: any HTTPTransport, home: String = "/nonexistent", deadline: Double = 20,
        imageID: String = "", sizeID: String = "", token: String = token, clock: (any RetryClock)? = nil
    ) throws -> (DigitalOceanProvider, ProviderContext) {
        let parsed = try DriverConfig.parse(lines: ["provider digitalocean"] + config, path: "test.cfg")
        let credentials = Credentials(cred1: "test.cfg", cred2: token, cred3: "", objectName: "test")
        let redactor = Redactor()
        redactor.add(token)
        let retryClock = clock ?? SystemRetryClock()
        let client = APIClient(
            transport: transport, requestTimeout: 2, deadline: retryClock.now() + deadline, clock: retryClock)
        let context = ProviderContext(
            config: parsed, credentials: credentials, home: ZeusHome(path: home), client: client,
            redactor: redactor, note: { _ in })
        context.requestedImageID = imageID
        context.requestedSizeID = sizeID
        return (try DigitalOceanProvider(context), context)
    }

    /// A droplet object as the API writes it.
    static func droplet(
        id: Int64, name: String, status: String, locked: Bool = false, publicIP: String? = nil,
        privateIP: String? = nil, createdAt: String = "2026-11-23T10:00:00Z", imageSlug: String? = "ubuntu-24-04-x64",
        imageID: Int64 = 170_000_001, size: String = "s-1vcpu-1gb", tags: [String] = ["tmcloud"]
    ) -> JSONValue {
        var v4: [JSONValue] = []
        if let privateIP { v4.append(["ip_address": .string(privateIP), "gateway": "nil", "type": "private"]) }
        if let publicIP { v4.append(["ip_address": .string(publicIP), "gateway": "203.0.113.1", "type": "public"]) }
        return [
            "id": .int(id), "name": .string(name), "status": .string(status), "locked": .bool(locked),
            "created_at": .string(createdAt),
            "image": ["id": .int(imageID), "slug": imageSlug.map { .string($0) } ?? .null],
            "size_slug": .string(size), "networks": ["v4": .array(v4), "v6": []],
            "tags": .array(tags.map { .string($0) }),
        ]
    }

    static func reply(_ status: Int, _ body: JSONValue? = nil, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: body.map { JSONWriter.bytes($0) } ?? [])
    }
}

/// The JSON type of a value, for comparing request bodies with the documented shapes.
func jsonKind(_ value: JSONValue) -> String {
    switch value {
    case .null: return "null"
    case .bool: return "boolean"
    case .int, .double: return "number"
    case .string: return "string"
    case .array: return "array"
    case .object: return "object"
    }
}

/// The error `body` throws, or nil when it succeeds.
func driverError<T>(_ body: () throws(DriverError) -> T) -> DriverError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
