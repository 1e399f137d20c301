import Foundation
import Testing

/// The healthchecks.io Management API v3 with real `curl` against the built `vigil serve`: the calls of its own
/// documentation, changing only the host.
@Suite struct HealthchecksCurlTests {
    @Test func theDocumentedCurlCallsWorkAgainstVigil() async throws {
        let server = try ServerProcess(config: """
            monitors:
              nightly-backup:
                every: 1d
                tags: [prod]
            """)
        try await server.start()
        defer { server.stop() }
        let api = server.url + "/api/v3"
        let key = "X-Api-Key: \(server.apiKey)"

        func json(_ outcome: Outcome) throws -> [String: Any] {
            try #require(
                JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any],
                "not JSON: \(outcome.stdout) \(outcome.stderr)")
        }

        let missing = try await Command.curl(["--max-time", "10", "\(api)/checks/"])
        #expect(try json(missing)["error"] as? String == "missing api key")

        // As in healthchecks.io's docs: --data without a Content-Type, and 201 for a new check.
        let created = try await Command.curl([
            "--max-time", "10", "--write-out", "\n%{http_code}", "\(api)/checks/", "--header", key,
            "--data", #"{"name": "Backups", "tags": "prod www", "timeout": 3600, "grace": 60}"#,
        ])
        let lines = created.stdout.split(separator: "\n")
        #expect(lines.last == "201", "\(created.stdout) \(created.stderr)")
        let check = try #require(
            JSONSerialization.jsonObject(with: Data(lines.dropLast().joined(separator: "\n").utf8)) as? [String: Any])
        let pingURL = try #require(check["ping_url"] as? String)
        let uuid = try #require(check["uuid"] as? String)
        #expect(pingURL == "\(server.url)/ping/\(uuid)")

        let ping = try await Command.curl(["--fail", "--max-time", "10", pingURL])
        #expect(ping.status == 0, "\(ping.stderr)")
        let listed = try json(try await Command.curl(["--max-time", "10", "--header", key, "\(api)/checks/?tag=prod"]))
        let checks = try #require(listed["checks"] as? [[String: Any]])
        #expect(Set(checks.compactMap { $0["slug"] as? String }) == ["backups", "nightly-backup"])
        #expect(checks.first { $0["uuid"] as? String == uuid }?["status"] as? String == "up")

        let paused = try json(try await Command.curl([
            "--max-time", "10", "\(api)/checks/\(uuid)/pause", "--request", "POST", "--header", key, "--data", "",
        ]))
        #expect(paused["status"] as? String == "paused")
        let deleted = try json(try await Command.curl([
            "--max-time", "10", "\(api)/checks/\(uuid)", "--request", "DELETE", "--header", key,
        ]))
        #expect(deleted["uuid"] as? String == uuid)
        let status = try await Command.curl(["--fail", "--max-time", "10", "\(api)/status/"])
        #expect(status.stdout == "OK")
    }
}
