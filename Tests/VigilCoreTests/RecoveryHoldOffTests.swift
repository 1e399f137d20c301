import Foundation
import Testing

@testable import VigilCore

/// A worker that needs its database: restarting it is the only action, and it needs the database too.
private let t0 = Date(timeIntervalSince1970: 1_800_000_000)
private let restart = Action(
    name: "restart-worker", kind: .run(CommandSpec(argv: ["./restart.sh"])), requires: ["database"], cost: 1)

private func context(holdOff: TimeInterval, settle: TimeInterval = 0) -> Recovery.Context {
    Recovery.Context(
        plan: RecoveryPlan(
            actions: ["restart-worker"], verifyWithin: 3, backoff: Backoff(base: 1, factor: 2, cap: 4, jitter: 0),
            limit: IntensityLimit(count: 5, window: 3_600), holdOff: holdOff, settle: settle),
        actions: ["restart-worker": restart])
}

private func found(databaseUp: Bool, at: Date) -> Diagnosis {
    databaseUp
        ? Diagnosis(blocked: [], available: ["database"], rootCauses: [], warnings: [:], at: at)
        : Diagnosis(
            blocked: [.init(capability: "database", reason: "connection refused", blockedBy: nil)], available: [],
            rootCauses: ["database"], warnings: [:], at: at)
}

fileprivate extension [Recovery.Effect] {
    var escalations: [EscalationReason] {
        compactMap { if case .escalate(let reason, _) = $0 { reason } else { nil } }
    }
    var wakes: [Date] {
        compactMap { if case .wake(let at) = $0 { at } else { nil } }
    }
    var runs: [String] {
        compactMap { if case .run(let action, _) = $0 { action } else { nil } }
    }
    var notes: [String] {
        compactMap { if case .note(let text) = $0 { text } else { nil } }
    }
}

@Suite("Recovery: holding off during an outage, settling when it ends")
struct RecoveryHoldOffTests {
    /// Opens the incident with the database down at `t0` and probes again at every wake until `end`, with the
    /// database back from `returnsAt` on; returns every effect and the times of the diagnoses.
    private func outage(
        _ context: Recovery.Context, returnsAt: Date, end: Date
    ) -> (recovery: Recovery, effects: [(Date, [Recovery.Effect])]) {
        var recovery = Recovery(incidentID: UUID())
        var log: [(Date, [Recovery.Effect])] = []
        _ = recovery.handle(.opened(at: t0), context: context)
        var now = t0
        while now <= end {
            let effects = recovery.handle(.diagnosed(found(databaseUp: now >= returnsAt, at: now)), context: context)
            log.append((now, effects))
            guard let wake = effects.wakes.first else { break }
            now = wake
            #expect(recovery.handle(.timer(at: now), context: context) == [.probe])
        }
        return (recovery, log)
    }

    @Test("an outage shorter than hold_off is waited out without telling anyone, then the action runs")
    func shortOutageNoNotice() throws {
        let (recovery, log) = outage(context(holdOff: 30), returnsAt: t0 + 20, end: t0 + 60)
        #expect(log.flatMap(\.1.escalations).isEmpty)
        let (ranAt, effects) = try #require(log.last)
        #expect(effects.runs == ["restart-worker"])
        #expect(ranAt >= t0 + 20 && ranAt <= t0 + 24)
        #expect(recovery.attempts.count == 1)
        #expect(log.first?.1.notes.contains("holding off: a person is told if this is still blocked in 30s") == true)
    }

    @Test("an outage that outlasts hold_off is escalated once, when the hold-off ends")
    func longOutageOneNotice() {
        let (recovery, log) = outage(context(holdOff: 5), returnsAt: t0 + 100, end: t0 + 40)
        let escalating = log.filter { !$0.1.escalations.isEmpty }
        #expect(escalating.map(\.0) == [t0 + 5])
        #expect(escalating.flatMap(\.1.escalations) == [.allBlocked])
        #expect(recovery.attempts.isEmpty)
        // Probing never waits past the hold-off's end, so the person hears of it on time.
        #expect(log.map(\.0).prefix(4) == [t0, t0 + 1, t0 + 3, t0 + 5])
    }

    @Test("without hold_off the outage is escalated at the first diagnosis, as before")
    func noHoldOff() {
        let (_, log) = outage(context(holdOff: 0), returnsAt: t0 + 100, end: t0 + 10)
        #expect(log.first?.1.escalations == [.allBlocked])
        #expect(log.dropFirst().flatMap(\.1.escalations).isEmpty)
    }

    @Test("with settle, a returned dependency gets a chance to bring progress before any action runs")
    func settleBeforeActing() throws {
        let ctx = context(holdOff: 30, settle: 3)
        var recovery = Recovery(incidentID: UUID())
        _ = recovery.handle(.opened(at: t0), context: ctx)
        let blocked = recovery.handle(.diagnosed(found(databaseUp: false, at: t0)), context: ctx)
        let retry = try #require(blocked.wakes.first)
        _ = recovery.handle(.timer(at: retry), context: ctx)

        let back = recovery.handle(.diagnosed(found(databaseUp: true, at: retry)), context: ctx)
        #expect(back.runs.isEmpty)
        #expect(back.wakes == [retry + 3])
        #expect(back.notes.contains("database is available again; waiting up to 3s for progress before acting"))
        #expect(recovery.phase == .waiting(until: retry + 3))

        // The worker resumed by itself: the incident ends with no attempt at all.
        #expect(recovery.handle(.progressed(at: retry + 1), context: ctx) == [])
        #expect(recovery.attempts.isEmpty)
        #expect(recovery.phase == .finished)
    }

    @Test("with settle, no progress after the dependency returned means the action runs at the next look")
    func settleThenAct() throws {
        let ctx = context(holdOff: 30, settle: 3)
        var recovery = Recovery(incidentID: UUID())
        _ = recovery.handle(.opened(at: t0), context: ctx)
        _ = recovery.handle(.diagnosed(found(databaseUp: false, at: t0)), context: ctx)
        _ = recovery.handle(.timer(at: t0 + 1), context: ctx)
        _ = recovery.handle(.diagnosed(found(databaseUp: true, at: t0 + 1)), context: ctx)
        #expect(recovery.handle(.timer(at: t0 + 4), context: ctx) == [.probe])
        let acting = recovery.handle(.diagnosed(found(databaseUp: true, at: t0 + 4)), context: ctx)
        #expect(acting.runs == ["restart-worker"])
    }

    @Test("settle does not delay an incident that was never blocked")
    func settleOnlyAfterABlock() {
        let ctx = context(holdOff: 30, settle: 3)
        var recovery = Recovery(incidentID: UUID())
        _ = recovery.handle(.opened(at: t0), context: ctx)
        #expect(recovery.handle(.diagnosed(found(databaseUp: true, at: t0)), context: ctx).runs == ["restart-worker"])
    }
}
