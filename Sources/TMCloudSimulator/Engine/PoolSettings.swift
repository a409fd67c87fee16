import TMCloudJSON

/// Which address of a node the pool uses (the pool's `ips_to_use`).
public enum IPsToUse: String, Sendable, Equatable, CaseIterable {
    case publicIPs = "publicips"
    case privateIPs = "private_ips"

    /// Also accepts the SOAP spelling `privateips`.
    public init?(setting: String) {
        switch setting {
        case "publicips": self = .publicIPs
        case "private_ips", "privateips": self = .privateIPs
        default: return nil
        }
    }
}

/// A pool's autoscaling settings and those of its Cloud Credentials, by the Traffic
/// Manager's own names, with the Traffic Manager's defaults.
public struct PoolSettings: Sendable, Equatable {
    public var minNodes = 1
    public var maxNodes = 4
    /// Milliseconds a response may take and still conform.
    public var responseTime = 1000.0
    /// Percent of conforming responses below which the pool grows.
    public var scaleUpLevel = 40.0
    /// Percent of conforming responses above which the pool shrinks.
    public var scaleDownLevel = 95.0
    public var hysteresis = 20.0
    public var refractory = 180.0
    public var addNodeDelayTime = 0.0
    public var lastNodeIdleTime = 3600.0
    /// Name prefix of the pool's nodes in the cloud.
    public var name = "sim-web-"
    public var imageID = ""
    public var sizeID = ""
    public var ipsToUse = IPsToUse.publicIPs
    public var port = 80
    /// Cloud Credentials: seconds between status calls.
    public var updateInterval = 30.0
    /// Cloud Credentials: seconds a createnode/destroynode run may take.
    public var cloudAPITimeout = 200.0

    public init() {}

    /// Every setting's name as the Traffic Manager spells it, in display order.
    public static let keys = [
        "min_nodes", "max_nodes", "response_time", "scale_up_level", "scale_down_level", "hysteresis",
        "refractory", "addnode_delaytime", "last_node_idle_time", "name", "imageid", "size_id", "ips_to_use",
        "port", "update_interval", "cloud_api_timeout",
    ]

    /// The setting's value as text (for reports and the summary).
    public func value(of key: String) -> JSONValue? {
        switch key {
        case "min_nodes": return .int(Int64(minNodes))
        case "max_nodes": return .int(Int64(maxNodes))
        case "response_time": return .double(responseTime)
        case "scale_up_level": return .double(scaleUpLevel)
        case "scale_down_level": return .double(scaleDownLevel)
        case "hysteresis": return .double(hysteresis)
        case "refractory": return .double(refractory)
        case "addnode_delaytime": return .double(addNodeDelayTime)
        case "last_node_idle_time": return .double(lastNodeIdleTime)
        case "name": return .string(name)
        case "imageid": return .string(imageID)
        case "size_id": return .string(sizeID)
        case "ips_to_use": return .string(ipsToUse.rawValue)
        case "port": return .int(Int64(port))
        case "update_interval": return .double(updateInterval)
        case "cloud_api_timeout": return .double(cloudAPITimeout)
        default: return nil
        }
    }

    /// Sets one setting from text (command line) or a JSON value (pool JSON, scenario).
    /// Keys that are not pool settings are refused so that a typo is not silently ignored.
    public mutating func set(_ key: String, _ value: JSONValue) throws(SettingError) {
        func number() throws(SettingError) -> Double {
            if let d = value.doubleValue { return d }
            if let s = value.stringValue, let d = Double(s) { return d }
            throw SettingError("\(key) must be a number, not \(JSONWriter.string(value))")
        }
        func nonNegative() throws(SettingError) -> Double {
            let d = try number()
            guard d >= 0, d.isFinite else { throw SettingError("\(key) must be 0 or more, not \(JSONWriter.string(value))") }
            return d
        }
        func count() throws(SettingError) -> Int {
            let d = try nonNegative()
            guard d.rounded() == d, d < 1_000_000 else { throw SettingError("\(key) must be a whole number") }
            return Int(d)
        }
        func text() throws(SettingError) -> String {
            if let s = value.scalarText { return s }
            throw SettingError("\(key) must be a string, not \(JSONWriter.string(value))")
        }
        switch key {
        case "min_nodes": minNodes = try count()
        case "max_nodes": maxNodes = try count()
        case "response_time": responseTime = try nonNegative()
        case "scale_up_level": scaleUpLevel = try nonNegative()
        case "scale_down_level": scaleDownLevel = try nonNegative()
        case "hysteresis": hysteresis = try nonNegative()
        case "refractory": refractory = try nonNegative()
        case "addnode_delaytime": addNodeDelayTime = try nonNegative()
        case "last_node_idle_time": lastNodeIdleTime = try nonNegative()
        case "name": name = try text()
        case "imageid": imageID = try text()
        case "size_id": sizeID = try text()
        case "ips_to_use":
            let s = try text()
            guard let ips = IPsToUse(setting: s) else {
                throw SettingError("ips_to_use must be publicips or private_ips, not \(s)")
            }
            ipsToUse = ips
        case "port":
            let p = try count()
            guard (1...65535).contains(p) else { throw SettingError("port must be 1..65535, not \(p)") }
            port = p
        case "update_interval":
            let d = try nonNegative()
            guard d >= 1 else { throw SettingError("update_interval must be at least 1") }
            updateInterval = d
        case "cloud_api_timeout":
            let d = try nonNegative()
            guard d >= 1 else { throw SettingError("cloud_api_timeout must be at least 1") }
            cloudAPITimeout = d
        default:
            throw SettingError("unknown pool setting \(key)")
        }
    }

    /// Problems that make the settings unusable (checked once, after every source is applied).
    public func validate() throws(SettingError) {
        if minNodes > maxNodes { throw SettingError("min_nodes (\(minNodes)) is above max_nodes (\(maxNodes))") }
        if scaleUpLevel >= scaleDownLevel {
            throw SettingError("scale_up_level (\(scaleUpLevel)) must be below scale_down_level (\(scaleDownLevel))")
        }
        if name.isEmpty { throw SettingError("name (the node name prefix) must not be empty") }
    }

    /// Applies the pool JSON the Traffic Manager's REST API returns
    /// (`{"properties":{"auto_scaling":{...},"basic":{...}}}`), or a bare `auto_scaling`
    /// object. Keys of `auto_scaling` that the simulator does not model (enabled, external,
    /// cloud_credentials, extraargs, EC2 and vSphere keys) are read and ignored.
    public mutating func apply(poolJSON: JSONValue) throws(SettingError) {
        let section = poolJSON["properties"]?["auto_scaling"] ?? poolJSON["auto_scaling"] ?? poolJSON
        guard case .object(let object) = section else {
            throw SettingError("pool JSON has no properties.auto_scaling object")
        }
        for (key, value) in object.pairs where Self.keys.contains(key) {
            try set(key, value)
        }
    }

    /// The `auto_scaling` keys the Traffic Manager has that the simulator reads but does not model.
    public static let ignoredPoolKeys: Set<String> = [
        "enabled", "external", "cloud_credentials", "extraargs", "securitygroupids", "subnetids",
        "cluster", "data_center", "data_store",
    ]
}

/// A setting that cannot be used, worded for a one-line error.
public struct SettingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
