import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import VigilCore
import VigilEngine
import VigilServer
import VigilStore

/// The report names blockers and actions from the recovery records of its incidents.
@Suite struct ReportRecoveryTests {
    @Test func blockersAndRecoveringActionsAreGrouped() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-report-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("vigil.sqlite").path)
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let now = Mutex(t0)
        let engine = Engine(
            store: store,
            settings: Engine.Settings(baseURL: "http://127.0.0.1:8080", pingKey: nil, notify: [], defaultRateLimit: nil),
            now: { now.withLock { $0 } })
        try await engine.start(declaring: [MonitorDeclaration(slug: "feed", schedule: .every(3_600), grace: 600)])
        let monitor = try #require(engine.snapshot(slugOrKey: "feed")).monitor
        // Two stalls, each diagnosed as x-api and ended by progress after a restart.
        var time = t0
        for index in 0..<3 {
            _ = try await engine.receive(Signal(kind: .success, at: time), for: .key(monitor.key))
            guard index < 2 else { break }
            time += 5 * 3_600
            await engine.fireDeadlines(at: time - 3_600)
        }
        let end = time + 60
        let incidents = try await store.incidents(monitorID: monitor.id, limit: 10)
        #expect(incidents.count == 2)
        for incident in incidents {
            try await store.saveDiagnosis(
                Diagnosis(blocked: [], available: [], rootCauses: ["x-api"], warnings: [:], at: incident.detectedAt),
                incidentID: incident.id)
            var attempt = RecoveryAttempt(
                number: 1, action: "restart", startedAt: incident.detectedAt, idempotencyKey: "\(incident.id).1")
            attempt.result = .recovered
            try await store.saveAttempt(attempt, incidentID: incident.id, monitorID: monitor.id)
        }
        let app = Application(router: buildRouter(engine: engine, pingBodyLimit: 1_000, gate: .open))
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/report?since=2d&until=\(VigilJSON.format(end))", method: .get)
            #expect(response.status == .ok)
            let report = try VigilJSON.decoder.decode(EngineReport.self, from: Data(buffer: response.body))
            #expect(report.journal.topBlockers.map(\.blocker) == ["x-api"])
            #expect(report.journal.topBlockers.first?.incidents == 2)
            #expect(report.journal.byAction.map(\.key) == ["restart"])
            #expect(report.journal.byAction.first?.shareOfRecoveries == 1)
            // Due an hour after progress, resumed five hours after it.
            let mttr = try #require(report.journal.overall.timeToRecover?.p50)
            #expect(abs(mttr - 4 * 3_600) < 0.01, "\(mttr)")
        }
    }
}
