import Foundation
import Testing
import VigilCore

@testable import VigilStore

/// A recovery attempt is written when it starts, when its action ends and when progress settles its result; those
/// writes come from different tasks and may land in any order.
@Suite("Attempt outcome")
struct AttemptOutcomeTests {
    private typealias F = Fixture

    @Test func anOutcomeOnceWrittenSurvivesALaterWriteThatDoesNotKnowIt() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.path("vigil.sqlite"))
        let monitor = F.monitor("worker")
        try await store.saveMonitor(monitor, initialState: .new(at: F.at(0)))
        let incident = Incident(id: UUID(), monitorID: monitor.id, cause: .stall, onset: F.at(10), detectedAt: F.at(11))
        try await store.commit(ChangeBatch(
            monitorID: monitor.id, state: MonitorState(status: .stalled, since: F.at(10), incident: incident, revision: 1),
            effects: [.opened(incident)]
        ))

        let started = RecoveryAttempt(number: 1, action: "publish", startedAt: F.at(12), idempotencyKey: "\(incident.id).1")
        try await store.saveAttempt(started, incidentID: incident.id, monitorID: monitor.id)
        // The action ends: its outcome, result still to be verified.
        var finished = started
        finished.outcome = ActionOutcome(status: .succeeded, code: 0, output: "published", startedAt: F.at(12), finishedAt: F.at(13))
        finished.result = .pending
        try await store.saveAttempt(finished, incidentID: incident.id, monitorID: monitor.id)
        // Progress had resolved the incident while the action ran; that write, without the outcome, lands last.
        var settled = started
        settled.result = .recovered
        try await store.saveAttempt(settled, incidentID: incident.id, monitorID: monitor.id)

        let attempt = try #require(try await store.recoveryRecord(incidentID: incident.id).attempts.first)
        #expect(attempt.result == .recovered)
        #expect(attempt.outcome?.status == .succeeded)
        #expect(attempt.outcome?.code == 0)
        #expect(attempt.outcome?.output == "published")
        #expect(attempt.outcome?.finishedAt == F.at(13))

        // The other order gives the same attempt, and a failed verification does not undo recovered.
        var late = finished
        late.result = .failed
        try await store.saveAttempt(late, incidentID: incident.id, monitorID: monitor.id)
        let again = try #require(try await store.recoveryRecord(incidentID: incident.id).attempts.first)
        #expect(again.result == .recovered)
        #expect(again.outcome?.status == .succeeded)
    }
}
