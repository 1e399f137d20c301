import Foundation
import Testing

/// The scenario suite's reduced form as a regression test: three worlds through the built binary, as CI runs it.
@Suite(.serialized)
struct ScenarioSuiteTests {
    /// The fields of `vigil scenarios run --json` that the targets speak of.
    struct Score: Decodable {
        var scenario: String
        var policy: String
        var resolvedWithoutHuman: Bool
        var mttdSeconds: Double?
        var mttrSeconds: Double?
        var wrongActions: Int
        var recoveryAttempts: Int
        var humanNotices: Int
        var rootCauses: Int
        var lostSignals: Int

        enum CodingKeys: String, CodingKey {
            case scenario, policy
            case resolvedWithoutHuman = "resolved_without_human"
            case mttdSeconds = "mttd_seconds"
            case mttrSeconds = "mttr_seconds"
            case wrongActions = "wrong_actions"
            case recoveryAttempts = "recovery_attempts"
            case humanNotices = "human_notices"
            case rootCauses = "root_causes"
            case lostSignals = "lost_signals"
        }
    }

    static let scenarios = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scenarios")

    @Test func hungWorkerDependencyOutageAndCascadeRecoverWithoutAHuman() async throws {
        let run = try await Command.vigil([
            "scenarios", "run", "--json", "--dir", Self.scenarios.path, "hung-worker", "dependency-outage", "cascade",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let scores = try JSONDecoder().decode([Score].self, from: Data(run.stdout.utf8))
        let vigil = Dictionary(uniqueKeysWithValues: scores.filter { $0.policy == "vigil" }.map { ($0.scenario, $0) })
        let baseline = Dictionary(
            uniqueKeysWithValues: scores.filter { $0.policy == "restart-only" }.map { ($0.scenario, $0) })
        #expect(Set(vigil.keys) == ["01-hung-worker", "03-dependency-outage", "08-cascade"], "\(run.stdout)")
        #expect(Set(baseline.keys) == Set(vigil.keys))

        for score in vigil.values {
            #expect(score.resolvedWithoutHuman, "\(score.scenario) unresolved: \(run.stdout)")
            #expect(score.mttrSeconds != nil)
            #expect(score.lostSignals == 0, "\(score.scenario) lost signals")
        }
        let hung = try #require(vigil["01-hung-worker"])
        #expect(hung.recoveryAttempts >= 1, "the hung worker was never restarted")
        // The dependency outage and the cascade: never an action that cannot help, at most one notice per cause.
        for name in ["03-dependency-outage", "08-cascade"] {
            let score = try #require(vigil[name])
            #expect(score.wrongActions == 0, "\(name): \(score.wrongActions) wrong actions")
            #expect(score.humanNotices <= score.rootCauses, "\(name): \(score.humanNotices) notices")
        }
        // The same worlds under restart-only: restarts during the outages are counted as wrong, so the harness can
        // tell the difference it is there to measure.
        for name in ["03-dependency-outage", "08-cascade"] {
            let score = try #require(baseline[name])
            #expect(score.wrongActions > 0, "\(name) under restart-only made no wrong restart: \(run.stdout)")
        }
        // Whether restart-only's last restart in the cascade lands after the bus is back depends on timing, so only
        // the outage, which outlasts its start limit, must defeat it.
        #expect(!(try #require(baseline["03-dependency-outage"])).resolvedWithoutHuman)
    }

    @Test func anUnknownScenarioIsRefusedWithTheKnownOnes() async throws {
        let run = try await Command.vigil(["scenarios", "run", "--dir", Self.scenarios.path, "no-such-world"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("no scenario \"no-such-world\" — known: 01-hung-worker"), "\(run.stderr)")
    }
}
