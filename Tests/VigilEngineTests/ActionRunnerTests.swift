import Foundation
import Synchronization
import Testing
import VigilCore
import VigilEngine

/// Actions carried out for real: commands, HTTP requests to a loopback server, and the engine's own effects.
@Suite struct ActionRunnerTests {
    final class Effects: Sendable {
        let calls = Mutex<[String]>([])

        func record(_ call: String) -> ActionOutcome {
            calls.withLock { $0.append(call) }
            return ActionOutcome(status: .succeeded, code: nil, output: call, startedAt: Date(), finishedAt: Date())
        }
    }

    func runner(_ effects: Effects = Effects(), bodyLimit: Int = 65_536) -> ActionRunner {
        ActionRunner(
            bodyLimit: bodyLimit,
            pause: { effects.record("pause \($0)") },
            resume: { effects.record("resume \($0)") },
            notify: { effects.record("notify \($0)") }
        )
    }

    @Test func aCommandActionIsBoundedByTheActionsTimeout() async throws {
        let action = Action(
            name: "restart-agent", kind: .run(CommandSpec(argv: ["sh", "-c", "echo restarting; sleep 300"])), timeout: 1
        )
        let started = ContinuousClock.now
        let outcome = await runner().run(action)
        #expect(ContinuousClock.now - started < .seconds(100))
        #expect(outcome.status == .timedOut)
        #expect(outcome.output == "restarting\n")
        #expect(outcome.finishedAt >= outcome.startedAt)

        let quick = Action(name: "write-article", kind: .run(CommandSpec(argv: ["echo", "article written"])))
        let done = await runner().run(quick)
        #expect(done.status == .succeeded)
        #expect(done.code == 0)
        #expect(done.output == "article written\n")
    }

    @Test func anHTTPActionSucceedsOnlyOnAnExpectedStatus() async throws {
        let server = try await RuntimeSupport.StatusServer.running()

        let echo = HTTPRequestSpec(url: server.url("/echo"), headers: ["X-Probe": "vigil"], body: "restart please")
        let sent = await runner().run(Action(name: "kick", kind: .http(echo), timeout: 10))
        #expect(sent.status == .succeeded)
        #expect(sent.code == 200)
        #expect(sent.output == "vigil restart please")

        let down = await runner().run(Action(name: "kick", kind: .http(HTTPRequestSpec(url: server.url("/down")))))
        #expect(down.status == .failed)
        #expect(down.code == 503)
        #expect(down.output == "maintenance")

        let tolerated = HTTPRequestSpec(url: server.url("/down"), expect: 500...599)
        #expect(await runner().run(Action(name: "kick", kind: .http(tolerated))).status == .succeeded)

        let big = HTTPRequestSpec(method: "GET", url: server.url("/big"))
        let bounded = await runner(bodyLimit: 100).run(Action(name: "fetch", kind: .http(big), timeout: 30))
        #expect(bounded.status == .succeeded)
        #expect(bounded.output == String(repeating: "x", count: 100))

        let started = ContinuousClock.now
        let slow = await runner().run(
            Action(name: "kick", kind: .http(HTTPRequestSpec(url: server.url("/slow"))), timeout: 1))
        #expect(ContinuousClock.now - started < .seconds(100))
        #expect(slow.status == .timedOut)
        #expect(slow.code == nil)
    }

    @Test func anHTTPActionToARefusedPortFails() async throws {
        let port = try RuntimeSupport.unusedPort()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/restart"))
        let outcome = await runner().run(Action(name: "kick", kind: .http(HTTPRequestSpec(url: url)), timeout: 10))
        #expect(outcome.status == .failed)
        #expect(outcome.code == nil)
        #expect(outcome.output == "POST \(url.absoluteString): connection refused")
    }

    @Test func pauseResumeAndNotifyGoToTheEngine() async throws {
        let effects = Effects()
        let runner = runner(effects)
        let paused = await runner.run(Action(name: "halt", kind: .pause(monitor: "trading-bot")))
        #expect(paused.output == "pause trading-bot")
        _ = await runner.run(Action(name: "go", kind: .resume(monitor: "trading-bot")))
        _ = await runner.run(Action(name: "tell", kind: .notify(message: "volatility halted the bot")))
        #expect(
            effects.calls.withLock { $0 } == [
                "pause trading-bot", "resume trading-bot", "notify volatility halted the bot",
            ])
    }
}
