import Foundation
import Testing
import VigilCore

@testable import VigilStore

@Suite("SQLite store")
struct SQLiteStoreTests {
    private typealias F = Fixture

    // MARK: - Monitors

    @Test("a saved monitor loads back with every field, also after reopening the file")
    func monitorRoundTrip() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("vigil.sqlite")
        let periodic = Monitor(
            id: UUID(), key: UUID(), slug: "nightly-backup", schedule: .every(7_200.5), grace: 300.25,
            maxRuntime: 1_800, progressKinds: ["success", "post.published"], advancingKinds: ["rows.copied"],
            rateLimit: RateLimit(count: 5, window: 60.5), tags: ["team:data", "backup", "alpha"], origin: .api
        )
        let cron = Monitor(
            id: UUID(), key: UUID(), slug: "weekday-report",
            schedule: .cron(try CronExpression(parsing: "30 2 * * mon-fri"), TimeZone(identifier: "Europe/Berlin")!),
            grace: 600, origin: .autoProvisioned
        )
        let alias = Monitor(
            id: UUID(), key: UUID(), slug: "daily",
            schedule: .cron(try CronExpression(parsing: "@daily"), TimeZone(identifier: "America/New_York")!),
            grace: 60, maxRuntime: 30, progressKinds: [], advancingKinds: ["counter", "offset"], tags: ["one"]
        )
        let store = try SQLiteStore(path: path)
        try await store.saveMonitor(periodic, initialState: .new(at: F.at(1)))
        try await store.saveMonitor(cron, initialState: .new(at: F.at(2)))
        try await store.saveMonitor(alias, initialState: .new(at: F.at(3)))

