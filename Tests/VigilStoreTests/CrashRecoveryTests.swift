import Foundation
import GRDB
import Testing
import VigilCore

@testable import VigilStore

/// `kill -9` leaves the database file, its write-ahead log and its shared-memory index exactly as they were at the
/// moment of death: nothing is closed, flushed or checkpointed. Copying those three files byte for byte while the
/// writing store is still open (and idle) reproduces that state without forking, and the copy is then opened the way
/// Vigil opens its database after a restart.
@Suite("Crash recovery")
struct CrashRecoveryTests {
    private typealias F = Fixture

    private static let databaseFiles = ["vigil.sqlite", "vigil.sqlite-wal", "vigil.sqlite-shm", "vigil.sqlite-intake"]

    @Test(
        "reopening after a simulated crash keeps what was acknowledged",
        arguments: [SQLiteStore.Durability.process, .powerLoss]
    )
    func acknowledgedSurvivesCrash(durability: SQLiteStore.Durability) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let live = try SQLiteStore(path: folder.path("vigil.sqlite"), durability: durability, signalsKept: 1_000)

        let monitors = (0..<3).map { F.monitor("worker-\($0)") }
        let retired = F.monitor("retired")
        for (index, monitor) in (monitors + [retired]).enumerated() {
            try await live.saveMonitor(monitor, initialState: .new(at: F.at(TimeInterval(index))))
        }
        try await live.archiveMonitor(id: retired.id)

        // Each monitor's steps in order, as its one owner in the engine commits them; the monitors concurrently,
        // so that group commit writes several of them per transaction. Enough steps to pass SQLite's automatic
        // checkpoint, so the acknowledged data lies partly in the database file and partly in the log.
        let steps: Int64 = 400
        try await withThrowingTaskGroup(of: Void.self) { group in
            for monitor in monitors {
                group.addTask {
                    for revision in 1...steps {
                        try await live.commit(F.step(of: monitor.id, revision: revision, body: "\(monitor.slug)-\(revision)"))
                    }
                }
            }
            try await group.waitForAll()
        }

        // worker-0 ends stalled with an open incident and a notice; worker-1 had an incident that was resolved.
        let open = Incident(
            id: UUID(), monitorID: monitors[0].id, cause: .stall, onset: F.at(1_000), detectedAt: F.at(1_000.5)
        )
        let stalled = MonitorState(
            status: .stalled, since: F.at(1_000), lastSignalAt: F.at(TimeInterval(steps)),
            lastProgressAt: F.at(TimeInterval(steps)), incident: open, revision: steps + 1
        )
        try await live.commit(ChangeBatch(
            monitorID: monitors[0].id, state: stalled,
            effects: [
                .changed(StateChange(
                    monitorID: monitors[0].id, from: .late, to: .stalled, at: F.at(1_000), noticedAt: F.at(1_000.5),
                    incidentID: open.id, reason: "no progress"
                )),
                .opened(open),
            ],
            notices: [F.notice("\(open.id)/opened", due: 1_000.5)]
        ))

        var resolved = Incident(
            id: UUID(), monitorID: monitors[1].id, cause: .failure, onset: F.at(900), detectedAt: F.at(900)
        )
        try await live.commit(ChangeBatch(
            monitorID: monitors[1].id,
            state: MonitorState(status: .failing, since: F.at(900), incident: resolved, revision: steps + 1),
            effects: [.opened(resolved)],
            notices: [F.notice("\(resolved.id)/opened", due: 900)]
        ))
        resolved.resolvedAt = F.at(950)
        resolved.resolution = "progress"
        let recovered = MonitorState(
            status: .up, since: F.at(950), lastSignalAt: F.at(950), lastProgressAt: F.at(950), revision: steps + 2
        )
        try await live.commit(ChangeBatch(
            monitorID: monitors[1].id, state: recovered, signal: Signal(kind: .success, at: F.at(950), body: "back"),
            verdict: SignalVerdict(isProgress: true, runDuration: 4.5), effects: [.resolved(resolved)],
            notices: [F.notice("\(resolved.id)/resolved", due: 950)]
        ))

