import Foundation
import Testing
import VigilCore

@testable import VigilStore

/// The intake log: a group commit is acknowledged once its steps are in the log, and SQLite gets them afterwards.
/// A store that dies in between leaves them in the log, and the next store to open the database copies them in.
@Suite("Intake log")
struct IntakeTests {
    private typealias F = Fixture

    private static let files = ["vigil.sqlite", "vigil.sqlite-wal", "vigil.sqlite-shm", "vigil.sqlite-intake"]

    private static let runID = UUID()
    private static let incidentID = UUID()
    private static let earlierIncidentID = UUID()

    /// A step with every optional part filled: values, runs and an open incident in the state, a signal with all
    /// its fields, a verdict with a run's duration, each kind of effect and a notice with an id.
    private static func fullStep(of monitorID: UUID) -> ChangeBatch {
        let incident = Incident(
            id: incidentID, monitorID: monitorID, cause: .stall, onset: F.at(100.125), detectedAt: F.at(100.5)
        )
        let earlier = Incident(
            id: earlierIncidentID, monitorID: monitorID, cause: .failure, onset: F.at(50), detectedAt: F.at(50),
            resolvedAt: F.at(60), resolution: "progress resumed — déjà vu"
        )
        let state = MonitorState(
            status: .stalled, since: F.at(100.125), lastSignalAt: F.at(99.75), lastProgressAt: F.at(98.5),
            lastValues: ["rows": 1_234.5, "queue depth ✓": -0.25], runs: ["": F.at(97), "run-2": F.at(96.5)],
            incident: incident, revision: 1 << 40
        )
        return ChangeBatch(
            monitorID: monitorID, state: state,
            signal: Signal(kind: .exit(3), at: F.at(99.75), value: 42.5, runID: runID, body: "line 1\nline 2 ✓",
                           source: "10.0.0.1"),
            verdict: SignalVerdict(isProgress: true, runDuration: 12.25),
            effects: [
                .changed(StateChange(monitorID: monitorID, from: .late, to: .stalled, at: F.at(100.125),
                                     noticedAt: F.at(100.5), incidentID: incident.id, reason: "no progress")),
                .opened(incident), .resolved(earlier),
            ],
            notices: [Notice(id: 7, idempotencyKey: "k/1", channel: "webhook", target: "http://127.0.0.1:9/hook",
                             payload: Data([0, 1, 2, 255]), createdAt: F.at(100.5), attempts: 2,
                             nextAttemptAt: F.at(160))],
            statusOnly: false
        )
    }

