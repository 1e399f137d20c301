import Foundation
import Testing
import VigilEngine
import VigilServer

/// The essay's morning through the built binary: `vigil demo`, then its journal read back as a user would.
@Suite(.serialized)
struct DemoTests {
    static let example: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples/content-pipeline")

    @Test func theMorningRecoversWithoutAHuman() async throws {
        let keep = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-demo-test-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: keep) }
        let demo = try await Command.vigil(["demo", "--example", Self.example.path, "--keep", keep.path, "--timeout", "60"])
        #expect(demo.status == 0, "\(demo.stdout)\n\(demo.stderr)")
        let lines = demo.stdout.split(separator: "\n").map(String.init)

        // The timeline, in the order it must happen.
        let expected = [
            "content-pipeline: new → up",
            "pipeline: X API rejects the credential",
            "content-pipeline: up → late",
            "content-pipeline: late → stalled",
            "diagnosis: blocked: reddit-session (reddit-session credential expired (session dropped)), "
                + "x-api (x-api credential expired (expired at 06:11)); available: content-creation, network",
            "attempt.started: attempt 1: write-article",
            "content-pipeline: stalled → recovering",
            "content-pipeline: recovering → up — progress: post.published",
            "recovery: recovered by write-article (attempt 1)",
            "done: zero human intervention",
        ]
        var position = lines.startIndex
        for step in expected {
            guard let found = lines[position...].firstIndex(where: { $0.contains(step) }) else {
                Issue.record("missing, or out of order: \(step)\n\(demo.stdout)")
                return
            }
            position = found
        }
        // Only the cheapest runnable action ran: nothing that needs a blocked credential was tried.
        #expect(!demo.stdout.contains("post-thread"))
        #expect(!demo.stdout.contains("cross-post"))
        let world = keep.appendingPathComponent("world")
        let published = try FileManager.default.contentsOfDirectory(atPath: world.appendingPathComponent("state/published").path)
        #expect(published.count == 1)

        // The journal survives the demo: serve the same world and read the incident back.
        let server = try ServerProcess(config: try String(contentsOf: world.appendingPathComponent("vigil.yml"), encoding: .utf8))
        try FileManager.default.copyItem(at: world.appendingPathComponent(".vigil"), to: server.dataDirectory)
        try await server.start()
        defer { server.stop() }
        let env = ["VIGIL_URL": server.url, "VIGIL_API_KEY": server.apiKey]
        let list = try await Command.vigil(["incidents", "--json", "--monitor", "content-pipeline"], environment: env)
        #expect(list.status == 0, "\(list.stderr)")
        let incidents = try VigilJSON.decoder.decode([IncidentView].self, from: Data(list.stdout.utf8))
        let first = try #require(incidents.last)
        #expect(first.cause == "stall")
        #expect(first.resolution == "progress")
        let mttr = try #require(first.timeToRecover)
        #expect(mttr > 0 && mttr < 60)

        let shown = try await Command.vigil(["incidents", "show", String(first.id.prefix(8))], environment: env)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("blocked    x-api: x-api credential expired (expired at 06:11)"))
        #expect(shown.stdout.contains("available  content-creation"))
        #expect(shown.stdout.contains("1. write-article: succeeded (0), recovered"))
        let timeline = try await Command.vigil(["incidents", "show", first.id, "--json"], environment: env)
        let detail = try VigilJSON.decoder.decode(IncidentDetailView.self, from: Data(timeline.stdout.utf8))
        let events = detail.timeline.map(\.event)
        let order = ["incident.opened", "state", "diagnosis", "attempt.started", "incident.resolved", "recovery"]
        var index = events.startIndex
        for event in order {
            guard let found = events[index...].firstIndex(of: event) else {
                Issue.record("journal lacks \(event) in order: \(events)")
                return
            }
            index = found
        }
        #expect(detail.attempts.map(\.action) == ["write-article"])
        #expect(detail.attempts.first?.result == "recovered")
    }
}
