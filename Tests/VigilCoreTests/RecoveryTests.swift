import Foundation
import Testing

@testable import VigilCore

/// The essay's pipeline: two publishing actions that need a credential each, and a dearer one that needs neither.
private let t0 = Date(timeIntervalSince1970: 1_800_000_000)
private let incident = UUID(uuidString: "6F1C2B7E-3D4A-4B5C-8D9E-0A1B2C3D4E5F")!

private func action(_ name: String, requires: [String], cost: Double) -> Action {
    Action(name: name, kind: .run(CommandSpec(argv: ["./actions/\(name).sh"])), requires: requires, cost: cost)
}

private let essayActions: [String: Action] = [
    "post-thread": action("post-thread", requires: ["x-api"], cost: 1),
    "cross-post": action("cross-post", requires: ["reddit-session"], cost: 1),
    "write-article": action("write-article", requires: ["content-creation"], cost: 3),
]

/// A backoff without jitter, so delays are exact: 10 s, 20 s, 40 s, … up to 10 minutes.
private let exactBackoff = Backoff(base: 10, factor: 2, cap: 600, jitter: 0)

private func plan(
    _ actions: [String], verifyWithin: TimeInterval = 300, backoff: Backoff = exactBackoff,
    limit: IntensityLimit = IntensityLimit(count: 100, window: 3_600)
) -> RecoveryPlan {
    RecoveryPlan(actions: actions, verifyWithin: verifyWithin, backoff: backoff, limit: limit)
}

private func diagnosis(blocked: [String] = [], available: [String], at: Date) -> Diagnosis {
    Diagnosis(
        blocked: blocked.map { .init(capability: $0, reason: "\($0) is down", blockedBy: nil) },
        available: available, rootCauses: blocked, warnings: [:], at: at)
}

private func outcome(_ status: ActionOutcome.Status, code: Int? = 0, from start: Date, seconds: TimeInterval)
    -> ActionOutcome
{
    ActionOutcome(
        status: status, code: code, output: "", startedAt: start, finishedAt: start.addingTimeInterval(seconds))
}

fileprivate extension [Recovery.Effect] {
    var runs: [RecoveryAttempt] {
        compactMap { if case .run(_, let attempt) = $0 { attempt } else { nil } }
    }
    var wakes: [Date] {
        compactMap { if case .wake(let at) = $0 { at } else { nil } }
    }
    var escalations: [EscalationReason] {
        compactMap { if case .escalate(let reason, _) = $0 { reason } else { nil } }
    }
    var escalationDetails: [String] {
        compactMap { if case .escalate(_, let detail) = $0 { detail } else { nil } }
    }
    var notes: [String] {
        compactMap { if case .note(let text) = $0 { text } else { nil } }
    }
}

/// Drives one recovery as the engine would, remembering the clock.
private struct Driver {
    var recovery = Recovery(incidentID: incident)
    var context: Recovery.Context

    init(_ context: Recovery.Context) {
        self.context = context
    }

    mutating func send(_ event: Recovery.Event) -> [Recovery.Effect] {
        recovery.handle(event, context: context)
    }

    /// Opens the incident and delivers the diagnosis; returns the effects of the diagnosis.
    mutating func open(with found: Diagnosis) -> [Recovery.Effect] {
        #expect(send(.opened(at: found.at)) == [.probe])
        return send(.diagnosed(found))
    }

    /// Finishes the running action successfully, lets the verification window pass without progress, waits out the
    /// backoff and delivers the next diagnosis; returns the effects of that diagnosis.
    mutating func noProgress(then available: [String], blocked: [String] = []) throws -> [Recovery.Effect] {
        let attempt = try #require(recovery.attempts.last)
        let finished = send(.actionFinished(outcome(.succeeded, from: attempt.startedAt, seconds: 2)))
        let deadline = try #require(finished.wakes.first)
        let waiting = send(.timer(at: deadline))
        let retry = try #require(waiting.wakes.first)
        #expect(send(.timer(at: retry)) == [.probe])
        return send(.diagnosed(diagnosis(blocked: blocked, available: available, at: retry)))
    }
}

