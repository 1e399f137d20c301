import Foundation
import Testing
import VigilEngine
import VigilServer

/// `vigil status --json` passes the server's list on as it arrives instead of decoding and encoding it again.
@Suite struct StatusCommandTests {
    @Test func statusJSONPrintsExactlyWhatTheServerAnswersAndEveryMonitorInIt() async throws {
        let server = try ServerProcess(config: """
            monitors:
              backup:
                every: 1d
                tags: [nightly]
              agent:
                every: 1h
            """)
        try await server.start()
        defer { server.stop() }
        let dataDir = server.dataDirectory.path
        _ = try await Command.curl(["--fail", "\(server.url)/ping/\(try await server.monitor("agent").key ?? "")"])

        let status = try await Command.vigil(["status", "--json", "--server", server.url, "--data-dir", dataDir])
        #expect(status.status == 0, "\(status.stderr)")
        let body = try await Command.curl(
            ["--fail", "-H", "X-Api-Key: \(server.apiKey)", "\(server.url)/api/v1/monitors"])
        #expect(status.stdout == body.stdout + "\n")
        let monitors = try VigilJSON.decoder.decode([MonitorView].self, from: Data(status.stdout.utf8))
        #expect(monitors.map(\.slug) == ["agent", "backup"])
        #expect(monitors.first?.lastProgress != nil, "the ping did not show")

        // A server that is not there is a clear error, not half a list.
        server.stop()
        let gone = try await Command.vigil(
            ["status", "--json", "--server", server.url, "--data-dir", dataDir, "--retries", "0"])
        #expect(gone.status == 3, "\(gone.stdout)")
        #expect(gone.stdout.isEmpty)
        #expect(gone.stderr.contains("cannot reach the Vigil server"), "\(gone.stderr)")
    }
}