        // The outbox: one notice delivered, one failed and rescheduled, one untouched.
        let due = try await live.dueNotices(at: F.at(2_000), limit: 10)
        let deliveredKey = "\(resolved.id)/opened"
        let failedKey = "\(resolved.id)/resolved"
        try await live.recordAttempt(
            noticeID: try #require(due.first { $0.idempotencyKey == deliveredKey }?.id),
            outcome: .delivered(at: F.at(960))
        )
        try await live.recordAttempt(
            noticeID: try #require(due.first { $0.idempotencyKey == failedKey }?.id),
            outcome: .failed(error: "HTTP 502", nextAttemptAt: F.at(3_000))
        )

        // The crash: every call above has returned, the store is still open.
        let wal = try FileManager.default.attributesOfItem(atPath: folder.path("vigil.sqlite-wal"))
        #expect((wal[.size] as? Int ?? 0) > 0, "the database runs in WAL mode and its log holds recent commits")
        let crashed = folder.url.appendingPathComponent("crashed", isDirectory: true)
        try FileManager.default.createDirectory(at: crashed, withIntermediateDirectories: false)
        for name in Self.databaseFiles {
            try FileManager.default.copyItem(
                at: folder.url.appendingPathComponent(name), to: crashed.appendingPathComponent(name)
            )
        }

        let store = try SQLiteStore(
            path: crashed.appendingPathComponent("vigil.sqlite").path, durability: durability, signalsKept: 1_000
        )

        // States, with the open incident attached; the archived monitor stays archived.
        let loaded = try await store.loadMonitors()
        #expect(loaded.map(\.monitor) == monitors)
        #expect(loaded.map(\.state) == [stalled, recovered, F.step(of: monitors[2].id, revision: steps, body: "").state])
        #expect(loaded.first?.state.incident == open)

        // Every acknowledged signal.
        for (index, monitor) in monitors.enumerated() {
            let bodies = try await store.signals(monitorID: monitor.id, limit: 10_000).compactMap(\.signal.body)
            let expected = (1...steps).map { "\(monitor.slug)-\($0)" }.reversed()
            #expect(bodies == (index == 1 ? ["back"] + expected : Array(expected)))
        }
        let back = try await store.signals(monitorID: monitors[1].id, limit: 1).first
        #expect(back?.isProgress == true)
        #expect(back?.runDuration == 4.5)

        // The journal and the incidents.
        let journal = try await store.journal(monitorID: nil, limit: 10_000)
        #expect(journal.count == 3 * Int(steps) + 2 + 2)
        #expect(journal.prefix(4).map(\.event) == [.incidentResolved, .incidentOpened, .incidentOpened, .stateChanged])
        #expect(try await store.incidents(monitorID: monitors[0].id, limit: 10) == [open])
        #expect(try await store.incidents(monitorID: monitors[1].id, limit: 10) == [resolved])

        // The outbox: the delivered notice stays delivered, the failed one keeps its attempt and retry time.
        #expect(try await store.pendingNoticeCount() == 2)
        #expect(try await store.nextNoticeAttempt() == F.at(1_000.5))
        #expect(try await store.dueNotices(at: F.at(2_999), limit: 10).map(\.idempotencyKey) == ["\(open.id)/opened"])
        let retry = try await store.dueNotices(at: F.at(3_000), limit: 10).last
        #expect(retry?.idempotencyKey == failedKey)
        #expect(retry?.attempts == 1)

        // The recovered database takes new writes.
        let next = F.step(of: monitors[2].id, revision: steps + 1, body: "after restart")
        try await store.commit(next)
        #expect(try await store.signals(monitorID: monitors[2].id, limit: 1).first?.signal.body == "after restart")
        #expect(try await store.loadMonitors().last?.state == next.state)

        // The writer was open (never closed, never checkpointed on close) until the copy was taken.
        withExtendedLifetime(live) {}
    }

    @Test(
        "each durability sets how the writer syncs a commit: FULL against power loss, NORMAL against a crash",
        arguments: [(SQLiteStore.Durability.process, 1), (.powerLoss, 2)]
    )
    func durabilitySetsSynchronous(durability: SQLiteStore.Durability, level: Int) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"), durability: durability)
        // Commits go through the pool's one writer connection, so that is the connection whose setting counts.
        let synchronous = try await store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(synchronous == level)
    }
}