@Suite("Recovery planner")
struct RecoveryTests {
    // MARK: - Choosing an action

    @Test("the essay's morning: with both credentials blocked the available write-article runs")
    func cheapestRunnable() {
        var driver = Driver(.init(plan: plan(["post-thread", "cross-post", "write-article"]), actions: essayActions))
        let found = diagnosis(blocked: ["x-api", "reddit-session"], available: ["content-creation"], at: t0)
        let effects = driver.open(with: found)

        #expect(effects.runs.map(\.action) == ["write-article"])
        #expect(effects.escalations.isEmpty)
        #expect(driver.recovery.phase == .running(action: "write-article"))
        #expect(driver.recovery.diagnosis == found)
        #expect(
            effects.notes.first == "diagnosis: blocked: x-api (x-api is down), reddit-session (reddit-session is down);"
                + " available: content-creation")
        #expect(effects.notes.contains("attempt 1: write-article (cost 3)"))
    }

    @Test("of the runnable actions the cheapest is chosen, and on equal cost the one listed first")
    func cheapestFirst() {
        let all = diagnosis(available: ["x-api", "reddit-session", "content-creation"], at: t0)
        let ladder = plan(["write-article", "cross-post", "post-thread"])
        #expect(Recovery.choose(from: ladder, actions: essayActions, diagnosis: all, tried: [:])?.name == "cross-post")

        var driver = Driver(.init(plan: ladder, actions: essayActions))
        #expect(driver.open(with: all).runs.map(\.action) == ["cross-post"])
    }

    @Test("an action whose requirement is blocked is skipped for a dearer one that can run")
    func blockedRequirementSkipped() {
        let found = diagnosis(blocked: ["x-api"], available: ["reddit-session", "content-creation"], at: t0)
        let chosen = Recovery.choose(
            from: plan(["post-thread", "write-article"]), actions: essayActions, diagnosis: found, tried: [:])
        #expect(chosen?.name == "write-article")
    }

    @Test("an action that needs a capability the diagnosis did not cover is not runnable")
    func unknownRequirement() {
        let found = diagnosis(available: ["content-creation"], at: t0)
        let chosen = Recovery.choose(
            from: plan(["post-thread"]), actions: essayActions, diagnosis: found, tried: [:])
        #expect(chosen == nil)
    }

    @Test("a capability blocked by its parent makes the actions that require it unrunnable")
    func parentBlocked() {
        let capabilities: [String: Capability] = [
            "network": Capability(name: "network", probe: .tcp(host: "127.0.0.1", port: 53, timeout: 1)),
            "x-api": Capability(name: "x-api", probe: .command(argv: ["./x.sh"], timeout: 5), needs: ["network"]),
            "content-creation": Capability(name: "content-creation", probe: .file(path: "/tmp/drafts", maxAge: nil)),
        ]
        let results = [
            "network": ProbeResult(capability: "network", status: .blocked, reason: "refused", checkedAt: t0),
            "x-api": ProbeResult(capability: "x-api", status: .available, reason: "token valid", checkedAt: t0),
            "content-creation": ProbeResult(
                capability: "content-creation", status: .available, reason: "ok", checkedAt: t0),
        ]
        let found = Diagnoser.diagnose(
            ["x-api", "content-creation"], capabilities: capabilities, results: results, at: t0)

        var driver = Driver(.init(plan: plan(["post-thread", "write-article"]), actions: essayActions))
        #expect(driver.open(with: found).runs.map(\.action) == ["write-article"])

        var onlyX = Driver(.init(plan: plan(["post-thread"]), actions: essayActions))
        let effects = onlyX.open(with: found)
        #expect(effects.runs.isEmpty)
        #expect(effects.escalations == [.allBlocked])
        #expect(effects.escalationDetails.first?.contains("x-api (by network)") == true)
    }

    // MARK: - Everything blocked

    @Test("all blocked: escalate once at once, keep probing, and act as soon as a capability returns")
    func dependencyOutageThenResume() throws {
        let context = Recovery.Context(plan: plan(["post-thread", "cross-post"]), actions: essayActions)
        var driver = Driver(context)
        let blocked = ["x-api", "reddit-session"]
        let first = driver.open(with: diagnosis(blocked: blocked, available: ["content-creation"], at: t0))

        #expect(first.runs.isEmpty)
        #expect(first.escalations == [.allBlocked])
        #expect(first.escalationDetails == [
            "no action can run: blocked: x-api (x-api is down), reddit-session (reddit-session is down);"
                + " available: content-creation"
        ])
        #expect(first.wakes == [t0 + 10])
        #expect(driver.recovery.phase == .waiting(until: t0 + 10))
        #expect(driver.recovery.attempts.isEmpty)

        // Still blocked on the next look: no second escalation, and the wait grows.
        #expect(driver.send(.timer(at: t0 + 10)) == [.probe])
        #expect(driver.recovery.phase == .diagnosing)
        let second = driver.send(.diagnosed(diagnosis(blocked: blocked, available: [], at: t0 + 10)))
        #expect(second.escalations.isEmpty)
        #expect(second.runs.isEmpty)
        #expect(second.wakes == [t0 + 10 + 20])

        // The X credential is renewed: the next diagnosis runs post-thread.
        #expect(driver.send(.timer(at: t0 + 30)) == [.probe])
        let third = driver.send(.diagnosed(diagnosis(blocked: ["reddit-session"], available: ["x-api"], at: t0 + 30)))
        #expect(third.runs.map(\.action) == ["post-thread"])
        #expect(third.runs.first?.startedAt == t0 + 30)
        #expect(third.escalations.isEmpty)

        #expect(driver.send(.progressed(at: t0 + 40)) == [])
        #expect(driver.recovery.phase == .finished)
        #expect(driver.recovery.attempts.map(\.result) == [.recovered])
        #expect(driver.recovery.escalated == [.allBlocked])
    }

    @Test("after an outage the wait between probes starts small again")
    func blockedRoundsReset() throws {
        var driver = Driver(.init(plan: plan(["post-thread"]), actions: essayActions))
        #expect(driver.open(with: diagnosis(blocked: ["x-api"], available: [], at: t0)).wakes == [t0 + 10])
        _ = driver.send(.timer(at: t0 + 10))
        #expect(driver.send(.diagnosed(diagnosis(available: ["x-api"], at: t0 + 10))).runs.count == 1)
        // The action fails, and on the next look x-api is blocked again.
        let failed = driver.send(.actionFinished(outcome(.failed, code: 1, from: t0 + 10, seconds: 1)))
        let retry = try #require(failed.wakes.first)
        _ = driver.send(.timer(at: retry))
        let blockedAgain = driver.send(.diagnosed(diagnosis(blocked: ["x-api"], available: [], at: retry)))
        #expect(blockedAgain.wakes == [retry + 10])
    }

    // MARK: - Climbing the ladder

    @Test("each attempt uses the least-tried action, so a cheap action that brought no progress is not repeated")
    func ladder() throws {
        let actions: [String: Action] = [
            "restart-worker": action("restart-worker", requires: [], cost: 1),
            "clear-cache": action("clear-cache", requires: [], cost: 2),
            "page-vendor": action("page-vendor", requires: [], cost: 5),
        ]
        var driver = Driver(.init(plan: plan(["page-vendor", "clear-cache", "restart-worker"]), actions: actions))
        let first = driver.open(with: diagnosis(available: [], at: t0))
        #expect(first.runs.map(\.action) == ["restart-worker"])

        let second = try driver.noProgress(then: [])
        #expect(second.runs.map(\.action) == ["clear-cache"])
        let third = try driver.noProgress(then: [])
        #expect(third.runs.map(\.action) == ["page-vendor"])
        // Every action tried once: round again from the cheapest.
        let fourth = try driver.noProgress(then: [])
        #expect(fourth.runs.map(\.action) == ["restart-worker"])

        #expect(driver.recovery.attempts.map(\.number) == [1, 2, 3, 4])
        #expect(driver.recovery.attempts.map(\.result) == [.noProgress, .noProgress, .noProgress, .pending])
    }

    @Test("the ladder skips a rung whose requirement went away between attempts")
    func ladderWithBlockedRung() throws {
        var driver = Driver(.init(plan: plan(["post-thread", "cross-post", "write-article"]), actions: essayActions))
        let all = ["x-api", "reddit-session", "content-creation"]
        #expect(driver.open(with: diagnosis(available: all, at: t0)).runs.map(\.action) == ["post-thread"])
        let second = try driver.noProgress(then: ["x-api", "content-creation"], blocked: ["reddit-session"])
        #expect(second.runs.map(\.action) == ["write-article"])
    }

    @Test("an action that succeeds is verified: no progress within verify_within means backing off, then trying again")
    func verifyThenNoProgress() throws {
        var driver = Driver(.init(plan: plan(["write-article"], verifyWithin: 300), actions: essayActions))
        _ = driver.open(with: diagnosis(available: ["content-creation"], at: t0))

        let finished = driver.send(.actionFinished(outcome(.succeeded, from: t0, seconds: 4)))
        #expect(finished == [
            .note("write-article finished; waiting up to 5m for progress"),
            .wake(at: t0 + 304),
        ])
        #expect(driver.recovery.phase == .verifying(action: "write-article", until: t0 + 304))
        #expect(driver.recovery.attempts.last?.result == .pending)
        #expect(driver.recovery.attempts.last?.outcome?.status == .succeeded)

        // A timer before the deadline (a stale one) changes nothing.
        #expect(driver.send(.timer(at: t0 + 303)) == [])
        #expect(driver.recovery.phase == .verifying(action: "write-article", until: t0 + 304))

        let expired = driver.send(.timer(at: t0 + 304))
        #expect(expired == [
            .note("no progress within 5m after write-article; next attempt in 10s"),
            .wake(at: t0 + 314),
        ])
        #expect(driver.recovery.phase == .waiting(until: t0 + 314))
        #expect(driver.recovery.attempts.last?.result == .noProgress)

        #expect(driver.send(.timer(at: t0 + 313)) == [])
        #expect(driver.send(.timer(at: t0 + 314)) == [.probe])
        #expect(driver.recovery.phase == .diagnosing)
    }

    @Test("an action that fails goes to waiting with backoff, and the attempt is marked failed")
    func failedAction() {
        var driver = Driver(.init(plan: plan(["write-article"]), actions: essayActions))
        _ = driver.open(with: diagnosis(available: ["content-creation"], at: t0))
        let effects = driver.send(.actionFinished(outcome(.failed, code: 3, from: t0, seconds: 2)))
        #expect(effects == [.note("write-article failed (3); next attempt in 10s"), .wake(at: t0 + 12)])
        #expect(driver.recovery.phase == .waiting(until: t0 + 12))
        #expect(driver.recovery.attempts.last?.result == .failed)
        #expect(driver.recovery.attempts.last?.outcome?.code == 3)
    }

    @Test("an action that timed out goes to waiting with backoff, and the attempt is marked failed")
    func timedOutAction() {
        var driver = Driver(.init(plan: plan(["write-article"]), actions: essayActions))
        _ = driver.open(with: diagnosis(available: ["content-creation"], at: t0))
        let effects = driver.send(.actionFinished(outcome(.timedOut, code: nil, from: t0, seconds: 60)))
        #expect(effects == [.note("write-article timed out; next attempt in 10s"), .wake(at: t0 + 70)])
        #expect(driver.recovery.attempts.last?.result == .failed)
    }

    @Test("the waits between failed attempts grow and stay within the jitter bounds")
    func backoffGrowsWithinJitter() throws {
        let backoff = Backoff(base: 10, factor: 2, cap: 60, jitter: 0.5)
        for unit in [0.0, 0.37, 0.999] {
            var driver = Driver(
                .init(plan: plan(["write-article"], backoff: backoff), actions: essayActions, randomUnit: unit))
            var now = t0
            _ = driver.open(with: diagnosis(available: ["content-creation"], at: now))
            var delays: [TimeInterval] = []
            for attempt in 1...5 {
                let finishedAt = now + 1
                let effects = driver.send(.actionFinished(outcome(.failed, code: 1, from: now, seconds: 1)))
                let wake = try #require(effects.wakes.first)
                let delay = wake.timeIntervalSince(finishedAt)
                let full = min(60, 10 * pow(2, Double(attempt - 1)))
                #expect(delay >= full / 2 && delay <= full, "attempt \(attempt), unit \(unit): \(delay)")
                delays.append(delay)
                now = wake
                _ = driver.send(.timer(at: now))
                #expect(driver.send(.diagnosed(diagnosis(available: ["content-creation"], at: now))).runs.count == 1)
            }
            #expect(delays == delays.sorted(), "unit \(unit): \(delays)")
            #expect(delays.first! < delays.last!, "unit \(unit): \(delays)")
            #expect(delays.last! <= 60)
        }
    }

    // MARK: - Progress

    @Test("progress while verifying finishes the incident and credits the attempt")
    func progressWhileVerifying() {
        var driver = Driver(.init(plan: plan(["write-article"]), actions: essayActions))
        _ = driver.open(with: diagnosis(available: ["content-creation"], at: t0))
        _ = driver.send(.actionFinished(outcome(.succeeded, from: t0, seconds: 3)))
        #expect(driver.send(.progressed(at: t0 + 60)) == [])
        #expect(driver.recovery.phase == .finished)
        #expect(driver.recovery.attempts.map(\.result) == [.recovered])

        // Nothing moves a finished recovery.
        #expect(driver.send(.timer(at: t0 + 303)) == [])
        #expect(driver.send(.diagnosed(diagnosis(available: ["content-creation"], at: t0 + 400))) == [])
        #expect(driver.send(.opened(at: t0 + 500)) == [])
        #expect(driver.recovery.phase == .finished)
    }

    @Test("progress while the action runs credits it too")
    func progressWhileRunning() {
        var driver = Driver(.init(plan: plan(["write-article"]), actions: essayActions))
        _ = driver.open(with: diagnosis(available: ["content-creation"], at: t0))
        _ = driver.send(.progressed(at: t0 + 1))
        #expect(driver.recovery.phase == .finished)
        #expect(driver.recovery.attempts.map(\.result) == [.recovered])
        // The outcome that arrives afterwards changes nothing.
        #expect(driver.send(.actionFinished(outcome(.failed, code: 1, from: t0, seconds: 2))) == [])
        #expect(driver.recovery.attempts.map(\.result) == [.recovered])
    }

    @Test("progress while backing off after a failure finishes the incident without crediting the failed attempt")
    func progressWhileWaiting() {
        var driver = Driver(.init(plan: plan(["write-article"]), actions: essayActions))
        _ = driver.open(with: diagnosis(available: ["content-creation"], at: t0))
        _ = driver.send(.actionFinished(outcome(.failed, code: 1, from: t0, seconds: 2)))
        _ = driver.send(.progressed(at: t0 + 5))
        #expect(driver.recovery.phase == .finished)
        #expect(driver.recovery.attempts.map(\.result) == [.failed])
    }

    @Test("progress before any action finishes the incident with no attempts")
    func progressWhileDiagnosing() {
        var driver = Driver(.init(plan: plan(["write-article"]), actions: essayActions))
        #expect(driver.send(.opened(at: t0)) == [.probe])
        #expect(driver.send(.progressed(at: t0 + 1)) == [])
        #expect(driver.recovery.phase == .finished)
        #expect(driver.recovery.attempts.isEmpty)
    }

    @Test("progress after Vigil stopped acting still finishes the incident")
    func progressWhileStopped() {
        var driver = Driver(.init(plan: .none, actions: essayActions))
        _ = driver.open(with: diagnosis(available: [], at: t0))
        #expect(driver.recovery.phase == .stopped(.noPlan))
        _ = driver.send(.progressed(at: t0 + 100))
        #expect(driver.recovery.phase == .finished)
    }

    // MARK: - Out-of-phase events

    @Test("stale timers and out-of-phase events change nothing")
    func staleEvents() {
        var driver = Driver(.init(plan: plan(["write-article"]), actions: essayActions))
        #expect(driver.send(.opened(at: t0)) == [.probe])
        // A timer or an outcome while diagnosing.
        #expect(driver.send(.timer(at: t0 + 1_000)) == [])
        #expect(driver.send(.actionFinished(outcome(.succeeded, from: t0, seconds: 1))) == [])
        #expect(driver.recovery.phase == .diagnosing)

        _ = driver.send(.diagnosed(diagnosis(available: ["content-creation"], at: t0)))
        // A timer while running; a second diagnosis while running.
        #expect(driver.send(.timer(at: t0 + 1_000)) == [])
        #expect(driver.send(.diagnosed(diagnosis(available: ["content-creation"], at: t0 + 1))) == [])
        #expect(driver.recovery.phase == .running(action: "write-article"))
        #expect(driver.recovery.attempts.count == 1)
    }

    // MARK: - Limits

    @Test("the per-monitor limit counts attempts of earlier incidents and stops acting when it is hit")
    func monitorLimitFromEarlierIncidents() {
        let limit = IntensityLimit(count: 3, window: 3_600)
        let earlier = [t0 - 3_000, t0 - 2_000, t0 - 1_000]
        var driver = Driver(.init(
            plan: plan(["write-article"], limit: limit), actions: essayActions, monitorAttempts: earlier))
        let effects = driver.open(with: diagnosis(available: ["content-creation"], at: t0))

        #expect(effects.runs.isEmpty)
        #expect(effects.escalations == [.intensity])
        #expect(effects.escalationDetails == [
            "stopped acting: 3 recovery attempts within 1h already; available: content-creation"
        ])
        #expect(driver.recovery.phase == .stopped(.intensity))

        // Stopped means stopped: further diagnoses and timers do nothing.
        #expect(driver.send(.diagnosed(diagnosis(available: ["content-creation"], at: t0 + 10))) == [])
        #expect(driver.send(.timer(at: t0 + 10_000)) == [])
        #expect(driver.recovery.phase == .stopped(.intensity))
    }

    @Test("attempts older than the window do not count towards the limit")
    func oldAttemptsDoNotCount() {
        let limit = IntensityLimit(count: 3, window: 3_600)
        let old = [t0 - 3_600, t0 - 5_000, t0 - 1_000, t0 - 2_000]
        var driver = Driver(
            .init(plan: plan(["write-article"], limit: limit), actions: essayActions, monitorAttempts: old))
        #expect(driver.open(with: diagnosis(available: ["content-creation"], at: t0)).runs.count == 1)
    }

    @Test("the per-monitor limit counts this incident's own attempts")
    func monitorLimitWithinOneIncident() throws {
        let limit = IntensityLimit(count: 2, window: 3_600)
        var driver = Driver(.init(plan: plan(["write-article"], limit: limit), actions: essayActions))
        #expect(driver.open(with: diagnosis(available: ["content-creation"], at: t0)).runs.count == 1)
        #expect(try driver.noProgress(then: ["content-creation"]).runs.count == 1)
        let third = try driver.noProgress(then: ["content-creation"])
        #expect(third.runs.isEmpty)
        #expect(third.escalations == [.intensity])
        #expect(driver.recovery.phase == .stopped(.intensity))
        #expect(driver.recovery.attempts.count == 2)
    }

    @Test("a limit of 5 allows 5 attempts when the engine reports every attempt of the monitor, this incident's too")
    func monitorLimitAsTheEngineReportsIt() throws {
        // The engine records each `.run` in the monitor's attempt list and passes the whole list back.
        let limit = IntensityLimit(count: 5, window: 3_600)
        var driver = Driver(.init(plan: plan(["write-article"], limit: limit), actions: essayActions))
        var effects = driver.open(with: diagnosis(available: ["content-creation"], at: t0))
        var ran = 0
        while let attempt = effects.runs.first {
            ran += 1
            driver.context.monitorAttempts.append(attempt.startedAt)
            driver.context.globalAttempts.append(attempt.startedAt)
            effects = try driver.noProgress(then: ["content-creation"])
            if ran > 10 { break }
        }
        #expect(ran == 5)
        #expect(effects.escalations == [.intensity])
        #expect(effects.escalationDetails.first?.hasPrefix("stopped acting: 5 recovery attempts within 1h") == true)
    }

    @Test("the limit across all monitors stops acting too, and says which limit was hit")
    func globalLimit() {
        var driver = Driver(.init(
            plan: plan(["write-article"], limit: IntensityLimit(count: 5, window: 3_600)), actions: essayActions,
            monitorAttempts: [], globalAttempts: [t0 - 30, t0 - 20, t0 - 10],
            globalLimit: IntensityLimit(count: 3, window: 60)))
        let effects = driver.open(with: diagnosis(available: ["content-creation"], at: t0))
        #expect(effects.runs.isEmpty)
        #expect(effects.escalations == [.intensity])
        #expect(
            effects.escalationDetails.first?.hasPrefix("stopped acting: 3 recovery attempts within 1m already") == true)
        #expect(driver.recovery.phase == .stopped(.intensity))

        var calmer = Driver(.init(
            plan: plan(["write-article"]), actions: essayActions, globalAttempts: [t0 - 90, t0 - 20, t0 - 10],
            globalLimit: IntensityLimit(count: 3, window: 60)))
        #expect(calmer.open(with: diagnosis(available: ["content-creation"], at: t0)).runs.count == 1)
    }

    // MARK: - No plan

    @Test("a monitor without a recovery plan stops at once and escalates with the diagnosis")
    func noPlan() {
        var driver = Driver(.init(plan: .none, actions: essayActions))
        let effects = driver.open(with: diagnosis(blocked: ["x-api"], available: ["content-creation"], at: t0))
        #expect(effects.runs.isEmpty)
        #expect(effects.escalations == [.noPlan])
        #expect(effects.escalationDetails == [
            "no recovery plan; blocked: x-api (x-api is down); available: content-creation"
        ])
        #expect(effects.wakes.isEmpty)
        #expect(driver.recovery.phase == .stopped(.noPlan))
        #expect(driver.recovery.escalated == [.noPlan])
    }

    // MARK: - Idempotency

    @Test("every attempt carries the idempotency key <incident>:<n>, numbered from 1")
    func idempotencyKeys() throws {
        var driver = Driver(.init(plan: plan(["write-article"]), actions: essayActions))
        let first = try #require(driver.open(with: diagnosis(available: ["content-creation"], at: t0)).runs.first)
        let second = try #require(try driver.noProgress(then: ["content-creation"]).runs.first)
        let id = "6f1c2b7e-3d4a-4b5c-8d9e-0a1b2c3d4e5f"
        #expect(first.idempotencyKey == "\(id):1")
        #expect(second.idempotencyKey == "\(id):2")
        #expect(first.number == 1 && second.number == 2)
        #expect(driver.recovery.attempts.map(\.idempotencyKey) == ["\(id):1", "\(id):2"])
    }
}
