import Foundation
import Testing
import VigilCore
import VigilEngine

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Real processes: timeouts end the whole process group, output stays bounded, statuses map as shells report them.
@Suite struct ProcessRunnerTests {
    let runner = ProcessRunner()

    func shell(_ line: String, outputLimit: Int = 65_536) -> CommandSpec {
        CommandSpec(argv: ["sh", "-c", line], outputLimit: outputLimit)
    }

    @Test func aHangingCommandIsKilledAtItsTimeoutTogetherWithItsChildren() async throws {
        let started = ContinuousClock.now
        let outcome = await runner.run(shell("sleep 300 & echo $!; sleep 300 & echo $!; echo $$; wait"), timeout: 1)
        #expect(ContinuousClock.now - started < .seconds(100))
        #expect(outcome.status == .timedOut)
        #expect(outcome.code == 128 + Int(SIGTERM), "the shell ended by SIGTERM: \(outcome)")
        let pids = RuntimeSupport.pids(in: outcome.output)
        #expect(pids.count == 3, "two sleeps and the shell: \(outcome.output)")
        for pid in pids {
            try await RuntimeSupport.eventually("process \(pid) gone") { !RuntimeSupport.isAlive(pid) }
        }
    }

    @Test func childrenThatIgnoreSIGTERMAreKilledAfterTheGrace() async throws {
        let runner = ProcessRunner(killGrace: 0.5)
        let started = ContinuousClock.now
        let outcome = await runner.run(shell("trap '' TERM; sleep 300 & echo $!; echo $$; wait; wait"), timeout: 1)
        #expect(ContinuousClock.now - started < .seconds(100))
        #expect(outcome.status == .timedOut)
        #expect(outcome.code == 128 + Int(SIGKILL), "the shell ignored SIGTERM: \(outcome)")
        let pids = RuntimeSupport.pids(in: outcome.output)
        #expect(pids.count == 2)
        for pid in pids {
            try await RuntimeSupport.eventually("process \(pid) gone") { !RuntimeSupport.isAlive(pid) }
        }
    }

    @Test func aFloodOfOutputKeepsOnlyTheLastBytes() async throws {
        let outcome = await runner.run(shell("yes | head -c 50000000; echo END", outputLimit: 1000), timeout: 120)
        #expect(outcome.status == .succeeded)
        #expect(outcome.output.utf8.count == 1000)
        #expect(outcome.output.hasSuffix("y\ny\nEND\n"))
    }

    @Test func aFloodThatNeverEndsIsBoundedAndStoppedAtItsTimeout() async throws {
        let started = ContinuousClock.now
        let outcome = await runner.run(CommandSpec(argv: ["yes", "flood"], outputLimit: 4096), timeout: 1)
        #expect(ContinuousClock.now - started < .seconds(100))
        #expect(outcome.status == .timedOut)
        #expect(outcome.output.utf8.count <= 4096)
        #expect(outcome.output.contains("flood\nflood\n"))
    }

    @Test func exitStatusesAndSignalsMapAsShellsReportThem() async throws {
        let success = await runner.run(CommandSpec(argv: ["true"]), timeout: 30)
        #expect(success.status == .succeeded)
        #expect(success.code == 0)

        let three = await runner.run(shell("echo broken; exit 3"), timeout: 30)
        #expect(three.status == .failed)
        #expect(three.code == 3)
        #expect(three.output == "broken\n")

        let killed = await runner.run(shell("kill -KILL $$"), timeout: 30)
        #expect(killed.status == .failed)
        #expect(killed.code == 137)

        let terminated = await runner.run(shell("kill -TERM $$"), timeout: 30)
        #expect(terminated.code == 143)

        let missing = await runner.run(CommandSpec(argv: ["vigil-no-such-command-\(UUID().uuidString)"]), timeout: 30)
        #expect(missing.status == .failed)
        #expect(missing.code == nil)
        #expect(missing.output.contains("command not found"))

        let empty = await runner.run(CommandSpec(argv: []), timeout: 30)
        #expect(empty.status == .failed)
        #expect(empty.output.contains("empty"))
    }

