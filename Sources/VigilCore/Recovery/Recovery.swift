import Foundation

/// One try of an action during an incident.
public struct RecoveryAttempt: Sendable, Hashable, Codable {
    public enum Result: String, Sendable, Hashable, Codable {
        /// Under way, or waiting for progress.
        case pending
        /// Progress resumed after it: the incident was recovered by this attempt.
        case recovered
        /// It ran, but no progress came within the verification window.
        case noProgress = "no_progress"
        /// The action itself failed or timed out.
        case failed
    }

    public var number: Int
    public var action: String
    public var startedAt: Date
    public var outcome: ActionOutcome?
    public var result: Result

    /// Carried by every side effect of the attempt, so that a repeat can be recognised.
    public var idempotencyKey: String

    public init(number: Int, action: String, startedAt: Date, idempotencyKey: String) {
        self.number = number
        self.action = action
        self.startedAt = startedAt
        self.outcome = nil
        self.result = .pending
        self.idempotencyKey = idempotencyKey
    }
}

/// Why a person is needed.
public enum EscalationReason: String, Sendable, Hashable, Codable {
    /// Every action in the plan needs something that is blocked.
    case allBlocked = "all_blocked"
    /// The monitor has no recovery plan.
    case noPlan = "no_plan"
    /// The restart-intensity limit was hit; Vigil stopped acting on the monitor.
    case intensity
    /// The same root cause blocked several incidents in a short time.
    case recurringBlocker = "recurring_blocker"
}

/// The recovery of one incident: a pure state machine that the engine drives with events and whose effects it
/// carries out.
public struct Recovery: Sendable, Hashable {
    public enum Phase: Sendable, Hashable {
        /// Waiting for probe results.
        case diagnosing
        /// An action is under way.
        case running(action: String)
        /// The action finished; waiting for progress until then.
        case verifying(action: String, until: Date)
        /// Backing off (or waiting for a blocked capability to return) until then; then diagnose again.
        case waiting(until: Date)
        /// Vigil stopped acting on this incident; only progress or a person ends it.
        case stopped(EscalationReason)
        /// The incident ended.
        case finished
    }

    public enum Event: Sendable, Hashable {
        case opened(at: Date)
        case diagnosed(Diagnosis)
        case actionFinished(ActionOutcome)
        /// A wake-up the recovery asked for has come.
        case timer(at: Date)
        /// Progress resumed; the incident is resolved.
        case progressed(at: Date)
    }

    public enum Effect: Sendable, Hashable {
        /// Probe the monitor's capabilities and those its actions require, then send `.diagnosed`.
        case probe
        /// Run the action; then send `.actionFinished`.
        case run(action: String, attempt: RecoveryAttempt)
        /// Send `.timer` at that time.
        case wake(at: Date)
        /// Bring in a person, once per reason and incident.
        case escalate(EscalationReason, detail: String)
        /// A line for the journal.
        case note(String)
    }

    /// What does not change during an incident.
    public struct Context: Sendable {
        public var plan: RecoveryPlan
        public var actions: [String: Action]
        /// Start times of this monitor's recent attempts, in other incidents too (for the intensity limit); this
        /// incident's own attempts count once whether or not they are included.
        public var monitorAttempts: [Date]
        /// Start times of every monitor's recent attempts, and the limit across all of them.
        public var globalAttempts: [Date]
        public var globalLimit: IntensityLimit
        /// A random number in 0..<1 for the jitter of the next backoff.
        public var randomUnit: Double

        public init(
            plan: RecoveryPlan,
            actions: [String: Action],
            monitorAttempts: [Date] = [],
            globalAttempts: [Date] = [],
            globalLimit: IntensityLimit = IntensityLimit(count: 60, window: 3_600),
            randomUnit: Double = 0.5
        ) {
            self.plan = plan
            self.actions = actions
            self.monitorAttempts = monitorAttempts
            self.globalAttempts = globalAttempts
            self.globalLimit = globalLimit
            self.randomUnit = randomUnit
        }
    }

