import Foundation
import Testing
import VigilEngine

/// Notices survive a receiver that is down, and a restart of Vigil in between, through the built binary.
@Suite(.serialized)
struct OutboxTests {
    @Test func aReceiverThatWasDownGetsEveryNoticeOnceItIsBack() async throws {
        let hookPort = try FreePort.next()
        let config = """
            ping_key: outbox-test-key
            monitors:
              worker:
                every: 1s
                grace: 1s
            notify:
              - webhook: http://127.0.0.1:\(hookPort)/hook
            """
        let server = try ServerProcess(config: config)
        try await server.start()
        defer { server.stop() }
        let worker = try await server.monitor("worker")
        // Three incidents: up → late → stalled, three times; nobody listens on the hook's port.
        for _ in 0..<3 {
            let ping = try await Command.curl(["-fsS", "\(server.url)/ping/\(worker.key ?? "")"])
            #expect(ping.status == 0)
            try await eventually("worker stalled") { try await server.monitor("worker").state == "stalled" }
        }
        let changes = try await server.journal("worker").filter { $0.event == "state" }.count
        #expect(changes == 9)

        // Vigil is killed while the notices wait, and started again; then the receiver comes up.
        server.kill9()
        try await server.start()
        let receiver = WebhookReceiver()
        try await receiver.start(port: hookPort)
        try await eventually(within: .seconds(180), "all \(changes) notices delivered") {
            Set(receiver.received.compactMap(\.idempotencyKey)).count >= changes
        }
        let received = receiver.received
        let keys = received.compactMap(\.idempotencyKey)
        #expect(Set(keys).count == changes)
        // A repeat, if any, carries the key of the notice it repeats.
        let byKey = Dictionary(grouping: received, by: { $0.idempotencyKey ?? "" })
        for (_, copies) in byKey { #expect(Set(copies.map(\.payload)).count == 1) }
        let states = received.filter { $0.payload.event == "state_changed" }.map(\.payload.newState)
        #expect(states.filter { $0 == "stalled" }.count == 3)
        #expect(states.filter { $0 == "up" }.count == 3)
        await receiver.stop()
    }
}
