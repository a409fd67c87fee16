import TMCloudTransport

/// What one run of the driver produced.
public struct DriverOutcome: Sendable {
    /// Everything for stdout, written in one piece; empty on failure.
    public var stdout: String
    public var exitStatus: Int32
}

/// The driver: reads argv, credentials and configuration, performs one action on the
/// configured cloud, and returns what to print.
///
/// Everything the contract promises across clouds is here, once: idempotent create,
/// name filters, power-off reuse, cleanup of failed nodes, the output envelopes and
/// the single error funnel.
public enum Driver {
    public static let version = "0.1.0"

    /// Runs one action.
    ///
    /// - Parameters:
    ///   - arguments: argv without the program name.
    ///   - environment: the process environment (`ZEUSHOME`).
    ///   - stderr: receives each diagnostic line, and on failure the one error line;
    ///     every line is already redacted.
    public static func run(
        arguments: [String], environment: [String: String], stderr: @escaping (String) -> Void
    ) -> DriverOutcome {
        let redactor = Redactor()
        var actionName = "usage"
        var verbose = false
        // Secrets given on the command line are redacted even if parsing fails later.
        for argument in arguments where argument.lowercased().hasPrefix("--cred2=") {
            redactor.add(String(argument.dropFirst("--cred2=".count)))
        }
        let started = ProcessClock.seconds()
        var run: ActionRun?
        do {
            let invocation = try Invocation.parse(arguments)
            actionName = invocation.action.rawValue
            verbose = invocation.verbose
            let note: (String) -> Void = { line in
                if verbose { stderr("tmcloud: \(redactor.redact(line))") }
            }
            for key in invocation.ignoredKeys { note("ignoring unknown argument --\(Invocation.printable(key))") }
            switch invocation.action {
            case .help: return DriverOutcome(stdout: HelpText.text, exitStatus: 0)
            case .version:
                // The libraries the release driver carries, for whoever checks its fixes.
                if verbose { note(CurlTransport.libraryVersions) }
                return DriverOutcome(stdout: "tmcloud \(version)\n", exitStatus: 0)
            default: break
            }
            let prepared = try ActionRun.prepare(
                invocation, environment: environment, redactor: redactor, note: note, started: started)
            run = prepared
            let output = try prepared.perform()
            prepared.log(result: output.logSummary)
            return DriverOutcome(stdout: output.text, exitStatus: output.exitStatus)
        } catch {
            if actionName == "usage", let word = Self.actionWord(arguments) { actionName = word }
            // One line, whatever a library or a cloud put in the message.
            let line = Invocation.printable("tmcloud: \(actionName): \(redactor.redact(error.message))", limit: 2000)
            run?.log(result: "error exit=\(error.exitStatus) \(error.message)")
            stderr(line)
            return DriverOutcome(stdout: "", exitStatus: error.exitStatus)
        }
    }
}

extension Driver {
    /// The action as the caller spelled it, for the error line of a run that did not
    /// parse: the first bare word or the --action value.
    static func actionWord(_ arguments: [String]) -> String? {
        for a in arguments {
            if a.lowercased().hasPrefix("--action="), a.count > 9 { return Invocation.printable(String(a.dropFirst(9))) }
        }
        guard let word = arguments.first(where: { !$0.hasPrefix("-") && !$0.isEmpty }) else { return nil }
        return Invocation.printable(word)
    }
}

/// What an action prints.
struct ActionOutput {
    var text: String
    var exitStatus: Int32 = 0
    var logSummary: String
}