    @Test("a step reads back equal to the step written, and a step cut short at any byte is refused, not misread")
    func stepsReadBackWhole() throws {
        let id = UUID()
        let steps = [Self.fullStep(of: id), F.step(of: id, revision: 3, body: ""), ChangeBatch(
            monitorID: id, state: MonitorState(status: .late, since: F.at(5), revision: 4), statusOnly: true)]
        var bytes: [UInt8] = []
        for step in steps { IntakeCodec.encode(step, into: &bytes) }
        let decoded = try bytes.withUnsafeBytes { raw in
            var offset = 0
            let read = try (0..<steps.count).map { _ in try IntakeCodec.decode(raw, at: &offset) }
            #expect(offset == raw.count)
            return read
        }
        #expect(decoded == steps)

        var first: [UInt8] = []
        IntakeCodec.encode(steps[0], into: &first)
        for length in 0..<first.count {
            let prefix = Array(first[..<length])
            #expect(throws: IntakeCodecError.self) {
                try prefix.withUnsafeBytes { raw in
                    var offset = 0
                    _ = try IntakeCodec.decode(raw, at: &offset)
                }
            }
        }
    }

    /// Commits steps of two monitors with the copying held back, so that they are acknowledged and only in the log;
    /// then copies the database's files as `kill -9` would leave them.
    private func crashWithStepsInTheLog(
        _ folder: TemporaryFolder
    ) async throws -> (monitors: [Monitor], crashed: URL, live: SQLiteStore) {
        let live = try SQLiteStore(path: folder.path("vigil.sqlite"), signalsKept: 1_000)
        let monitors = [F.monitor("first"), F.monitor("second")]
        for monitor in monitors { try await live.saveMonitor(monitor, initialState: .new(at: F.at(0))) }
        try await live.commit(F.step(of: monitors[0].id, revision: 1, body: "copied before the crash"))
        _ = try await live.signals(monitorID: monitors[0].id, limit: 1)
        live.pauseIntake(true)
        for revision in 2...40 {
            try await live.commit(F.step(of: monitors[0].id, revision: Int64(revision), body: "first-\(revision)"))
        }
        try await live.commit(Self.fullStep(of: monitors[1].id))
        let crashed = folder.url.appendingPathComponent("crashed-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: crashed, withIntermediateDirectories: false)
        for name in Self.files {
            try FileManager.default.copyItem(
                at: folder.url.appendingPathComponent(name), to: crashed.appendingPathComponent(name))
        }
        return (monitors, crashed, live)
    }

    @Test("steps acknowledged from the log and not yet in SQLite are copied in by the next store to open it")
    func acknowledgedStepsInTheLogSurviveACrash() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (monitors, crashed, live) = try await crashWithStepsInTheLog(folder)
        let log = crashed.appendingPathComponent("vigil.sqlite-intake").path
        #expect(try FileManager.default.attributesOfItem(atPath: log)[.size] as? Int ?? 0 > 1_000)

        // A write cut short by the crash: half a frame after the last whole one.
        let torn = IntakeLog.frame(first: 1_000, count: 1, payload: [UInt8](repeating: 7, count: 200))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(torn.prefix(100)))
        try handle.close()

        // Kept signals: 10 here, 1 000 in the store that wrote them. The copy keeps them all; retention is the
        // writer's to apply (a CLI opening a crashed server's database must not cut its history).
        let store = try SQLiteStore(path: crashed.appendingPathComponent("vigil.sqlite").path, signalsKept: 10)
        #expect(try FileManager.default.attributesOfItem(atPath: log)[.size] as? Int == 0)
        let loaded = try await store.loadMonitors()
        #expect(loaded.map(\.state) == [F.step(of: monitors[0].id, revision: 40, body: "").state,
                                        Self.fullStep(of: monitors[1].id).state])
        let bodies = try await store.signals(monitorID: monitors[0].id, limit: 100).compactMap(\.signal.body)
        #expect(bodies == (2...40).reversed().map { "first-\($0)" } + ["copied before the crash"])
        let full = try #require(try await store.signals(monitorID: monitors[1].id, limit: 10).first)
        #expect(full.signal == Self.fullStep(of: monitors[1].id).signal)
        #expect(full.runDuration == 12.25)
        let journal = try await store.journal(monitorID: monitors[1].id, limit: 10)
        #expect(journal.map(\.event) == [.incidentResolved, .incidentOpened, .stateChanged])
        #expect(try await store.incidents(monitorID: monitors[1].id, limit: 10).map(\.id) == [Self.incidentID])
        #expect(try await store.dueNotices(at: F.at(1_000), limit: 10).map(\.idempotencyKey) == ["k/1"])
        live.pauseIntake(false)
    }

    @Test("a log copied in once is not copied again: its steps are at or below the mark SQLite keeps")
    func aLogIsNeverCopiedTwice() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (monitors, crashed, live) = try await crashWithStepsInTheLog(folder)
        defer { live.pauseIntake(false) }
        let log = crashed.appendingPathComponent("vigil.sqlite-intake")
        let kept = try Data(contentsOf: log)
        let path = crashed.appendingPathComponent("vigil.sqlite").path
        do {
            let store = try SQLiteStore(path: path, signalsKept: 1_000)
            #expect(try await store.signals(monitorID: monitors[0].id, limit: 100).count == 40)
            // The next step after the replay is numbered past the log's, so a crash now would not hide it.
            try await store.commit(F.step(of: monitors[0].id, revision: 41, body: "after"))
        }
        // As if the log had not been emptied after it was copied.
        try kept.write(to: log)
        let again = try SQLiteStore(path: path, signalsKept: 1_000)
        let bodies = try await again.signals(monitorID: monitors[0].id, limit: 100).compactMap(\.signal.body)
        #expect(bodies.count == 41)
        #expect(bodies.first == "after")
        #expect(try await again.journal(monitorID: monitors[1].id, limit: 10).count == 3)
    }

    @Test("while another store holds the log, commits go to SQLite directly and are read back all the same")
    func aStoreWithoutTheLogWritesDirectly() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.path("vigil.sqlite")
        let store = try SQLiteStore(path: path, signalsKept: 1_000)
        let monitor = F.monitor("direct")
        try await store.saveMonitor(monitor, initialState: .new(at: F.at(0)))
        let other = try IntakeLog(path: path + "-intake")
        #expect(other.lock())
        for revision in 1...5 {
            try await store.commit(F.step(of: monitor.id, revision: Int64(revision), body: "step-\(revision)"))
        }
        #expect(other.size() == 0)
        #expect(try await store.signals(monitorID: monitor.id, limit: 10).count == 5)
        other.unlock()
        // Once it is free, the next commit takes the log again.
        store.pauseIntake(true)
        try await store.commit(F.step(of: monitor.id, revision: 6, body: "step-6"))
        #expect(other.size() > 0)
        #expect(!other.lock())
        store.pauseIntake(false)
        #expect(try await store.signals(monitorID: monitor.id, limit: 10).count == 6)
    }

    @Test("under a steady load the log is emptied once it outgrows its limit, and nothing acknowledged is lost")
    func theLogStaysBoundedUnderASteadyLoad() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"), signalsKept: 1_000)
        store.intake.withLock { $0.fileLimit = 2_048 }
        let monitors = (0..<20).map { F.monitor("steady-\($0)") }
        for monitor in monitors { try await store.saveMonitor(monitor, initialState: .new(at: F.at(0))) }
        // No group is larger than all twenty monitors' steps, ~200 bytes each.
        let bound = 2_048 + 20 * 400
        let largest = try await withThrowingTaskGroup(of: Int.self) { group in
            for monitor in monitors {
                group.addTask {
                    var largest = 0
                    for revision in 1...50 {
                        try await store.commit(F.step(of: monitor.id, revision: Int64(revision), body: "\(revision)"))
                        largest = max(largest, store.intakeLog.size())
                    }
                    return largest
                }
            }
            return try await group.reduce(0) { max($0, $1) }
        }
        #expect(largest <= bound)
        for monitor in monitors {
            #expect(try await store.signals(monitorID: monitor.id, limit: 100).count == 50)
        }
    }
}
