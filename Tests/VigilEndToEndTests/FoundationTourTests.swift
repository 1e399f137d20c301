import Foundation
import Testing
import VigilEngine
import VigilServer

/// The foundation issue's tour, run through the built `vigil` binary as a user would.
@Suite(.serialized)
struct FoundationTourTests {
    static let pingKey = "5f2b8c1e9d7a4e3b"

    /// The issue's example file as written, with only the ports changed to free ones.
    static func exampleConfig(webhookPort: Int) -> String {
        """
        listen: 127.0.0.1:8080
        ping_key: 5f2b8c1e9d7a4e3b            # project ping key for slug URLs
        monitors:
          nightly-backup:
            schedule: "30 2 * * *"            # cron, 5 fields
            tz: Europe/Berlin
            grace: 30m
          content-pipeline:
            every: 4h
            grace: 15m
            progress: [post.published, thread.published]   # only these kinds count as progress
          agent:
            every: 2s
            grace: 1s
            max_runtime: 10s                  # a started run must end within this
        notify:
          - webhook: http://127.0.0.1:\(webhookPort)/hook
        """
    }

    @Test func pingStallNotifyKillAndRestart() async throws {
        let receiver = WebhookReceiver()
        try await receiver.start()
        let server = try ServerProcess(config: Self.exampleConfig(webhookPort: receiver.port))
        try await server.start()
        defer { server.stop() }
        let env = ["VIGIL_URL": server.url, "VIGIL_API_KEY": server.apiKey]

        let backup = try await server.monitor("nightly-backup")
        #expect(backup.state == "new")
        #expect(backup.pingURL == "\(server.url)/ping/\(backup.key ?? "")")

        // curl, by UUID and by slug, as existing cron lines do.
        var acknowledged: [String: Int] = [:]
        let byUUID = try await Command.curl(["-w", "%{http_code}", "-o", "/dev/null", "\(server.url)/ping/\(backup.key ?? "")"])
        #expect(byUUID.stdout == "200")
        acknowledged["nightly-backup", default: 0] += 1
        let bySlug = try await Command.curl([
            "-w", "%{http_code}", "-o", "/dev/null", "-X", "POST", "--data", "backup done",
            "\(server.url)/ping/\(Self.pingKey)/nightly-backup/0",
        ])
        #expect(bySlug.stdout == "200")
        acknowledged["nightly-backup", default: 0] += 1
        #expect(try await server.monitor("nightly-backup").state == "up")

        // vigil ping: a success ping is not progress for content-pipeline, a typed signal is.
        let plain = try await Command.vigil(["ping", "content-pipeline", "--ping-key", Self.pingKey], environment: env)
        #expect(plain.status == 0, "\(plain.stderr)")
        acknowledged["content-pipeline", default: 0] += 1
        #expect(try await server.monitor("content-pipeline").state == "new")
        let typed = try await Command.vigil(
            ["ping", "content-pipeline", "--signal", "post.published", "--value", "1"],
            environment: env.merging(["VIGIL_PING_KEY": Self.pingKey]) { $1 }
        )
        #expect(typed.status == 0, "\(typed.stderr)")
        acknowledged["content-pipeline", default: 0] += 1
        #expect(try await server.monitor("content-pipeline").state == "up")

        // The agent pings once by UUID, then goes quiet and must be found stalled, with a webhook.
        let agent = try await server.monitor("agent")
        let agentPing = try await Command.vigil(["ping", try #require(agent.key)], environment: env)
        #expect(agentPing.status == 0, "\(agentPing.stderr)")
        acknowledged["agent", default: 0] += 1
        try await eventually("agent stalled in vigil status --json") {
            let status = try await Command.vigil(["status", "--json"], environment: env)
            let monitors = try VigilJSONDecoding.monitors(status.stdout)
            return monitors.first { $0.slug == "agent" }?.state == "stalled"
        }
        try await eventually("a webhook saying agent stalled") {
            receiver.received.contains {
                $0.payload.event == "state_changed" && $0.payload.monitor == "agent" && $0.payload.newState == "stalled"
            }
        }
        let notice = try #require(receiver.received.first {
            $0.payload.event == "state_changed" && $0.payload.newState == "stalled"
        })
        let stalled = try await server.monitor("agent")
        #expect(notice.payload.oldState == "late")
        #expect(notice.payload.incidentID == stalled.incidentID)
        #expect(notice.payload.pingURL == agent.pingURL)
        #expect(notice.idempotencyKey?.isEmpty == false)
        // The stall is stamped at its deadline: last progress + 2 s period + 1 s grace.
        let lastProgress = try #require(stalled.lastProgress)
        #expect(abs(notice.payload.at.timeIntervalSince(lastProgress) - 3) < 0.002)
        #expect(abs(try #require(notice.payload.onset).timeIntervalSince(lastProgress) - 2) < 0.002)

        // kill -9, restart: state and every acknowledged signal are still there.
        let before = try await server.monitors()
        server.kill9()
        try await server.start()
        let after = try await server.monitors()
        #expect(after.map(\.slug) == before.map(\.slug))
        #expect(after.map(\.key) == before.map(\.key))
        #expect(after.first { $0.slug == "agent" }?.state == "stalled")
        #expect(after.first { $0.slug == "agent" }?.incidentID == stalled.incidentID)
        #expect(after.first { $0.slug == "content-pipeline" }?.state == "up")
        for (slug, count) in acknowledged {
            let signals = try await server.signals(slug)
            #expect(signals.count == count, "\(slug): \(signals.map(\.kind))")
        }
        let backupSignals = try await server.signals("nightly-backup")
        #expect(backupSignals.first?.body == "backup done")
        await receiver.stop()
    }

