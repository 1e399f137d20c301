import Foundation
import Testing

@testable import VigilCore

@Suite("SignalKind")
struct SignalKindTests {
    @Test("exit status 0 is a success; other statuses are exit:N")
    func exitKinds() {
        #expect(SignalKind.exit(0) == .success)
        #expect(SignalKind.exit(0).rawValue == "success")
        #expect(SignalKind.exit(1).rawValue == "exit:1")
        #expect(SignalKind.exit(255).rawValue == "exit:255")
    }

    @Test("exitStatus reads N from exit:N and nothing from other kinds")
    func exitStatus() {
        #expect(SignalKind.exit(1).exitStatus == 1)
        #expect(SignalKind.exit(137).exitStatus == 137)
        #expect(SignalKind(rawValue: "exit:42").exitStatus == 42)
        #expect(SignalKind.success.exitStatus == nil)
        #expect(SignalKind.fail.exitStatus == nil)
        #expect(SignalKind.start.exitStatus == nil)
        #expect(SignalKind(rawValue: "exit:").exitStatus == nil)
        #expect(SignalKind(rawValue: "exit:abc").exitStatus == nil)
        #expect(SignalKind(rawValue: "exited:1").exitStatus == nil)
    }

    @Test(
        "fail and non-zero exits are failures; nothing else is",
        arguments: [
            (SignalKind.fail, true), (.exit(1), true), (.exit(2), true), (.exit(255), true),
            (.success, false), (.exit(0), false), (.start, false), (.log, false),
            (SignalKind(rawValue: "post.published"), false), (SignalKind(rawValue: "exit:abc"), false),
        ]
    )
    func isFailure(kind: SignalKind, expected: Bool) {
        #expect(kind.isFailure == expected)
    }

    @Test(
        "success and failures end a run; start, log and typed kinds do not",
        arguments: [
            (SignalKind.success, true), (.fail, true), (.exit(3), true), (.exit(0), true),
            (.start, false), (.log, false), (SignalKind(rawValue: "commit"), false),
        ]
    )
    func endsRun(kind: SignalKind, expected: Bool) {
        #expect(kind.endsRun == expected)
    }

    @Test(
        "typed names: lowercase letters and digits, then . _ - :, up to 64",
        arguments: [
            "commit", "post.published", "job.succeeded", "items_done", "queue-depth", "ns:event", "a", "9lives",
            "v2.0", String(repeating: "a", count: 64), "exits", "started", "logs",
        ]
    )
    func validTypedNames(name: String) {
        #expect(SignalKind.isValidTypedName(name))
    }

    @Test(
        "typed names may not be empty, reserved, an exit status, uppercase or start with punctuation",
        arguments: [
            "", "start", "success", "fail", "log", "exit:1", "exit:0", "exit:", "Commit", "POST", ".hidden", "-x",
            "_x", ":x", "a b", "post/published", "café", "a\n", String(repeating: "a", count: 65), "emoji🙂",
        ]
    )
    func invalidTypedNames(name: String) {
        #expect(!SignalKind.isValidTypedName(name))
    }

    @Test("a kind reads and encodes as its plain name")
    func nameAndCoding() throws {
        let kind = SignalKind(rawValue: "post.published")
        #expect(kind.description == "post.published")
        #expect("\(SignalKind.exit(2))" == "exit:2")
        let json = try JSONEncoder().encode([kind, .exit(2), .success])
        #expect(String(decoding: json, as: UTF8.self) == #"["post.published","exit:2","success"]"#)
        #expect(try JSONDecoder().decode([SignalKind].self, from: json) == [kind, .exit(2), .success])
    }
}