        let expected = [
            StoredMonitor(monitor: periodic, state: .new(at: F.at(1))),
            StoredMonitor(monitor: cron, state: .new(at: F.at(2))),
            StoredMonitor(monitor: alias, state: .new(at: F.at(3))),
        ]
        #expect(try await store.loadMonitors() == expected)
        let reopened = try SQLiteStore(path: path)
        #expect(try await reopened.loadMonitors() == expected)
    }

    @Test("updating a definition keeps the stored state")
    func updateKeepsState() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        var monitor = F.monitor("pipeline")
        try await store.saveMonitor(monitor, initialState: .new(at: F.at(0)))
        let step = F.step(of: monitor.id, revision: 3, body: "ran")
        try await store.commit(step)

        monitor.schedule = .cron(try CronExpression(parsing: "*/15 * * * *"), TimeZone(identifier: "UTC")!)
        monitor.grace = 42
        monitor.tags = ["changed"]
        monitor.rateLimit = RateLimit(count: 1, window: 1)
        try await store.saveMonitor(monitor, initialState: .new(at: F.at(500)))

        let loaded = try await store.loadMonitors()
        #expect(loaded == [StoredMonitor(monitor: monitor, state: step.state)])
    }

    @Test("an archived monitor is no longer loaded but keeps its history")
    func archiveHides() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let kept = F.monitor("kept")
        let archived = F.monitor("archived")
        try await store.saveMonitor(kept, initialState: .new(at: F.at(0)))
        try await store.saveMonitor(archived, initialState: .new(at: F.at(1)))
        try await store.commit(F.step(of: archived.id, revision: 1, body: "last words"))

        try await store.archiveMonitor(id: archived.id)

        #expect(try await store.loadMonitors().map(\.monitor) == [kept])
        #expect(try await store.signals(monitorID: archived.id, limit: 10).map(\.signal.body) == ["last words"])
    }

    // MARK: - Commit

    @Test("a state is kept only when its revision is newer than the stored one")
    func staleRevisionIgnored() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let monitor = F.monitor("job")
        try await store.saveMonitor(monitor, initialState: .new(at: F.at(0)))

        func commit(_ status: MonitorStatus, revision: Int64) async throws {
            let state = MonitorState(status: status, since: F.at(TimeInterval(revision)), revision: revision)
            try await store.commit(ChangeBatch(monitorID: monitor.id, state: state))
        }
        func stored() async throws -> MonitorState? {
            try await store.loadMonitors().first?.state
        }

        try await commit(.late, revision: 2)
        try await commit(.up, revision: 1)
        #expect(try await stored() == MonitorState(status: .late, since: F.at(2), revision: 2))
        try await commit(.failing, revision: 2)
        #expect(try await stored()?.status == .late)
        try await commit(.stalled, revision: 3)
        #expect(try await stored() == MonitorState(status: .stalled, since: F.at(3), revision: 3))
    }

    @Test("a committed state round-trips with its values and started runs")
    func stateRoundTrip() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let monitor = F.monitor("counter")
        try await store.saveMonitor(monitor, initialState: .new(at: F.at(0)))
        let state = MonitorState(
            status: .up, since: F.at(10), lastSignalAt: F.at(20.5), lastProgressAt: F.at(15.25),
            lastValues: ["rows": 1_234.5, "offset": -3], runs: ["": F.at(19), UUID().uuidString: F.at(20.5)],
            revision: 7
        )
        try await store.commit(ChangeBatch(monitorID: monitor.id, state: state))
        #expect(try await store.loadMonitors() == [StoredMonitor(monitor: monitor, state: state)])
    }

    @Test("signals are stored with kind, value, run id, body, source, progress and run duration")
    func signalFields() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let monitor = F.monitor("worker")
        let other = F.monitor("other")
        try await store.saveMonitor(monitor, initialState: .new(at: F.at(0)))
        try await store.saveMonitor(other, initialState: .new(at: F.at(0)))
        let run = UUID()
        let failed = Signal(
            kind: .exit(3), at: F.at(10.5), value: 42.25, runID: run, body: "line one\nline twö — ✓",
            source: "127.0.0.1 curl/8.5.0"
        )
        let succeeded = Signal(kind: .success, at: F.at(20))
        let logged = Signal(kind: .log, at: F.at(30), body: "")

        try await store.commit(ChangeBatch(
            monitorID: monitor.id, state: .new(at: F.at(0)), signal: failed,
            verdict: SignalVerdict(isProgress: false, runDuration: 12.75)
        ))
        try await store.commit(ChangeBatch(
            monitorID: monitor.id, state: .new(at: F.at(0)), signal: succeeded,
            verdict: SignalVerdict(isProgress: true, runDuration: nil)
        ))
        try await store.commit(ChangeBatch(monitorID: monitor.id, state: .new(at: F.at(0)), signal: logged))
        try await store.commit(ChangeBatch(monitorID: other.id, state: .new(at: F.at(0)), signal: succeeded))

        let stored = try await store.signals(monitorID: monitor.id, limit: 10)
        #expect(stored.map(\.signal) == [logged, succeeded, failed])
        #expect(stored.map(\.isProgress) == [false, true, false])
        #expect(stored.map(\.runDuration) == [nil, nil, 12.75])
        #expect(stored.allSatisfy { $0.monitorID == monitor.id })
        #expect(stored.map(\.sequence) == stored.map(\.sequence).sorted(by: >))
        #expect(try await store.signals(monitorID: monitor.id, limit: 2).map(\.signal) == [logged, succeeded])
        #expect(try await store.signals(monitorID: other.id, limit: 10).map(\.signal) == [succeeded])
    }

    @Test("the journal and the incident table keep a stall from onset to resolution")
    func incidentLifecycle() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let monitor = F.monitor("feed")
        let bystander = F.monitor("bystander")
        try await store.saveMonitor(monitor, initialState: .new(at: F.at(0)))
        try await store.saveMonitor(bystander, initialState: .new(at: F.at(0)))
        try await store.commit(F.step(of: bystander.id, revision: 1, body: "fine"))

        // Due at 100, noticed 3.5 s later (Vigil was busy): the journal must say 100, not 103.5.
        let incident = Incident(id: UUID(), monitorID: monitor.id, cause: .stall, onset: F.at(100), detectedAt: F.at(103.5))
        let stall = StateChange(
            monitorID: monitor.id, from: .late, to: .stalled, at: F.at(100), noticedAt: F.at(103.5),
            incidentID: incident.id, reason: "no progress since 00:00"
        )
        let stalled = MonitorState(status: .stalled, since: F.at(100), incident: incident, revision: 2)
        try await store.commit(ChangeBatch(
            monitorID: monitor.id, state: stalled, effects: [.changed(stall), .opened(incident)]
        ))

        #expect(try await store.incidents(monitorID: monitor.id, limit: 10) == [incident])
        let whileOpen = try await store.loadMonitors().first { $0.monitor.id == monitor.id }
        #expect(whileOpen?.state == stalled)
        #expect(whileOpen?.state.incident == incident)

        var resolved = incident
        resolved.resolvedAt = F.at(200)
        resolved.resolution = "progress"
        let recovery = StateChange(
            monitorID: monitor.id, from: .stalled, to: .up, at: F.at(200), noticedAt: F.at(200.25),
            incidentID: incident.id, reason: "progress resumed"
        )
        let up = MonitorState(status: .up, since: F.at(200), lastSignalAt: F.at(200), lastProgressAt: F.at(200), revision: 3)
        try await store.commit(ChangeBatch(
            monitorID: monitor.id, state: up, signal: Signal(kind: .success, at: F.at(200)),
            verdict: SignalVerdict(isProgress: true, runDuration: nil),
            effects: [.changed(recovery), .resolved(resolved)]
        ))

        let journal = try await store.journal(monitorID: monitor.id, limit: 10)
        #expect(journal.map(\.event) == [.incidentResolved, .stateChanged, .incidentOpened, .stateChanged])
        #expect(journal.allSatisfy { $0.monitorID == monitor.id && $0.incidentID == incident.id })
        #expect(journal.map(\.sequence) == journal.map(\.sequence).sorted(by: >))
        let (resolvedLine, upLine, openedLine, stallLine) = (journal[0], journal[1], journal[2], journal[3])
        #expect(stallLine.at == F.at(100))
        #expect(stallLine.noticedAt == F.at(103.5))
        #expect(stallLine.from == .late && stallLine.to == .stalled)
        #expect(stallLine.detail == "no progress since 00:00")
        #expect(openedLine.at == F.at(100))
        #expect(openedLine.noticedAt == F.at(103.5))
        #expect(upLine.at == F.at(200))
        #expect(upLine.noticedAt == F.at(200.25))
        #expect(upLine.from == .stalled && upLine.to == .up)
        #expect(resolvedLine.at == F.at(200))
        #expect(resolvedLine.from == nil && resolvedLine.to == nil)

        #expect(try await store.incidents(monitorID: monitor.id, limit: 10) == [resolved])
        #expect(try await store.incidents(monitorID: nil, limit: 10) == [resolved])
        let afterwards = try await store.loadMonitors().first { $0.monitor.id == monitor.id }
        #expect(afterwards?.state == up)
        #expect(afterwards?.state.incident == nil)

        let everyone = try await store.journal(monitorID: nil, limit: 10)
        #expect(everyone.count == 5)
        #expect(everyone.last?.monitorID == bystander.id)
        #expect(try await store.journal(monitorID: nil, limit: 2).map(\.event) == [.incidentResolved, .stateChanged])
    }

    // MARK: - Group commit

    @Test("500 concurrent commits across 50 monitors are all acknowledged and all kept")
    func concurrentCommits() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let monitors = (0..<50).map { F.monitor("m\($0)") }
        for (index, monitor) in monitors.enumerated() {
            try await store.saveMonitor(monitor, initialState: .new(at: F.at(TimeInterval(index))))
        }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for revision in Int64(1)...10 {
                for (index, monitor) in monitors.enumerated() {
                    let batch = F.step(of: monitor.id, revision: revision, body: "m\(index)-\(revision)")
                    group.addTask { try await store.commit(batch) }
                }
            }
            try await group.waitForAll()
        }

        var total = 0
        for (index, monitor) in monitors.enumerated() {
            let bodies = try await store.signals(monitorID: monitor.id, limit: 1_000).compactMap(\.signal.body)
            #expect(Set(bodies) == Set((1...10).map { "m\(index)-\($0)" }))
            total += bodies.count
        }
        #expect(total == 500)
        #expect(try await store.journal(monitorID: nil, limit: 1_000).count == 500)
        // Whatever order the commits landed in, each monitor keeps its newest step.
        let loaded = try await store.loadMonitors()
        #expect(loaded.count == 50)
        #expect(loaded.allSatisfy { $0.state.revision == 10 && $0.state.lastProgressAt == F.at(10) })
    }

    @Test("only the newest signals of a monitor are kept")
    func signalsPruned() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"), signalsKept: 10)
        let busy = F.monitor("busy")
        let quiet = F.monitor("quiet")
        try await store.saveMonitor(busy, initialState: .new(at: F.at(0)))
        try await store.saveMonitor(quiet, initialState: .new(at: F.at(0)))
        for index in 1...7 {
            try await store.commit(F.step(of: quiet.id, revision: Int64(index), body: "q\(index)"))
        }
        for index in 1...100 {
            try await store.commit(F.step(of: busy.id, revision: Int64(index), body: "b\(index)"))
            let kept = try await store.signals(monitorID: busy.id, limit: 1_000)
            #expect(kept.count <= 10 + 10 / 4, "after \(index) signals")
            #expect(kept.count >= min(index, 10), "after \(index) signals")
        }

        let kept = try await store.signals(monitorID: busy.id, limit: 1_000).compactMap(\.signal.body)
        #expect(Array(kept.prefix(10)) == (91...100).reversed().map { "b\($0)" })
        // Pruning one monitor leaves the others alone.
        #expect(try await store.signals(monitorID: quiet.id, limit: 1_000).count == 7)
    }

    // MARK: - Outbox

    @Test("a notice is due only from its next attempt time, oldest first")
    func noticesDueInOrder() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let monitor = F.monitor("job")
        try await store.saveMonitor(monitor, initialState: .new(at: F.at(0)))
        let later = F.notice("incident-a/opened", due: 10, created: 1, payload: #"{"a":1}"#)
        let first = F.notice("incident-b/opened", due: 5, created: 2)
        let alsoFirst = F.notice("incident-c/opened", due: 5, created: 3)
        let last = F.notice("incident-d/opened", due: 20, created: 4)
        #expect(try await store.nextNoticeAttempt() == nil)
        try await store.commit(ChangeBatch(monitorID: monitor.id, state: .new(at: F.at(0)), notices: [later, first]))
        try await store.commit(ChangeBatch(monitorID: monitor.id, state: .new(at: F.at(0)), notices: [alsoFirst, last]))

        func due(at seconds: TimeInterval, limit: Int = 10) async throws -> [String] {
            try await store.dueNotices(at: F.at(seconds), limit: limit).map(\.idempotencyKey)
        }
        #expect(try await due(at: 4.5) == [])
        #expect(try await due(at: 5) == ["incident-b/opened", "incident-c/opened"])
        #expect(try await due(at: 10) == ["incident-b/opened", "incident-c/opened", "incident-a/opened"])
        #expect(try await due(at: 100) == ["incident-b/opened", "incident-c/opened", "incident-a/opened", "incident-d/opened"])
        #expect(try await due(at: 100, limit: 1) == ["incident-b/opened"])
        #expect(try await store.nextNoticeAttempt() == F.at(5))
        #expect(try await store.pendingNoticeCount() == 4)

        var stored = try #require(try await store.dueNotices(at: F.at(10), limit: 10).last)
        #expect(stored.id != nil)
        stored.id = nil
        #expect(stored == later)
    }

    @Test("a notice with an idempotency key already in the outbox is stored once")
    func noticeStoredOnce() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let monitor = F.monitor("job")
        try await store.saveMonitor(monitor, initialState: .new(at: F.at(0)))
        let original = F.notice("incident-1/attempt-1", due: 0, payload: "first")
        let repeated = F.notice("incident-1/attempt-1", due: 0, payload: "second")
        try await store.commit(ChangeBatch(monitorID: monitor.id, state: .new(at: F.at(0)), notices: [original]))
        try await store.commit(ChangeBatch(monitorID: monitor.id, state: .new(at: F.at(0)), notices: [repeated]))

        let due = try await store.dueNotices(at: F.at(1), limit: 10)
        #expect(due.map(\.payload) == [Data("first".utf8)])
        #expect(try await store.pendingNoticeCount() == 1)

        // Once delivered, the same step committed again must not send it a second time.
        try await store.recordAttempt(noticeID: try #require(due.first?.id), outcome: .delivered(at: F.at(1)))
        try await store.commit(ChangeBatch(monitorID: monitor.id, state: .new(at: F.at(0)), notices: [repeated]))
        #expect(try await store.pendingNoticeCount() == 0)
        #expect(try await store.dueNotices(at: F.at(100), limit: 10).isEmpty)
    }

    @Test("a delivered notice leaves the outbox and a failed one is tried again at its next time")
    func noticeAttempts() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let monitor = F.monitor("job")
        try await store.saveMonitor(monitor, initialState: .new(at: F.at(0)))
        try await store.commit(ChangeBatch(
            monitorID: monitor.id, state: .new(at: F.at(0)),
            notices: [F.notice("delivered", due: 0), F.notice("flaky", due: 0)]
        ))
        let due = try await store.dueNotices(at: F.at(0), limit: 10)
        let delivered = try #require(due.first { $0.idempotencyKey == "delivered" }?.id)
        let flaky = try #require(due.first { $0.idempotencyKey == "flaky" }?.id)

        try await store.recordAttempt(noticeID: delivered, outcome: .delivered(at: F.at(1)))
        #expect(try await store.dueNotices(at: F.at(1), limit: 10).map(\.idempotencyKey) == ["flaky"])
        #expect(try await store.pendingNoticeCount() == 1)

        try await store.recordAttempt(noticeID: flaky, outcome: .failed(error: "HTTP 503", nextAttemptAt: F.at(60)))
        #expect(try await store.dueNotices(at: F.at(59.5), limit: 10).isEmpty)
        #expect(try await store.nextNoticeAttempt() == F.at(60))
        #expect(try await store.pendingNoticeCount() == 1)
        let retry = try await store.dueNotices(at: F.at(60), limit: 10)
        #expect(retry.map(\.idempotencyKey) == ["flaky"])
        #expect(retry.first?.attempts == 1)
        #expect(retry.first?.nextAttemptAt == F.at(60))

        try await store.recordAttempt(noticeID: flaky, outcome: .failed(error: "timeout", nextAttemptAt: F.at(180)))
        #expect(try await store.dueNotices(at: F.at(180), limit: 10).first?.attempts == 2)
        try await store.recordAttempt(noticeID: flaky, outcome: .delivered(at: F.at(181)))
        #expect(try await store.pendingNoticeCount() == 0)
        #expect(try await store.nextNoticeAttempt() == nil)
        #expect(try await store.dueNotices(at: F.at(1_000), limit: 10).isEmpty)
    }

    // MARK: - Errors

    @Test("opening a store in a folder that does not exist fails with a message naming the path")
    func missingFolder() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("no-such-folder/vigil.sqlite")
        let error = #expect(throws: StoreError.self) { _ = try SQLiteStore(path: path) }
        #expect(error?.isUnavailable == true)
        #expect(error?.message.contains(path) == true)
        #expect(!FileManager.default.fileExists(atPath: folder.path("no-such-folder")))
    }

    @Test("opening a file that is not a database fails with a message naming the path")
    func notADatabase() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("vigil.sqlite")
        try Data(String(repeating: "not a database\n", count: 512).utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { _ = try SQLiteStore(path: path) }
        #expect(error?.isUnavailable == true)
        #expect(error?.message.contains(path) == true)
    }
}
