import Foundation
import Logging
import Testing
import VigilCore
import VigilStore

@testable import VigilEngine

@Suite("Outbox delivery")
struct OutboxDeliveryTests {
    @Test("a webhook receiver that is down and comes back gets every notice; repeats only with the same key")
    func receiverDownThenUp() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        // Nothing listens on the port until the receiver starts, later, on that same port.
        let port = try freeLoopbackPort()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/hook"))

        var sent: [String: Data] = [:]
        for revision in 1...5 {
            let payload = NoticeHarness.payload(
                from: revision.isMultiple(of: 2) ? "stalled" : "up", to: revision.isMultiple(of: 2) ? "up" : "stalled",
                at: TimeInterval(revision * 60)
            )
            let key = "\(harness.monitorID.uuidString.lowercased()).\(revision).0.0"
            let notice = try #require(
                Channel.webhook(url).notice(for: payload, idempotencyKey: key, createdAt: harness.now))
            sent[key] = notice.payload
            try await harness.enqueue([notice], revision: Int64(revision))
        }

        // Down: every attempt fails, nothing is lost, and each retry waits longer.
        var waits: [TimeInterval] = []
        for _ in 1...4 {
            #expect(await harness.notifier.deliverDue() == 5)
            #expect(try await harness.store.pendingNoticeCount() == 5)
            let next = try #require(try await harness.store.nextNoticeAttempt())
            waits.append(next.timeIntervalSince(harness.now))
            #expect(try await harness.store.dueNotices(at: harness.now, limit: 10).isEmpty)
            harness.advance(to: Date(timeIntervalSince1970: next.timeIntervalSince1970 + 3_600))
        }
        #expect(waits.allSatisfy { $0 > 0 })

        // Vigil restarts while the receiver is still down: the outbox is in the file, not in memory.
        let restarted = try SQLiteStore(path: harness.folder.appendingPathComponent("vigil.sqlite").path)
        var quiet = Logger(label: "vigil.test.notifier")
        quiet.logLevel = .critical
        let clock = harness
        let notifier = Notifier(store: restarted, wakeup: Wakeup(), logger: quiet, now: { clock.now })
        #expect(try await restarted.pendingNoticeCount() == 5)

        // Up again; the first delivery is kept but answered 500, as when a response is lost, so it comes again.
        let receiver = HTTPReceiver(statuses: [.internalServerError])
        try await receiver.start(port: port)
        defer { receiver.stop() }
        for _ in 1...10 {
            await notifier.deliverDue()
            guard let next = try await restarted.nextNoticeAttempt() else { break }
            harness.advance(to: next)
        }

        #expect(try await restarted.pendingNoticeCount() == 0)
        let received = receiver.received
        let keys = received.compactMap(\.idempotencyKey)
        #expect(keys.count == received.count)
        #expect(Set(keys) == Set(sent.keys))
        #expect(received.count == 6)
        for request in received {
            // A repeat is the same notice under the same key: a receiver that keeps keys drops it.
            #expect(request.body == sent[request.idempotencyKey ?? ""])
        }
        let repeated = Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }
        #expect(repeated.count == 1)
    }

    @Test("the engine queues one notice per state change and channel; the default webhook body is unchanged")
    func engineNoticesPerChannel() throws {
        let hook = try #require(URL(string: "http://127.0.0.1:9000/hook"))
        let slack = try #require(URL(string: "http://127.0.0.1:9000/slack"))
        let smtp = SMTPSettings(host: "127.0.0.1", port: 2525, from: "v@example.com", to: ["o@example.com"])
        let targets = [
            NotifyTarget.webhook(hook), NotifyTarget(.slack(slack), name: "team"), NotifyTarget(.email(smtp)),
            NotifyTarget(.command(["/bin/true"], timeout: 5)),
        ]
        let store = try SQLiteStore(
            path: FileManager.default.temporaryDirectory
                .appendingPathComponent("vigil-notices-\(UUID().uuidString).sqlite").path)
        let engine = Engine(
            store: store,
            settings: .init(baseURL: "http://127.0.0.1:8080", pingKey: nil, notify: targets, defaultRateLimit: nil)
        )
        let monitor = Monitor(
            id: UUID(), key: UUID(), slug: "nightly-backup", schedule: .every(3_600), grace: 300, tags: ["backups"])
        let at = NoticeHarness.start
        let incident = UUID()
        let change = StateChange(
            monitorID: monitor.id, from: .late, to: .stalled, at: at, noticedAt: at.addingTimeInterval(0.01),
            incidentID: incident, reason: "no progress for 1h5m"
        )
        let notices = engine.notices(for: [.changed(change)], of: monitor, state: .new(at: at), revision: 9)
        #expect(notices.map(\.channel) == ["webhook", "slack", "email", "command"])
        let id = monitor.id.uuidString.lowercased()
        #expect(notices.map(\.idempotencyKey) == (0..<4).map { "\(id).9.0.\($0)" })

        let expected = NoticePayload(
            event: "state_changed", monitor: "nightly-backup", monitorID: id, oldState: "late", newState: "stalled",
            at: at, noticedAt: at.addingTimeInterval(0.01), onset: nil, incidentID: incident.uuidString.lowercased(),
            reason: "no progress for 1h5m",
            pingURL: "http://127.0.0.1:8080/ping/\(monitor.key.uuidString.lowercased())",
            tags: ["backups"]
        )
        #expect(notices[0].target == hook.absoluteString)
        #expect(notices[0].payload == (try VigilJSON.encoder.encode(expected)))
        #expect(notices[1].target == slack.absoluteString)
        // Everything needed after a restart is in the row itself.
        #expect(try VigilJSON.decoder.decode(SMTPSettings.self, from: Data(notices[2].target.utf8)) == smtp)
        #expect(notices[3].payload == notices[0].payload)
    }
}