    @Test func argvIsNotInterpretedByAShellUnlessAsked() async throws {
        let plain = await runner.run(CommandSpec(argv: ["echo", "one; echo two", "$HOME"]), timeout: 30)
        #expect(plain.output == "one; echo two $HOME\n")

        let shell = await runner.run(CommandSpec(argv: ["echo one; echo two"], shell: true), timeout: 30)
        #expect(shell.status == .succeeded)
        #expect(shell.output == "one\ntwo\n")
    }

    @Test func workingDirectoryAndEnvironmentReachTheCommand() async throws {
        let directory = try RuntimeSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let command = CommandSpec(
            argv: ["sh", "-c", "pwd; echo \"$VIGIL_TEST_VALUE\"; test -n \"$PATH\" && echo path"],
            workingDirectory: directory.path,
            environment: ["VIGIL_TEST_VALUE": "from the action"]
        )
        let outcome = await runner.run(command, timeout: 30)
        #expect(outcome.status == .succeeded)
        let real = directory.resolvingSymlinksInPath().path
        #expect(outcome.output == "\(real)\nfrom the action\npath\n")

        let nowhere = CommandSpec(argv: ["pwd"], workingDirectory: directory.appendingPathComponent("missing").path)
        let failed = await runner.run(nowhere, timeout: 30)
        #expect(failed.status == .failed)
        #expect(failed.output.contains("does not exist"))
    }

    @Test func standardInputIsEmpty() async throws {
        let outcome = await runner.run(CommandSpec(argv: ["cat"]), timeout: 30)
        #expect(outcome.status == .succeeded)
        #expect(outcome.output == "")
    }

    @Test func aChildLeftRunningDoesNotHoldTheOutcomeBack() async throws {
        let started = ContinuousClock.now
        let outcome = await runner.run(shell("sleep 300 & echo $!"), timeout: 120)
        #expect(ContinuousClock.now - started < .seconds(100))
        #expect(outcome.status == .succeeded)
        let pids = RuntimeSupport.pids(in: outcome.output)
        #expect(pids.count == 1)
        // A command may start a service on purpose: what it left behind keeps running.
        for pid in pids {
            #expect(RuntimeSupport.isAlive(pid))
            kill(pid, SIGKILL)
        }
    }

    @Test func cancellingTheTaskKillsTheProcessGroup() async throws {
        let directory = try RuntimeSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let pidFile = directory.appendingPathComponent("pids").path
        let runner = self.runner
        let started = ContinuousClock.now
        let task = Task {
            await runner.run(
                CommandSpec(argv: ["sh", "-c", "sleep 300 & echo $! >> \"$1\"; echo $$ >> \"$1\"; wait", "sh", pidFile]
                ),
                timeout: 300
            )
        }
        func pids() -> [pid_t] {
            RuntimeSupport.pids(in: (try? String(contentsOfFile: pidFile, encoding: .utf8)) ?? "")
        }
        try await RuntimeSupport.eventually("the command started") { pids().count == 2 }
        task.cancel()
        let outcome = await task.value
        #expect(ContinuousClock.now - started < .seconds(100))
        #expect(outcome.status == .failed)
        #expect(outcome.output.contains("cancelled"))
        for pid in pids() {
            try await RuntimeSupport.eventually("process \(pid) gone") { !RuntimeSupport.isAlive(pid) }
        }
    }

    @Test func everyChildIsReapedBeforeTheOutcomeIsReturned() async throws {
        let leaders = await withTaskGroup(of: [pid_t].self) { group in
            for index in 0..<20 {
                group.addTask {
                    let outcome = await runner.run(shell("echo $$; exit \(index % 3)"), timeout: 30)
                    return RuntimeSupport.pids(in: outcome.output)
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(leaders.count == 20)
        for pid in leaders {
            // A zombie would still be listed in /proc as our child.
            #expect(RuntimeSupport.parent(of: pid) != getpid(), "process \(pid) was not reaped")
        }
    }
}
