import ProcessRunner
import TMCloudJSON

#if canImport(Glibc)
import Glibc
#endif

/// A temporary `$ZEUSHOME` tree laid out as a Traffic Manager has it, for running the
/// driver the way the Traffic Manager does.
public final class ZeusHomeFixture: @unchecked Sendable {
    public let path: String

    /// Creates an empty tree under the system's temporary folder.
    public init() {
        let temporary = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(temporary)/tmcloud-zeushome-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "cannot create a temporary ZEUSHOME")
        path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for dir in ["zxtm", "zxtm/conf", "zxtm/conf/cloudcredentials", "zxtm/conf/extra", "zxtm/internal", "zxtm/log"] {
            mkdir(path + "/" + dir, 0o755)
        }
    }

    deinit {
        _ = try? ProcessRunner.run("/bin/rm", arguments: ["-rf", path])
    }

    public var extraDirectory: String { path + "/zxtm/conf/extra" }
    public var internalDirectory: String { path + "/zxtm/internal" }

    /// Writes an uploaded extra file (a driver configuration) and returns its path.
    @discardableResult
    public func addExtraFile(_ name: String, _ contents: String) -> String {
        let file = extraDirectory + "/" + name
        write(file, contents)
        return file
    }

    /// Writes a Cloud Credentials object holding cred1..cred3.
    public func addCredentials(_ name: String, cred1: String, cred2: String, cred3: String? = nil) {
        var text = "cred1 \(cred1)\ncred2 \(cred2)\n"
        if let cred3 { text += "cred3 \(cred3)\n" }
        write(path + "/zxtm/conf/cloudcredentials/" + name, text)
    }

    /// Writes a file anywhere (relative paths are below the tree).
    public func write(_ file: String, _ contents: String) {
        let full = file.hasPrefix("/") ? file : path + "/" + file
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0, "cannot write \(full)")
        let bytes = Array(contents.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    /// Runs the driver with this tree as `ZEUSHOME`.
    public func run(_ arguments: [String], timeout: Double = 60, environment: [String: String] = [:]) -> DriverRun {
        var env = ["ZEUSHOME": path, "PATH": "/usr/bin:/bin"]
        for (k, v) in environment { env[k] = v }
        return DriverRun.run(arguments, environment: env, timeout: timeout)
    }

    /// The names of the files in a folder of the tree.
    public func files(in relative: String) -> [String] {
        guard let dir = opendir(path + "/" + relative) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

/// One finished run of the `tmcloud` executable.
public struct DriverRun: Sendable {
    public var exitStatus: Int32
    public var stdout: String
    public var stderr: String
    public var timedOut: Bool

    public init(exitStatus: Int32, stdout: String, stderr: String, timedOut: Bool) {
        self.exitStatus = exitStatus
        self.stdout = stdout
        self.stderr = stderr
        self.timedOut = timedOut
    }

    /// stdout parsed as JSON; nil when it is not.
    public var json: JSONValue? { try? JSONParser.parse(stdout) }

    /// The nodes of whichever envelope stdout holds.
    public var nodes: [JSONValue] {
        guard case .object(let o)? = json, let envelope = o.pairs.first?.value else { return [] }
        return envelope["nodes"]?.arrayValue ?? []
    }

    /// The stderr lines.
    public var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }

    /// Runs the built `tmcloud` with exactly this environment.
    public static func run(
        _ arguments: [String], environment: [String: String], timeout: Double = 60,
        executable: String = TMCloudBinary.path
    ) -> DriverRun {
        do {
            let r = try ProcessRunner.run(
                executable, arguments: arguments, environment: environment, timeout: timeout)
            return DriverRun(exitStatus: r.exitStatus, stdout: r.stdoutText, stderr: r.stderrText, timedOut: r.timedOut)
        } catch {
            return DriverRun(exitStatus: -1, stdout: "", stderr: "\(error)", timedOut: false)
        }
    }
}

/// Where the built executables are: `TMCLOUD_BIN` when set, else next to the test
/// runner (SwiftPM puts every product of a build in one folder).
public enum TMCloudBinary {
    public static var path: String {
        if let explicit = getenv("TMCLOUD_BIN") { return String(cString: explicit) }
        return buildDirectory + "/tmcloud"
    }

    public static var simulatorPath: String { buildDirectory + "/tmcloud-sim" }

    public static var buildDirectory: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return ".build/debug" }
        let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var parts = exe.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast()
        // The runner may sit inside a bundle folder (…/debug/x.xctest/…): climb out of it.
        while let last = parts.last, last.hasSuffix(".xctest") || last == "Contents" || last == "MacOS" {
            parts.removeLast()
        }
        return parts.joined(separator: "/")
    }
}

/// Sets a file's modification time to `seconds` ago, as if nothing had renewed it
/// since (a pool snapshot grown old); false when the file does not exist.
@discardableResult
public func setAge(of path: String, seconds: Double) -> Bool {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    let then = timespec(tv_sec: now.tv_sec - Int(seconds), tv_nsec: now.tv_nsec)
    let times = [then, then]
    return times.withUnsafeBufferPointer { utimensat(AT_FDCWD, path, $0.baseAddress, 0) } == 0
}
