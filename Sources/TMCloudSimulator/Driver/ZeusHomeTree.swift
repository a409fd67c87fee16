import Foundation

/// A `$ZEUSHOME` laid out as the Traffic Manager keeps it, for the driver to read:
/// `zxtm/conf/cloudcredentials/<name>` with `cred1 <configfile>` and `cred2 <secret>`,
/// and the driver configuration as an extra file in `zxtm/conf/extra/`.
public struct ZeusHomeTree: Sendable {
    public let path: String

    /// Creates the folders under `path` (which may already exist).
    public init(path: String) throws {
        self.path = path
        for dir in ["zxtm/conf/cloudcredentials", "zxtm/conf/extra", "zxtm/internal", "zxtm/log"] {
            try FileManager.default.createDirectory(atPath: path + "/" + dir, withIntermediateDirectories: true)
        }
    }

    /// Creates a fresh tree in the temporary folder.
    public static func temporary() throws -> ZeusHomeTree {
        let dir = NSTemporaryDirectory() + "tmcloud-sim-zeushome-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return try ZeusHomeTree(path: dir)
    }

    /// Writes the driver configuration and a Cloud Credentials object naming it.
    public func install(cloudCredentials name: String, configFile: String, config: String, secret: String) throws {
        try write("zxtm/conf/extra/" + configFile, config, mode: 0o600)
        try write("zxtm/conf/cloudcredentials/" + name, "cred1 \(configFile)\ncred2 \(secret)\n", mode: 0o600)
    }

    public func credentialsExist(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/zxtm/conf/cloudcredentials/" + name)
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }

    private func write(_ relative: String, _ text: String, mode: Int) throws {
        let file = path + "/" + relative
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file)
    }
}
