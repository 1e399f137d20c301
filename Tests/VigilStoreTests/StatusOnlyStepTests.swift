import Foundation
import Testing
import VigilCore

@testable import VigilStore

/// Steps that change only the status (a deadline passing) are written as four columns over the revision before;
/// what the monitor loads back must be the same as if the whole state had been written.
@Suite("Status-only steps")
struct StatusOnlyStepTests {
    private typealias F = Fixture

    /// A monitor whose stored state (revision 4) has values, a started run and signal times.
    private func seeded(_ store: SQLiteStore) async throws -> (Monitor, MonitorState) {
        let monitor = F.monitor("counter")
        try await store.saveMonitor(monitor, initialState: .new(at: F.at(0)))
        let state = MonitorState(
            status: .up, since: F.at(10), lastSignalAt: F.at(20.5), lastProgressAt: F.at(15.25),
            lastValues: ["rows": 1_234.5], runs: ["": F.at(19)], revision: 4
        )
        try await store.commit(ChangeBatch(monitorID: monitor.id, state: state))
        return (monitor, state)
    }

    /// The state after a stall: incident open, status `stalled` since `at`.
    private func stalled(_ state: MonitorState, of monitor: Monitor, at: Date, revision: Int64) -> (MonitorState, [Effect]) {
        let incident = Incident(id: UUID(), monitorID: monitor.id, cause: .stall, onset: at, detectedAt: at)
        var next = state
        next.status = .stalled
        next.since = at
        next.incident = incident
        next.revision = revision
        let change = StateChange(
            monitorID: monitor.id, from: state.status, to: .stalled, at: at, noticedAt: at, incidentID: incident.id,
            reason: "no progress"
        )
        return (next, [.opened(incident), .changed(change)])
    }

    @Test("a status-only step over the revision before it loads back as the whole state, incident and journal included")
    func statusOnlyOverPrevious() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let (monitor, state) = try await seeded(store)
        let (next, effects) = stalled(state, of: monitor, at: F.at(100), revision: 5)

        try await store.commit(ChangeBatch(monitorID: monitor.id, state: next, effects: effects, statusOnly: true))

        #expect(try await store.loadMonitors() == [StoredMonitor(monitor: monitor, state: next)])
        let journal = try await store.journal(monitorID: monitor.id, limit: 10)
        #expect(journal.map(\.event) == [.stateChanged, .incidentOpened])
        #expect(journal.first?.incidentID == next.incident?.id)
        #expect(try await store.incidents(monitorID: monitor.id, limit: 10).map(\.id) == [next.incident!.id])
    }

    @Test("a status-only step whose previous revision was never stored writes the whole state instead")
    func statusOnlyAfterAGap() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let (monitor, state) = try await seeded(store)
        // Revision 5 (which set new values and ended the run) never reached the store; 6 claims to change only the
        // status over 5, so writing just the status would keep revision 4's values and run.
        var missed = state
        missed.lastValues = ["rows": 2_000]
        missed.runs = [:]
        let (next, effects) = stalled(missed, of: monitor, at: F.at(100), revision: 6)

        try await store.commit(ChangeBatch(monitorID: monitor.id, state: next, effects: effects, statusOnly: true))

        #expect(try await store.loadMonitors() == [StoredMonitor(monitor: monitor, state: next)])
    }

    @Test("a status-only step older than the stored state changes nothing")
    func staleStatusOnly() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let (monitor, state) = try await seeded(store)
        var late = state
        late.status = .late
        late.since = F.at(50)
        late.revision = 3

        try await store.commit(ChangeBatch(monitorID: monitor.id, state: late, statusOnly: true))

        #expect(try await store.loadMonitors() == [StoredMonitor(monitor: monitor, state: state)])
    }

    @Test("status-only steps of many monitors in one group commit each land on their own row")
    func manyInOneGroup() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        var expected: [UUID: MonitorState] = [:]
        var batches: [ChangeBatch] = []
        for index in 0..<50 {
            let monitor = F.monitor("m\(index)")
            let up = MonitorState(status: .up, since: F.at(1), lastSignalAt: F.at(1), lastProgressAt: F.at(1), revision: 1)
            try await store.saveMonitor(monitor, initialState: .new(at: F.at(0)))
            try await store.commit(ChangeBatch(monitorID: monitor.id, state: up))
            var late = up
            late.status = .late
            late.since = F.at(Double(100 + index))
            late.revision = 2
            expected[monitor.id] = late
            batches.append(ChangeBatch(monitorID: monitor.id, state: late, statusOnly: true))
        }
        // Handed over together, as a round of deadlines is, so that the writer takes them in few transactions.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for batch in batches { group.addTask { try await store.commit(batch) } }
            try await group.waitForAll()
        }

        let loaded = try await store.loadMonitors()
        #expect(loaded.count == 50)
        for item in loaded { #expect(item.state == expected[item.monitor.id]) }
    }

    @Test("the ids the writer stores are Foundation's uppercase text")
    func idText() {
        for id in [UUID(), UUID(), UUID(uuid: (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 255))] {
            #expect(SQLiteStore.text(id) == id.uuidString)
        }
    }
}