    @Test func aStallWhileDownIsFoundAtStartWithItsTrueOnset() async throws {
        let server = try ServerProcess(config: Self.exampleConfig(webhookPort: 9))
        try await server.start()
        defer { server.stop() }
        let agent = try await server.monitor("agent")
        let ping = try await Command.curl(["-w", "%{http_code}", "-o", "/dev/null", "\(server.url)/ping/\(agent.key ?? "")"])
        #expect(ping.stdout == "200")
        let pinged = try #require(try await server.monitor("agent").lastProgress)
        server.kill9()
        // Stay down past the deadline (2 s period + 1 s grace after the ping).
        try await Task.sleep(for: .milliseconds(3_500))
        try await server.start()
        let restarted = try await server.monitor("agent")
        #expect(restarted.state == "stalled")
        let journal = try await server.journal("agent")
        let stall = try #require(journal.first { $0.to == "stalled" })
        #expect(abs(stall.at.timeIntervalSince(pinged) - 3) < 0.002)
        #expect(stall.noticedAt.timeIntervalSince(stall.at) > 0.4)
        let late = try #require(journal.first { $0.to == "late" })
        #expect(abs(late.at.timeIntervalSince(pinged) - 2) < 0.002)
    }

    @Test func runWrapsACommandAndKeepsItsStatus() async throws {
        let server = try ServerProcess(config: Self.exampleConfig(webhookPort: 9))
        try await server.start()
        defer { server.stop() }
        let env = ["VIGIL_URL": server.url, "VIGIL_PING_KEY": Self.pingKey, "VIGIL_API_KEY": server.apiKey]
        let run = try await Command.vigil(
            ["run", "nightly-backup", "--", "/bin/sh", "-c", "echo copying; echo disk slow >&2; exit 3"],
            environment: env
        )
        #expect(run.status == 3)
        #expect(run.stdout.contains("copying"))
        #expect(run.stderr.contains("disk slow"))
        #expect(try await server.monitor("nightly-backup").state == "failing")
        let signals = try await server.signals("nightly-backup")
        #expect(signals.map(\.kind) == ["exit:3", "start"])
        #expect(signals[0].runID != nil && signals[0].runID == signals[1].runID)
        #expect(signals[0].duration != nil)
        #expect(signals[0].body?.contains("copying") == true && signals[0].body?.contains("disk slow") == true)

        let ok = try await Command.vigil(["run", "nightly-backup", "--", "/bin/true"], environment: env)
        #expect(ok.status == 0)
        #expect(try await server.monitor("nightly-backup").state == "up")

        let missing = try await Command.vigil(["run", "nightly-backup", "--", "no-such-command-xyz"], environment: env)
        #expect(missing.status == 127)
        #expect(missing.stderr.contains("no-such-command-xyz"))
    }

    @Test func commandsSayWhenTheServerIsNotThere() async throws {
        let port = try FreePort.next()
        let status = try await Command.vigil(["status", "--server", "http://127.0.0.1:\(port)", "--retries", "0"])
        #expect(status.status == 3)
        #expect(status.stderr.contains("cannot reach the Vigil server"))
        // vigil run still runs the command and keeps its status when Vigil is down.
        let run = try await Command.vigil([
            "run", "00000000-0000-0000-0000-000000000001", "--server", "http://127.0.0.1:\(port)", "--retries", "0",
            "--", "/bin/sh", "-c", "exit 4",
        ])
        #expect(run.status == 4)
    }

    @Test func checkReportsEveryMistakeWithItsLine() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let good = folder.appendingPathComponent("vigil.yml")
        try Self.exampleConfig(webhookPort: 9000).write(to: good, atomically: true, encoding: .utf8)
        let ok = try await Command.vigil(["check", good.path])
        #expect(ok.status == 0)
        #expect(ok.stdout.contains("3 monitors"))

        let bad = folder.appendingPathComponent("bad.yml")
        try """
            monitors:
              nightly-backup:
                schedule: "30 2 * * *"
                grace: 5x
              agent:
                every: 2s
                gracee: 1s
            """.write(to: bad, atomically: true, encoding: .utf8)
        let failed = try await Command.vigil(["check", bad.path])
        #expect(failed.status == 2)
        let lines = failed.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("\(bad.path):4:") && $0.contains("5x") })
        #expect(lines.contains { $0.hasPrefix("\(bad.path):7:") && $0.contains("grace") })
    }
}

enum VigilJSONDecoding {
    static func monitors(_ text: String) throws -> [MonitorView] {
        try VigilJSON.decoder.decode([MonitorView].self, from: Data(text.utf8))
    }
}
