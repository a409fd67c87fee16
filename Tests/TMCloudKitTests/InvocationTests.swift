import TMCloudKit
import Testing

@Suite struct InvocationTests {
    /// The action comes first, or as --action anywhere, in any case.
    @Test(arguments: [
        ["status", "--cloudcreds=x"], ["--cloudcreds=x", "--action=status"], ["STATUS"], ["--action=Status", "status"],
    ])
    func actionForms(_ argv: [String]) throws {
        #expect(try Invocation.parse(argv).action == .status)
    }

    /// Values may be empty or hold '=' and spaces; keys are case-insensitive.
    @Test func values() throws {
        let i = try Invocation.parse(["createnode", "--name=a=b", "--imageid=", "--SizeId=s 1"])
        #expect(i.options["name"] == "a=b")
        #expect(i.options["imageid"] == "")
        #expect(i.value("imageid") == nil)
        #expect(i.options["sizeid"] == "s 1")
    }

    /// Keys this release does not know are kept aside, not refused.
    @Test func ignoresUnknownKeys() throws {
        let i = try Invocation.parse(["status", "--extraargs=a,b", "--port=80"])
        #expect(i.ignoredKeys == ["extraargs", "port"])
        #expect(i.options["extraargs"] == nil)
    }

    /// --verbose is a flag, or takes a boolean.
    @Test func verbose() throws {
        #expect(try Invocation.parse(["status", "--verbose"]).verbose)
        #expect(try Invocation.parse(["status", "--verbose=1"]).verbose)
        #expect(try !Invocation.parse(["status", "--verbose=false"]).verbose)
        #expect(try !Invocation.parse(["status"]).verbose)
    }

    /// Bad command lines are usage errors (exit 2) that say what is wrong.
    @Test(arguments: [
        ([], "no action"), (["frobnicate"], "unknown action 'frobnicate'"), (["status", "extra"], "unexpected argument"),
        (["status", "--action=createnode"], "two actions"), (["status", "--name=a", "--name=b"], "given twice"),
        (["-x"], "unexpected argument"), (["--action="], "no action"),
    ] as [([String], String)])
    func rejects(_ argv: [String], _ words: String) {
        do {
            _ = try Invocation.parse(argv)
            Issue.record("accepted \(argv)")
        } catch {
            #expect(error.exitStatus == 2)
            #expect(error.message.contains(words), "\(error.message)")
        }
    }

    /// The same key twice with the same value is harmless.
    @Test func repeatedSameValue() throws {
        #expect(try Invocation.parse(["status", "--name=a", "--name=a"]).options["name"] == "a")
    }
}
