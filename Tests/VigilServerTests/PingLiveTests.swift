import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VigilCore
import VigilServer

/// The one test that goes through a real socket: the ping API as curl or a wrapper script reaches it.
@Suite struct PingLiveTests {
    @Test func pingsOverTheSocketAreStoredWithTheirSender() async throws {
        let api = try await PingAPI.start([PingAPI.hourly("backup")], bodyLimit: 8)
        defer { try? FileManager.default.removeItem(at: api.directory) }
        let app = Application(router: buildRouter(engine: api.engine, pingBodyLimit: api.bodyLimit, gate: .open))
        let key = try api.key("backup")
        let run = UUID().uuidString.lowercased()
        try await app.test(.live) { client in
            try await client.ping("/ping/\(key)/start?rid=\(run)", .head, expect: .ok, limit: 8)
            let response = try await client.execute(
                uri: "/ping/\(PingAPI.pingKey)/backup?rid=\(run)", method: .post,
                headers: [.userAgent: "curl/8.5.0"], body: ByteBuffer(string: "backup finished: 12 GB")
            )
            #expect(response.status == .ok)
            #expect(response.headers[HTTPField.Name("Ping-Body-Limit")!] == "8")
            #expect(String(buffer: response.body) == "OK")
            try await client.ping("/ping/\(key)/256", .get, expect: .badRequest, limit: 8)
        }
        let signals = try await api.signals("backup")
        #expect(signals.map(\.signal.kind) == [.success, .start])
        let end = try #require(signals.first)
        #expect(end.signal.body == "backup f")
        #expect(end.runDuration != nil)
        let source = try #require(end.signal.source)
        #expect(source.hasPrefix("127.0.0.1") || source.hasPrefix("::1"), "the peer's address: \(source)")
        #expect(source.hasSuffix("curl/8.5.0"))
        #expect(api.engine.snapshot(slugOrKey: "backup")?.state.status == .up)
    }
}
