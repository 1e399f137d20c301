import Foundation
import Logging
import Synchronization
import Testing
import VigilCore
import VigilStore

@testable import VigilEngine

/// Deadlines on the real engine and a real SQLite file: which steps the store may write as status only, and that
/// what it wrote loads back as the state the engine holds.
@Suite("Deadline steps")
struct DeadlineStepTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a deadline that only moves the status is status-only; one that ends an overrun run is not; both load back")
    func statusOnlyMarksAndRoundTrip() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-deadlines-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("vigil.sqlite").path
        let clock = Mutex(Self.t0)
        var quiet = Logger(label: "vigil.test.deadlines")
        quiet.logLevel = .critical
        let engine = Engine(
            store: try SQLiteStore(path: path),
            settings: Engine.Settings(baseURL: "http://127.0.0.1:8080", pingKey: nil, notify: [], defaultRateLimit: nil),
            logger: quiet, now: { clock.withLock { $0 } })
        try await engine.start(declaring: [
            MonitorDeclaration(slug: "plain", schedule: .every(3_600), grace: 600),
            MonitorDeclaration(slug: "runner", schedule: .every(3_600), grace: 600, maxRuntime: 300),
        ])
        let keys = Dictionary(uniqueKeysWithValues: engine.snapshots().map { ($0.monitor.slug, $0.monitor.key) })
        _ = try await engine.receive(Signal(kind: .success, at: Self.t0), for: .key(try #require(keys["plain"])))
        _ = try await engine.receive(Signal(kind: .success, at: Self.t0), for: .key(try #require(keys["runner"])))
        _ = try await engine.receive(Signal(kind: .start, at: Self.t0 + 10), for: .key(try #require(keys["runner"])))
        let events = engine.events.subscribe()

        // The runner's run overruns at t0 + 310 (it leaves `runs`); the plain monitor is late at t0 + 3 600.
        clock.withLock { $0 = Self.t0 + 400 }
        #expect(await engine.fireDeadlines(at: Self.t0 + 400) == 1)
        clock.withLock { $0 = Self.t0 + 3_601 }
        #expect(await engine.fireDeadlines(at: Self.t0 + 3_601) == 1)

        var marks: [String: Bool] = [:]
        for await event in events {
            guard case .step(let monitor, let batch) = event else { continue }
            marks[monitor.slug] = batch.statusOnly
            if marks.count == 2 { break }
        }
        #expect(marks == ["runner": false, "plain": true])

        let held = Dictionary(uniqueKeysWithValues: engine.snapshots().map { ($0.monitor.id, $0.state) })
        #expect(held.values.map(\.status).sorted { $0.rawValue < $1.rawValue } == [.late, .stalled])
        let reopened = try SQLiteStore(path: path)
        let loaded = try await reopened.loadMonitors()
        #expect(loaded.count == 2)
        for item in loaded { #expect(item.state == held[item.monitor.id]) }
    }

    @Test("a storm of deadlines decided in several chunks is all durable when fireDeadlines returns")
    func chunkedStormIsDurable() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-deadlines-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("vigil.sqlite").path
        let store = try SQLiteStore(path: path)
        var quiet = Logger(label: "vigil.test.deadlines")
        quiet.logLevel = .critical
        let engine = Engine(
            store: store,
            settings: Engine.Settings(baseURL: "http://127.0.0.1:8080", pingKey: nil, notify: [], defaultRateLimit: nil),
            logger: quiet, now: { Self.t0 })
        let total = Engine.deadlineChunk * 3 + 7
        try await engine.start(declaring: (0..<total).map {
            MonitorDeclaration(slug: "m\($0)", schedule: .every(3_600), grace: 0)
        })
        for snapshot in engine.snapshots() {
            _ = try await engine.receive(Signal(kind: .success, at: Self.t0), for: .key(snapshot.monitor.key))
        }

        #expect(await engine.fireDeadlines(at: Self.t0 + 3_601) == total)

        // Grace 0: each went straight to stalled, opening an incident; all of them are in the file already.
        #expect(try await store.incidents(monitorID: nil, limit: total + 1).count == total)
        let loaded = try await SQLiteStore(path: path).loadMonitors()
        #expect(loaded.count == total)
        #expect(loaded.allSatisfy { $0.state.status == .stalled && $0.state.incident != nil })
    }
}
