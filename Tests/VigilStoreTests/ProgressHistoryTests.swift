import Foundation
import GRDB
import Testing
import VigilCore

@testable import VigilStore

struct ProgressHistoryTests {
    @Test func progressSignalsAreKeptInTheHistoryBeyondTheSignalLimit() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"), signalsKept: 5)
        let monitor = Fixture.monitor("backup")
        try await store.saveMonitor(monitor, initialState: .new(at: Fixture.at(0)))
        for revision in 1...30 {
            try await store.commit(Fixture.step(of: monitor.id, revision: Int64(revision), body: "r\(revision)"))
        }
        // A log signal is not progress and stays out of the history.
        var state = MonitorState(status: .up, since: Fixture.at(1), revision: 31)
        state.lastProgressAt = Fixture.at(30)
        try await store.commit(ChangeBatch(
            monitorID: monitor.id, state: state, signal: Signal(kind: .log, at: Fixture.at(31)),
            verdict: SignalVerdict(isProgress: false, runDuration: nil)))
        let signals = try await store.signals(monitorID: monitor.id, limit: 100)
        #expect(signals.count <= 7)
        let history = try await store.progress(
            monitorID: monitor.id, from: .distantPast, to: .distantFuture, limit: 1_000)
        #expect(history.map(\.at) == (1...30).map { Fixture.at(TimeInterval($0)) })
        #expect(history.allSatisfy { $0.kind == "success" && $0.monitorID == monitor.id })
        let window = try await store.progress(monitorID: nil, from: Fixture.at(10), to: Fixture.at(20), limit: 1_000)
        #expect(window.map(\.at) == (10..<20).map { Fixture.at(TimeInterval($0)) })
        let newest = try await store.progress(monitorID: monitor.id, from: .distantPast, to: .distantFuture, limit: 3)
        #expect(newest.map(\.at) == [Fixture.at(28), Fixture.at(29), Fixture.at(30)])
    }

    @Test func incidentsAreReadByTheRangeTheyOverlap() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let monitor = Fixture.monitor("backup")
        try await store.saveMonitor(monitor, initialState: .new(at: Fixture.at(0)))
        func incident(_ onset: TimeInterval, resolved: TimeInterval?) -> Incident {
            Incident(
                id: UUID(), monitorID: monitor.id, cause: .stall, onset: Fixture.at(onset),
                detectedAt: Fixture.at(onset + 1), resolvedAt: resolved.map(Fixture.at), resolution: resolved.map { _ in "progress" })
        }
        let early = incident(100, resolved: 200)
        let overlapping = incident(900, resolved: 1_100)
        let open = incident(5_000, resolved: nil)
        for (revision, item) in [early, overlapping, open].enumerated() {
            var effects: [Effect] = [.opened(item)]
            if item.resolvedAt != nil { effects.append(.resolved(item)) }
            try await store.commit(ChangeBatch(
                monitorID: monitor.id, state: MonitorState(status: .up, since: Fixture.at(0), revision: Int64(revision + 1)),
                effects: effects))
        }
        let found = try await store.incidents(monitorID: nil, from: Fixture.at(1_000), to: Fixture.at(6_000), limit: 10)
        #expect(Set(found.map(\.id)) == [overlapping.id, open.id])
        let none = try await store.incidents(monitorID: UUID(), from: .distantPast, to: .distantFuture, limit: 10)
        #expect(none.isEmpty)
    }

    @Test func theShippedFoundationMigrationIsFollowedNotEdited() throws {
        let names = SQLiteStore.migrator.migrations
        #expect(names.first == "2026-11-29 foundation")
        #expect(names.contains("2026-11-29 progress history"))
    }

    @Test func theHistoryIsBoundedPerMonitor() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"), signalsKept: 10)
        let monitor = Fixture.monitor("busy")
        try await store.saveMonitor(monitor, initialState: .new(at: Fixture.at(0)))
        let total = SQLiteStore.progressKept + 1_500
        // Concurrent commits share transactions, as pings do.
        for chunk in stride(from: 1, through: total, by: 500) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for revision in chunk..<min(chunk + 500, total + 1) {
                    group.addTask {
                        try await store.commit(Fixture.step(of: monitor.id, revision: Int64(revision), body: ""))
                    }
                }
                try await group.waitForAll()
            }
        }
        let kept = try await store.progress(
            monitorID: monitor.id, from: .distantPast, to: .distantFuture, limit: 100_000)
        #expect(kept.count >= SQLiteStore.progressKept)
        #expect(kept.count < SQLiteStore.progressKept + 1_000)
        #expect(kept.last?.at == Fixture.at(TimeInterval(total)))
    }
}
