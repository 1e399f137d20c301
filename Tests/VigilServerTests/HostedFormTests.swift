import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VigilEngine
import VigilServer

/// URLs written for hc-ping.com have no /ping/ prefix; they work against Vigil by changing only the host.
@Suite struct HostedFormTests {
    @Test func pingsWithoutThePrefixWorkAndOtherRoutesAreNotShadowed() async throws {
        try await PingAPI.test([PingAPI.hourly("backup")]) { api, client in
            let key = try api.key("backup")
            try await client.ping("/\(key)/start", .head, expect: .ok, limit: api.bodyLimit)
            try await client.ping("/\(key)", .post, body: "done", expect: .ok, limit: api.bodyLimit)
            try await client.ping("/\(PingAPI.pingKey)/backup/fail", .get, expect: .ok, limit: api.bodyLimit)
            try await client.ping("/\(PingAPI.pingKey)/backup/signal/commit?value=2", .post, expect: .ok, limit: api.bodyLimit)
            let kinds = try await api.signals("backup").map(\.signal.kind.rawValue)
            #expect(kinds == ["commit", "fail", "success", "start"])

            // Not a monitor: 404, and nothing stored.
            try await client.ping("/favicon.ico", .get, expect: .notFound, limit: api.bodyLimit)
            try await client.ping("/\(UUID().uuidString)", .get, expect: .notFound, limit: api.bodyLimit)
            #expect(try await api.signals("backup").count == 4)

            // The API and health routes still answer as themselves.
            let health = try await client.execute(uri: "/health", method: .get)
            #expect(String(buffer: health.body) == "OK")
            let monitors = try await client.execute(uri: "/api/v1/monitors", method: .get)
            #expect(monitors.status == .ok)
            let list = try VigilJSON.decoder.decode([MonitorView].self, from: Data(buffer: monitors.body))
            #expect(list.map(\.slug) == ["backup"])
            let signals = try await client.execute(uri: "/api/v1/monitors/backup/signals", method: .get)
            #expect(signals.status == .ok)
        }
    }
}