    public let incidentID: UUID
    public private(set) var phase: Phase
    public private(set) var attempts: [RecoveryAttempt]
    public private(set) var diagnosis: Diagnosis?
    public private(set) var escalated: Set<EscalationReason>
    /// How many waits in a row found every action blocked; the next wait grows with it.
    private var blockedRounds: Int
    /// Since when every action has needed something blocked, and the root causes then; nil while something can run.
    private var blockedSince: Date?
    private var blockedCauses: [String]

    public init(incidentID: UUID) {
        self.incidentID = incidentID
        self.phase = .diagnosing
        self.attempts = []
        self.diagnosis = nil
        self.escalated = []
        self.blockedRounds = 0
        self.blockedSince = nil
        self.blockedCauses = []
    }

    /// Applies an event; returns what the engine must do.
    public mutating func handle(_ event: Event, context: Context) -> [Effect] {
        switch (event, phase) {
        case (_, .finished):
            return []
        case (.progressed(let at), _):
            return finish(at: at)
        case (.opened, _):
            phase = .diagnosing
            return [.probe]
        case (.diagnosed(let diagnosis), .diagnosing):
            self.diagnosis = diagnosis
            return decide(diagnosis, context: context)
        case (.actionFinished(let outcome), .running(let action)):
            return finished(action, outcome: outcome, context: context)
        case (.timer(let at), .verifying(let action, let until)) where at >= until:
            updateLast { $0.result = .noProgress }
            let delay = context.plan.backoff.delay(afterAttempt: attempts.count, unit: context.randomUnit)
            let next = at.addingTimeInterval(delay)
            phase = .waiting(until: next)
            return [
                .note("no progress within \(DurationFormat.format(context.plan.verifyWithin)) after \(action); "
                    + "next attempt in \(DurationFormat.format(delay))"),
                .wake(at: next),
            ]
        case (.timer(let at), .waiting(let until)) where at >= until:
            phase = .diagnosing
            return [.probe]
        default:
            // Stale timers and out-of-phase events change nothing.
            return []
        }
    }

    /// The cheapest runnable action, preferring ones tried least in this incident.
    public static func choose(
        from plan: RecoveryPlan,
        actions: [String: Action],
        diagnosis: Diagnosis,
        tried: [String: Int]
    ) -> Action? {
        let runnable = plan.actions.enumerated().compactMap { index, name -> (Int, Action)? in
            guard let action = actions[name], action.requires.allSatisfy(diagnosis.isAvailable) else { return nil }
            return (index, action)
        }
        return runnable.min { lhs, rhs in
            let left = (tried[lhs.1.name] ?? 0, lhs.1.cost, lhs.0)
            let right = (tried[rhs.1.name] ?? 0, rhs.1.cost, rhs.0)
            return left < right
        }?.1
    }

    // MARK: - Steps

