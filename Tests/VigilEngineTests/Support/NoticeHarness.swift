import Foundation
import Logging
import Synchronization
import VigilCore
import VigilEngine
import VigilStore

/// A real SQLite outbox on a temporary file and a `Notifier` whose clock the test moves, so backoff waits are
/// skipped deterministically instead of slept.
final class NoticeHarness: Sendable {
    let folder: URL
    let store: SQLiteStore
    let notifier: Notifier
    private let clock = NoticeClock()
    let monitorID = UUID()

    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    init() throws {
        folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("vigil-channel-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        store = try SQLiteStore(path: folder.appendingPathComponent("vigil.sqlite").path)
        let clock = self.clock
        var logger = Logger(label: "vigil.test.notifier")
        logger.logLevel = .critical
        notifier = Notifier(
            store: store, wakeup: Wakeup(), logger: logger,
            now: { clock.now }
        )
    }

    var now: Date { clock.now }

    func advance(to date: Date) {
        clock.advance(to: date)
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// Puts notices in the outbox the way the engine does: in one committed step.
    func enqueue(_ notices: [Notice], revision: Int64 = 1) async throws {
        var state = MonitorState.new(at: now)
        state.revision = revision
        try await store.commit(ChangeBatch(monitorID: monitorID, state: state, notices: notices))
    }

    /// Delivers what is due, then jumps the clock to the next retry, until the outbox is empty or `rounds` ran out.
    /// Returns how many rounds it took.
    @discardableResult
    func deliverUntilEmpty(rounds: Int = 20) async throws -> Int {
        for round in 1...rounds {
            await notifier.deliverDue()
            guard let next = try await store.nextNoticeAttempt() else { return round }
            advance(to: next)
        }
        return rounds
    }

    /// A notice payload as the engine builds it for a state change.
    static func payload(
        monitor: String = "nightly-backup", from: String = "up", to: String = "stalled",
        reason: String = "no progress for 25h", incident: Bool = true, at seconds: TimeInterval = 0
    ) -> NoticePayload {
        NoticePayload(
            event: "state_changed", monitor: monitor, monitorID: "0b6c0a52-6a0e-4c55-9d7e-0f5a1f0e8a11",
            oldState: from, newState: to, at: start.addingTimeInterval(seconds),
            noticedAt: start.addingTimeInterval(seconds + 0.25),
            onset: incident ? start.addingTimeInterval(seconds - 60) : nil,
            incidentID: incident ? "5d9f3c7e-1111-4a2b-8c3d-1234567890ab" : nil, reason: reason,
            pingURL: "http://127.0.0.1:8080/ping/7f3e2a10-0000-4000-8000-000000000001", tags: ["backups"]
        )
    }
}

/// The notifier's clock, moved only by the test.
final class NoticeClock: Sendable {
    private let value = Mutex(NoticeHarness.start)

    var now: Date { value.withLock { $0 } }

    func advance(to date: Date) {
        value.withLock { $0 = max($0, date) }
    }
}
