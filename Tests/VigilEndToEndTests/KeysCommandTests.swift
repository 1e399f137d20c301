import Foundation
import Testing
import VigilServer

/// API keys as a user meets them: the server's own key for the CLI, `vigil keys create` while it runs, and what a
/// read-only key may not do.
@Suite struct KeysCommandTests {
    @Test func keysCreatedWhileTheServerRunsWorkAtOnceAndReadOnlyKeysChangeNothing() async throws {
        let server = try ServerProcess(config: """
            monitors:
              agent:
                every: 1h
            """)
        try await server.start()
        defer { server.stop() }
        let dataDir = server.dataDirectory.path

        // The server wrote its own key for the CLI, readable only by its user.
        let attributes = try FileManager.default.attributesOfItem(atPath: LocalKey.path(in: dataDir))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let status = try await Command.vigil(["status", "--json", "--server", server.url, "--data-dir", dataDir])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("\"agent\""))

        // Without a key, the API refuses and says how to get one.
        let refused = try await Command.curl(["-sS", "\(server.url)/api/v1/monitors"])
        #expect(refused.stdout.contains("vigil keys create"))

        let created = try await Command.vigil(["keys", "create", "--read-only", "--name", "grafana", "--data-dir", dataDir])
        #expect(created.status == 0, "\(created.stderr)")
        let key = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(key.hasPrefix("vigil_") && !key.contains("\n"), "the key alone on stdout: \(created.stdout)")

        let read = try await Command.curl(["-sS", "-H", "X-Api-Key: \(key)", "\(server.url)/api/v1/monitors"])
        #expect(read.stdout.contains("\"slug\" : \"agent\""), "\(read.stdout)")
        #expect(read.stdout.contains("\"ping_url\" : null"), "a read-only key saw a ping URL: \(read.stdout)")
        let write = try await Command.curl([
            "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "X-Api-Key: \(key)",
            "\(server.url)/api/v1/monitors/agent/pause",
        ])
        #expect(write.stdout == "403")
        #expect(try await server.monitor("agent").state != "paused")

        // Listed by name and id, never the key; revoked, it stops working at once.
        let list = try await Command.vigil(["keys", "list", "--data-dir", dataDir])
        #expect(list.stdout.contains("grafana") && list.stdout.contains("read-only") && !list.stdout.contains(key))
        let id = try #require(list.stdout.split(separator: "\n").first { $0.contains("grafana") }?.split(separator: " ").first)
        let revoke = try await Command.vigil(["keys", "revoke", String(id), "--data-dir", dataDir])
        #expect(revoke.status == 0, "\(revoke.stderr)")
        let after = try await Command.curl([
            "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Api-Key: \(key)", "\(server.url)/api/v1/monitors",
        ])
        #expect(after.stdout == "401")

        let nowhere = try await Command.vigil(["keys", "create", "--data-dir", server.folder.appendingPathComponent("none").path])
        #expect(nowhere.status == 64)
        #expect(nowhere.stderr.contains("there is no Vigil store"))
    }
}