    private mutating func decide(_ diagnosis: Diagnosis, context: Context) -> [Effect] {
        var effects: [Effect] = [.note("diagnosis: \(diagnosis.summary)")]
        guard !context.plan.actions.isEmpty else {
            phase = .stopped(.noPlan)
            return effects + escalate(.noPlan, "no recovery plan; \(diagnosis.summary)")
        }
        let now = diagnosis.at
        // The engine passes every attempt of the monitor, this incident's included: count each once.
        let mine = context.monitorAttempts + attempts.map(\.startedAt).filter { !context.monitorAttempts.contains($0) }
        guard context.plan.limit.allows(mine, at: now),
            context.globalLimit.allows(context.globalAttempts, at: now)
        else {
            phase = .stopped(.intensity)
            let limit = context.plan.limit.allows(mine, at: now) ? context.globalLimit : context.plan.limit
            return effects + escalate(
                .intensity,
                "stopped acting: \(limit.count) recovery attempts within \(DurationFormat.format(limit.window)) "
                    + "already; \(diagnosis.summary)"
            )
        }
        let tried = Dictionary(attempts.map { ($0.action, 1) }, uniquingKeysWith: +)
        guard let action = Self.choose(from: context.plan, actions: context.actions, diagnosis: diagnosis, tried: tried)
        else {
            // Nothing can run: keep probing so recovery resumes when a capability returns, and tell a person once
            // the outage has outlasted the hold-off.
            blockedRounds += 1
            let since = blockedSince ?? now
            blockedSince = since
            blockedCauses = diagnosis.rootCauses
            let delay = context.plan.backoff.delay(afterAttempt: blockedRounds, unit: context.randomUnit)
            var next = now.addingTimeInterval(delay)
            let holdUntil = since.addingTimeInterval(context.plan.holdOff)
            if now >= holdUntil {
                effects += escalate(.allBlocked, "no action can run: \(diagnosis.summary)")
            } else {
                next = min(next, holdUntil)
                effects.append(.note("holding off: a person is told if this is still blocked in "
                    + DurationFormat.format(holdUntil.timeIntervalSince(now))))
            }
            let wait = next.timeIntervalSince(now)
            effects.append(.note("every action needs something blocked; probing again in \(DurationFormat.format(wait))"))
            phase = .waiting(until: next)
            effects.append(.wake(at: next))
            return effects
        }
        if blockedSince != nil, context.plan.settle > 0 {
            // What blocked every action is back: the work may resume by itself, so give it a chance before acting.
            let returned = blockedCauses.filter(diagnosis.isAvailable)
            let what = returned.isEmpty ? "what blocked every action" : returned.joined(separator: ", ")
            blockedSince = nil
            blockedRounds = 0
            let until = now.addingTimeInterval(context.plan.settle)
            phase = .waiting(until: until)
            effects.append(.note("\(what) is available again; waiting up to "
                + "\(DurationFormat.format(context.plan.settle)) for progress before acting"))
            effects.append(.wake(at: until))
            return effects
        }
        blockedSince = nil
        blockedRounds = 0
        let attempt = RecoveryAttempt(
            number: attempts.count + 1, action: action.name, startedAt: now,
            idempotencyKey: "\(incidentID.uuidString.lowercased()):\(attempts.count + 1)"
        )
        attempts.append(attempt)
        phase = .running(action: action.name)
        effects.append(.note("attempt \(attempt.number): \(action.name) (cost \(Self.format(action.cost)))"))
        effects.append(.run(action: action.name, attempt: attempt))
        return effects
    }

    private mutating func finished(_ action: String, outcome: ActionOutcome, context: Context) -> [Effect] {
        updateLast { $0.outcome = outcome }
        let at = outcome.finishedAt
        if outcome.status == .succeeded {
            let until = at.addingTimeInterval(context.plan.verifyWithin)
            phase = .verifying(action: action, until: until)
            return [
                .note("\(action) finished; waiting up to \(DurationFormat.format(context.plan.verifyWithin)) for progress"),
                .wake(at: until),
            ]
        }
        updateLast { $0.result = .failed }
        let delay = context.plan.backoff.delay(afterAttempt: attempts.count, unit: context.randomUnit)
        let next = at.addingTimeInterval(delay)
        phase = .waiting(until: next)
        let how = outcome.status == .timedOut ? "timed out" : "failed (\(outcome.code.map(String.init) ?? "error"))"
        return [.note("\(action) \(how); next attempt in \(DurationFormat.format(delay))"), .wake(at: next)]
    }

    private mutating func finish(at: Date) -> [Effect] {
        switch phase {
        case .running, .verifying:
            updateLast { $0.result = .recovered }
        default:
            break
        }
        phase = .finished
        return []
    }

    private mutating func escalate(_ reason: EscalationReason, _ detail: String) -> [Effect] {
        guard escalated.insert(reason).inserted else { return [] }
        return [.escalate(reason, detail: detail)]
    }

    private mutating func updateLast(_ change: (inout RecoveryAttempt) -> Void) {
        guard !attempts.isEmpty else { return }
        change(&attempts[attempts.count - 1])
    }

    private static func format(_ cost: Double) -> String {
        cost == cost.rounded() ? String(Int(cost)) : String(cost)
    }
}
