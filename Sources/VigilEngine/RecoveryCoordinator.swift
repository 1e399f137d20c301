import Foundation
import HeapModule
import Logging
import ServiceLifecycle
import Synchronization
import VigilCore
import VigilStore

/// What one monitor declares for its recovery.
public struct MonitorRecoveryConfig: Sendable, Hashable {
    public var dependsOn: [String]
    public var plan: RecoveryPlan
    /// The escalation policy's name; `default` when the file names none.
    public var escalation: String

    public init(dependsOn: [String], plan: RecoveryPlan, escalation: String) {
        self.dependsOn = dependsOn
        self.plan = plan
        self.escalation = escalation
    }
}

/// Drives the self-healing loop of every open incident: diagnose, act, verify, back off, escalate.
///
/// Every decision is made by the pure `Recovery`, `Escalation` and `GuardState` machines; this service feeds them the
/// engine's events and the passing of time, and carries out what they return: probes, actions, journal lines and
/// notices.
public final class RecoveryCoordinator: Service, Sendable {
    struct Case {
        var incident: Incident
        var monitor: Monitor
        var recovery: Recovery
        var escalation: Escalation?
        /// Root causes this case notified people about.
        var escalatedCauses: Set<String> = []
    }

    enum TimerKey: Hashable {
        case recovery(UUID)
        case escalation(UUID)
        case guardRule(String)
    }

    struct Timer: Comparable {
        var at: Date
        var key: TimerKey
        static func < (lhs: Self, rhs: Self) -> Bool { lhs.at < rhs.at }
        static func == (lhs: Self, rhs: Self) -> Bool { lhs.at == rhs.at && lhs.key == rhs.key }
    }

    struct State {
        var cases: [UUID: Case] = [:]
        var timers = Heap<Timer>()
        var monitorAttempts: [UUID: [Date]] = [:]
        var globalAttempts: [Date] = []
        /// Recent incidents with their root causes, for the recurring-blocker rule.
        var recent: [UUID: (onset: Date, rootCauses: [String])] = [:]
        /// The earliest onset in `recent`: nothing is old enough to forget before it leaves the window.
        var recentOldest: Date?
        /// The incidents in `recent` by root cause, so that the rule looks only at those of one cause.
        var recentByCause: [String: Set<UUID>] = [:]
        /// Open incidents whose entry in `recent` holds each root cause: the cause counts for them already.
        var openClaims: [String: Set<UUID>] = [:]
        /// Open incidents that escalated each root cause, or were journaled as part of its escalation.
        var escalatedBy: [String: Set<UUID>] = [:]
        /// Root causes already escalated as recurring, with when.
        var recurringEscalated: [String: Date] = [:]
        /// When each monitor last told people that its intensity limit was hit.
        var intensityEscalated: [UUID: Date] = [:]
        var guards: [String: GuardState] = [:]
    }

    let engine: Engine
    let settings: RecoverySettings
    let configs: [String: MonitorRecoveryConfig]
    let probes: ProbeRunner
    let logger: Logger
    let now: @Sendable () -> Date
    let random: @Sendable () -> Double
    private let state = Mutex(State())
    private let wakeup = Wakeup()
    private let jobs: AsyncStream<@Sendable () async -> Void>
    private let jobSink: AsyncStream<@Sendable () async -> Void>.Continuation
    private let actionRunner = Mutex<ActionRunner?>(nil)
    /// Diagnoses, journal lines and notices of many incidents written together: a storm of thousands of stalls
    /// costs a few transactions instead of two each.
    private let writes: Coalescer<RecoveryWrite>

    /// - Parameters:
    ///   - configs: each monitor's recovery, by slug; monitors without one escalate at once when they stall.
    ///   - random: a number in 0..<1 for backoff jitter; default the system's generator.
    public init(
        engine: Engine,
        settings: RecoverySettings,
        configs: [String: MonitorRecoveryConfig],
        probes: ProbeRunner = ProbeRunner(),
        processRunner: ProcessRunner = ProcessRunner(),
        logger: Logger = Logger(label: "vigil.recovery"),
        now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.engine = engine
        self.settings = settings
        self.configs = configs
        self.probes = probes
        self.logger = logger
        self.now = now
        self.random = random
        (jobs, jobSink) = AsyncStream.makeStream(of: (@Sendable () async -> Void).self)
        writes = Coalescer { [engine] group in
            await engine.journal(
                group.flatMap(\.records), notices: group.flatMap(\.notices), diagnoses: group.flatMap(\.diagnoses))
        }
        state.withLock { state in
            for rule in settings.guards { state.guards[rule.name] = GuardState(rule: rule) }
        }
        actionRunner.withLock {
            $0 = ActionRunner(
                processRunner: processRunner,
                pause: { [engine] slug in await Self.carryOut("pause \(slug)", now: now) { try await engine.pause(slug: slug) } },
                resume: { [engine] slug in await Self.carryOut("resume \(slug)", now: now) { try await engine.resume(slug: slug) } },
                notify: { [weak self] message in
                    guard let self else { return Self.outcome(.failed, "Vigil is stopping", now: now()) }
                    return await self.broadcast(message)
                },
                now: now
            )
        }
    }

    public func run() async throws {
        let events = engine.events.subscribe()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.resumeOpenIncidents() }
                group.addTask {
                    for await event in events { self.handle(event) }
                }
                group.addTask { await self.runTimers() }
                group.addTask {
                    await withDiscardingTaskGroup { jobsGroup in
                        for await job in self.jobs { jobsGroup.addTask { await job() } }
                    }
                }
            }
        }
    }

    // MARK: - Events

    /// Incidents open when Vigil started: recover them as if they had just opened.
    func resumeOpenIncidents() async {
        // Not engine.snapshots(): at a million monitors that built a million snapshots to find a few incidents.
        for (monitor, incident) in engine.openIncidents() { open(incident, of: monitor) }
    }

    func handle(_ event: EngineEvent) {
        guard case .step(let monitor, let batch) = event else { return }
        for effect in batch.effects {
            switch effect {
            case .opened(let incident):
                open(incident, of: monitor)
            case .resolved(let incident):
                close(incident, at: incident.resolvedAt ?? now())
            case .changed:
                break
            }
        }
        if let signal = batch.signal { observeForGuards(signal, of: monitor) }
    }

    private func open(_ incident: Incident, of monitor: Monitor) {
        let isNew = state.withLock { state -> Bool in
            guard state.cases[incident.id] == nil else { return false }
            state.cases[incident.id] = Case(incident: incident, monitor: monitor, recovery: Recovery(incidentID: incident.id))
            return true
        }
        if isNew { drive(incident.id, .opened(at: now())) }
    }

    private func close(_ incident: Incident, at: Date) {
        guard state.withLock({ $0.cases[incident.id] != nil }) else { return }
        drive(incident.id, .progressed(at: at))
        let finished = state.withLock { state -> Case? in
            guard var item = state.cases.removeValue(forKey: incident.id) else { return nil }
            item.escalation?.end()
            for cause in item.escalatedCauses { Self.remove(incident.id, from: &state.escalatedBy, at: cause) }
            for cause in state.recent[incident.id]?.rootCauses ?? [] {
                Self.remove(incident.id, from: &state.openClaims, at: cause)
            }
            return item
        }
        guard let finished else { return }
        let last = finished.recovery.attempts.last
        let detail: String
        if let last, last.result == .recovered {
            detail = "recovered by \(last.action) (attempt \(last.number)); "
                + "time to recover \(DurationFormat.format(at.timeIntervalSince(finished.incident.onset)))"
        } else {
            detail = "progress resumed without an action; time to recover "
                + DurationFormat.format(at.timeIntervalSince(finished.incident.onset))
        }
        enqueue { [engine] in
            if let last, last.result == .recovered {
                try? await engine.store.saveAttempt(last, incidentID: incident.id, monitorID: finished.monitor.id)
            }
            await self.write(records: [JournalRecord(
                monitorID: finished.monitor.id, event: .recovery, at: at, incidentID: incident.id, detail: detail
            )])
        }
    }

    /// Marks an incident acknowledged: escalation stops. False when no open incident matches.
    public func acknowledge(_ incident: Incident, by who: String) async throws(EngineError) -> Bool {
        let at = now()
        let done: Bool
        do {
            done = try await engine.store.acknowledge(incidentID: incident.id, at: at, by: who)
        } catch {
            throw EngineError(.notDurable, "cannot record the acknowledgement: \(error.message)")
        }
        guard done else { return false }
        state.withLock { state in state.cases[incident.id]?.escalation?.acknowledge(at: at) }
        await engine.journal([JournalRecord(
            monitorID: incident.monitorID, event: .acknowledged, at: at, incidentID: incident.id,
            detail: "acknowledged by \(who); escalation stopped"
        )])
        return true
    }

    // MARK: - Driving the recovery machine

    private func drive(_ incidentID: UUID, _ event: Recovery.Event) {
        let outcome = state.withLock { state -> (Case, [Recovery.Effect], Recovery.Phase)? in
            guard var item = state.cases[incidentID] else { return nil }
            let before = item.recovery.phase
            let context = self.context(for: item.monitor, in: state)
            let effects = item.recovery.handle(event, context: context)
            state.cases[incidentID] = item
            for case .run(_, let attempt) in effects {
                state.monitorAttempts[item.monitor.id, default: []].append(attempt.startedAt)
                state.globalAttempts.append(attempt.startedAt)
            }
            return (item, effects, before)
        }
        guard let (item, effects, before) = outcome else { return }
        perform(effects, for: item, from: before)
    }

    private func context(for monitor: Monitor, in state: State) -> Recovery.Context {
        let config = configs[monitor.slug]
        let now = now()
        let window = max(config?.plan.limit.window ?? 0, settings.globalLimit.window)
        return Recovery.Context(
            plan: config?.plan ?? .none,
            actions: settings.actions,
            monitorAttempts: (state.monitorAttempts[monitor.id] ?? []).filter { now.timeIntervalSince($0) < window },
            globalAttempts: state.globalAttempts.filter { now.timeIntervalSince($0) < window },
            globalLimit: settings.globalLimit,
            randomUnit: random()
        )
    }

    private func perform(_ effects: [Recovery.Effect], for item: Case, from before: Recovery.Phase) {
        let incident = item.incident
        let monitor = item.monitor
        var records: [JournalRecord] = []
        func note(_ event: JournalEntry.Event, _ detail: String) {
            records.append(JournalRecord(monitorID: monitor.id, event: event, at: now(), incidentID: incident.id, detail: detail))
        }
        let wasActing: Bool = switch before {
        case .running, .verifying: true
        default: false
        }
        var acting = false
        var runs: [(name: String, attempt: RecoveryAttempt)] = []
        for effect in effects {
            switch effect {
            case .probe:
                enqueue { await self.diagnose(incident.id) }
            case .run(let name, let attempt):
                acting = true
                note(.attemptStarted, "attempt \(attempt.number): \(name)")
                runs.append((name, attempt))
            case .wake(let at):
                schedule(.recovery(incident.id), at: at)
            case .escalate(let reason, let detail):
                escalate(item, reason: reason, detail: detail, records: &records)
            case .note(let text):
                let prefix = "diagnosis: "
                if text.hasPrefix(prefix) {
                    note(.diagnosis, String(text.dropFirst(prefix.count)))
                } else {
                    note(.recovery, text)
                }
            }
        }
        if wasActing, !acting, case .waiting = state.withLock({ $0.cases[incident.id]?.recovery.phase }) {
            enqueue { [engine] in await engine.endRecovery(of: monitor.id, reason: "recovery attempt brought no progress") }
        }
        if !records.isEmpty || !runs.isEmpty {
            // The journal says an attempt started before the attempt changes the monitor's state, so that readers
            // of the journal and of live events see them in the order they were decided.
            let journal = records
            let runs = runs
            enqueue { [engine] in
                if !journal.isEmpty { await self.write(records: journal) }
                for run in runs { await self.act(run.name, attempt: run.attempt, for: incident, of: monitor) }
            }
        }
    }

    private func diagnose(_ incidentID: UUID) async {
        guard let item = state.withLock({ $0.cases[incidentID] }) else { return }
        let config = configs[item.monitor.slug]
        var names = config?.dependsOn ?? []
        for name in config?.plan.actions ?? [] { names += settings.actions[name]?.requires ?? [] }
        let wanted = Diagnoser.closure(of: names, in: settings.capabilities).compactMap { settings.capabilities[$0] }
        let results = await probes.probe(wanted)
        let diagnosis = Diagnoser.diagnose(
            Array(Set(names)).sorted(), capabilities: settings.capabilities, results: results, at: now()
        )
        await write(diagnoses: [IncidentDiagnosis(incidentID: incidentID, diagnosis: diagnosis)])
        checkRecurring(item, diagnosis)
        drive(incidentID, .diagnosed(diagnosis))
    }

    private func act(_ name: String, attempt: RecoveryAttempt, for incident: Incident, of monitor: Monitor) async {
        guard let action = settings.actions[name], let runner = actionRunner.withLock({ $0 }) else { return }
        try? await engine.store.saveAttempt(attempt, incidentID: incident.id, monitorID: monitor.id)
        await engine.beginRecovery(of: monitor.id, action: name)
        let outcome = await runner.run(action)
        var finished = attempt
        finished.outcome = outcome
        finished.result = outcome.status == .succeeded ? .pending : .failed
        try? await engine.store.saveAttempt(finished, incidentID: incident.id, monitorID: monitor.id)
        let code = outcome.code.map { " (\($0))" } ?? ""
        let output = outcome.output.split(separator: "\n").last.map { ": \($0.prefix(200))" } ?? ""
        await engine.journal([JournalRecord(
            monitorID: monitor.id, event: .attemptFinished, at: outcome.finishedAt, incidentID: incident.id,
            detail: "attempt \(attempt.number): \(name) \(outcome.status.rawValue)\(code)\(output)"
        )])
        drive(incident.id, .actionFinished(outcome))
        // A verification that ended without progress is journaled with the attempt's final result.
        if let final = state.withLock({ $0.cases[incident.id]?.recovery.attempts.first { $0.number == attempt.number } }),
            final.result != finished.result
        {
            try? await engine.store.saveAttempt(final, incidentID: incident.id, monitorID: monitor.id)
        }
    }

    // MARK: - Escalation

    private func escalate(_ item: Case, reason: EscalationReason, detail: String, records: inout [JournalRecord]) {
        let at = now()
        let causes = Set(item.recovery.diagnosis?.rootCauses ?? [])
        // One root cause, one escalation: when other open incidents already told people about these causes, this
        // incident is journaled as part of them instead of notifying again.
        let (alreadyTold, others) = state.withLock { state -> (Bool, [UUID]) in
            // Without a root cause there is nothing to share.
            guard !causes.isEmpty else { return (false, []) }
            // The index by root cause keeps this constant per incident, so a storm whose stalls share one cause
            // stays linear; the journal names a few of the incidents it joins, not all of them.
            let id = item.incident.id
            var told = true
            var others: [UUID] = []
            for cause in causes.sorted() {
                let holders = (state.escalatedBy[cause] ?? []).lazy.filter { $0 != id }
                if holders.isEmpty { told = false }
                for other in holders.prefix(Self.namedIncidents) where !others.contains(other) { others.append(other) }
            }
            if state.cases[id] != nil {
                state.cases[id]?.escalatedCauses.formUnion(causes)
                for cause in causes { state.escalatedBy[cause, default: []].insert(id) }
            }
            return (told, others)
        }
        if reason == .intensity, let told = intensityToldRecently(item, at: at) {
            // A flapping monitor hits its limit in incident after incident: people heard of it once for the window.
            records.append(JournalRecord(
                monitorID: item.monitor.id, event: .escalated, at: at, incidentID: item.incident.id,
                detail: "\(reason.rawValue): \(detail) — the limit was escalated at \(Self.stamp(told)), "
                    + "within its window; not sent again"
            ))
            return
        }
        if alreadyTold, reason != .intensity {
            var ids = others.prefix(Self.namedIncidents).map { String($0.uuidString.prefix(8)).lowercased() }
                .joined(separator: ", ")
            if others.count > Self.namedIncidents { ids += " and others" }
            records.append(JournalRecord(
                monitorID: item.monitor.id, event: .escalated, at: at, incidentID: item.incident.id,
                detail: "\(reason.rawValue): \(detail) — same root cause as incident \(ids), already escalated; not sent again"
            ))
            return
        }
        records.append(JournalRecord(
            monitorID: item.monitor.id, event: .escalated, at: at, incidentID: item.incident.id,
            detail: "\(reason.rawValue): \(detail)"
        ))
        let policyName = configs[item.monitor.slug]?.escalation ?? RecoverySettings.defaultPolicyName
        if reason == .noPlan, policyName == RecoverySettings.defaultPolicyName,
            settings.escalation[policyName] == nil
        {
            // Without a plan or a policy, the stall's own notice to every channel is the escalation.
            return
        }
        let policy = settings.escalation[policyName]
            ?? EscalationPolicy(levels: [.init(channels: ["all"], after: 0)])
        let effects = state.withLock { state -> [Escalation.Effect] in
            guard var current = state.cases[item.incident.id] else { return [] }
            var escalation = current.escalation ?? Escalation(policy: policy, startingAt: at)
            let effects = current.escalation == nil ? escalation.advance(to: at) : []
            current.escalation = escalation
            state.cases[item.incident.id] = current
            return effects
        }
        performEscalation(effects, item: item, reason: "\(reason.rawValue): \(detail)", at: at)
    }

    /// When the monitor's intensity limit was escalated within the limit's window, that time; otherwise records
    /// `at` as the time it is escalated now and returns nil.
    private func intensityToldRecently(_ item: Case, at: Date) -> Date? {
        let window = max(configs[item.monitor.slug]?.plan.limit.window ?? 0, settings.globalLimit.window)
        return state.withLock { state -> Date? in
            if let told = state.intensityEscalated[item.monitor.id], at.timeIntervalSince(told) < window { return told }
            state.intensityEscalated[item.monitor.id] = at
            return nil
        }
    }

    private static func stamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    private func performEscalation(_ effects: [Escalation.Effect], item: Case, reason: String, at: Date) {
        var notices: [Notice] = []
        for effect in effects {
            switch effect {
            case .notify(let channels, let level, let round):
                notices += engine.escalationNotices(
                    monitor: item.monitor, incident: item.incident, channels: channels,
                    reason: "escalation level \(level): \(reason)",
                    key: "\(item.incident.id.uuidString.lowercased()).escalation.\(round).\(level)", at: at
                )
            case .wake(let next):
                schedule(.escalation(item.incident.id), at: next)
            }
        }
        guard !notices.isEmpty else { return }
        let sending = notices
        enqueue { await self.write(notices: sending) }
    }

    private func checkRecurring(_ item: Case, _ diagnosis: Diagnosis) {
        // An incident without a root cause cannot make a cause recur; returning before the scan over every open
        // incident keeps a stall storm linear.
        guard !diagnosis.rootCauses.isEmpty else { return }
        let rule = settings.recurringBlocker
        let at = diagnosis.at
        let found = state.withLock { state -> (String, [UUID])? in
            // Incidents open at the same time with the same root cause are one occurrence of it (five monitors stalled
            // by one outage), not five: a cause counts for the incident that recorded it first. The indexes by cause
            // keep this constant per incident when a storm of thousands shares one cause.
            let id = item.incident.id
            let previous = state.recent[id]?.rootCauses ?? []
            let own = previous + diagnosis.rootCauses.filter { cause in
                !previous.contains(cause) && (state.openClaims[cause] ?? []).allSatisfy { $0 == id }
            }
            state.recent[id] = (item.incident.onset, own)
            state.recentOldest = min(state.recentOldest ?? item.incident.onset, item.incident.onset)
            let isOpen = state.cases[id] != nil
            for cause in own {
                state.recentByCause[cause, default: []].insert(id)
                if isOpen { state.openClaims[cause, default: []].insert(id) }
            }
            Self.forgetIncidents(olderThan: rule.window, at: at, in: &state)
            for cause in own {
                if let since = state.recurringEscalated[cause], at.timeIntervalSince(since) < rule.window { continue }
                let incidents = (state.recentByCause[cause] ?? []).compactMap { other in
                    state.recent[other].map { (id: other, onset: $0.onset, rootCauses: $0.rootCauses) }
                }
                if let ids = rule.recurring(cause, among: incidents, at: at) {
                    state.recurringEscalated[cause] = at
                    return (cause, ids)
                }
            }
            return nil
        }
        guard let (cause, ids) = found else { return }
        let list = ids.map { String($0.uuidString.prefix(8)).lowercased() }.joined(separator: ", ")
        let detail = "\(cause) blocked \(ids.count) incidents within \(DurationFormat.format(rule.window)): \(list)"
        let notices = engine.escalationNotices(
            monitor: item.monitor, incident: item.incident, channels: ["all"],
            reason: "recurring blocker: \(detail)", key: "recurring.\(cause).\(Int(at.timeIntervalSince1970))", at: at
        )
        enqueue {
            await self.write(
                records: [JournalRecord(monitorID: item.monitor.id, event: .escalated, at: at, incidentID: item.incident.id,
                                        detail: "\(EscalationReason.recurringBlocker.rawValue): \(detail)")],
                notices: notices
            )
        }
    }

    /// How many incidents a journal line names when it says which ones already escalated a root cause.
    static let namedIncidents = 3

    /// Drops the incidents whose onset left the recurring-blocker window, with their places in the indexes; does
    /// nothing until the oldest one has left it.
    private static func forgetIncidents(olderThan window: TimeInterval, at: Date, in state: inout State) {
        guard let oldest = state.recentOldest, at.timeIntervalSince(oldest) >= window else { return }
        var newOldest: Date?
        for (id, entry) in state.recent {
            guard at.timeIntervalSince(entry.onset) >= window else {
                newOldest = min(newOldest ?? entry.onset, entry.onset)
                continue
            }
            state.recent[id] = nil
            for cause in entry.rootCauses {
                remove(id, from: &state.recentByCause, at: cause)
                remove(id, from: &state.openClaims, at: cause)
            }
        }
        state.recentOldest = newOldest
    }

    private static func remove(_ id: UUID, from index: inout [String: Set<UUID>], at cause: String) {
        index[cause]?.remove(id)
        if index[cause]?.isEmpty == true { index[cause] = nil }
    }

    /// Writes journal lines, notices and diagnoses together with those of other incidents; returns once durable.
    private func write(
        records: [JournalRecord] = [], notices: [Notice] = [], diagnoses: [IncidentDiagnosis] = []
    ) async {
        await writes.submit([RecoveryWrite(records: records, notices: notices, diagnoses: diagnoses)])
    }

    private func broadcast(_ message: String) async -> ActionOutcome {
        let at = now()
        let open = state.withLock { $0.cases.values.first }
        guard let open else { return Self.outcome(.succeeded, "nothing to tell: no open incident", now: at) }
        let notices = engine.escalationNotices(
            monitor: open.monitor, incident: open.incident, channels: ["all"], reason: message,
            key: "\(open.incident.id.uuidString.lowercased()).notify.\(Int(at.timeIntervalSince1970 * 1000))", at: at
        )
        await engine.journal([], notices: notices)
        return Self.outcome(.succeeded, "queued \(notices.count) notice(s)", now: at)
    }

    // MARK: - Guards

    private func observeForGuards(_ signal: Signal, of monitor: Monitor) {
        let effects = state.withLock { state -> [(GuardRule, [GuardState.Effect])] in
            var all: [(GuardRule, [GuardState.Effect])] = []
            for (name, var guardState) in state.guards where guardState.rule.monitor == monitor.slug {
                let effects = guardState.observe(signal)
                state.guards[name] = guardState
                if !effects.isEmpty { all.append((guardState.rule, effects)) }
            }
            return all
        }
        for (rule, list) in effects { performGuard(rule, list, monitor: monitor) }
    }

    private func performGuard(_ rule: GuardRule, _ effects: [GuardState.Effect], monitor: Monitor) {
        for effect in effects {
            switch effect {
            case .halt(let reason):
                runGuardActions(rule.halt, event: .guardTripped, reason: reason, monitor: monitor)
            case .resume(let reason):
                runGuardActions(rule.resume, event: .guardResumed, reason: reason, monitor: monitor)
            case .wake(let at):
                schedule(.guardRule(rule.name), at: at)
            }
        }
    }

    private func runGuardActions(_ names: [String], event: JournalEntry.Event, reason: String, monitor: Monitor) {
        enqueue { [engine, settings] in
            await engine.journal([JournalRecord(monitorID: monitor.id, event: event, at: self.now(), incidentID: nil, detail: reason)])
            guard let runner = self.actionRunner.withLock({ $0 }) else { return }
            for name in names {
                guard let action = settings.actions[name] else { continue }
                let outcome = await runner.run(action)
                await engine.journal([JournalRecord(
                    monitorID: monitor.id, event: event, at: outcome.finishedAt, incidentID: nil,
                    detail: "\(name) \(outcome.status.rawValue)"
                )])
            }
        }
    }

    // MARK: - Forecasts

    /// Runs a declared action before a stall, because a forecast rule fired: journals why, runs it through the
    /// action runner and journals the outcome, as `recovery` lines of the monitor. Nil when the action is not
    /// declared.
    @discardableResult
    public func runPreemptive(action name: String, for monitor: Monitor, reason: String) async -> ActionOutcome? {
        guard let action = settings.actions[name], let runner = actionRunner.withLock({ $0 }) else {
            logger.warning(
                "forecast action is not declared", metadata: ["vigil.monitor": "\(monitor.slug)", "vigil.action": "\(name)"])
            return nil
        }
        await engine.journal([JournalRecord(
            monitorID: monitor.id, event: .recovery, at: now(), incidentID: nil,
            detail: "forecast: \(reason) → running \(name) before the stall"
        )])
        let outcome = await runner.run(action)
        let code = outcome.code.map { " (\($0))" } ?? ""
        let output = outcome.output.split(separator: "\n").last.map { ": \($0.prefix(200))" } ?? ""
        await engine.journal([JournalRecord(
            monitorID: monitor.id, event: .recovery, at: outcome.finishedAt, incidentID: nil,
            detail: "forecast: \(name) \(outcome.status.rawValue)\(code)\(output)"
        )])
        return outcome
    }

    // MARK: - Time

    private func schedule(_ key: TimerKey, at: Date) {
        let isFirst = state.withLock { state -> Bool in
            let first = state.timers.min.map { at < $0.at } ?? true
            state.timers.insert(Timer(at: at, key: key))
            return first
        }
        if isFirst { wakeup.signal() }
    }

    private func runTimers() async {
        while !Task.isCancelled {
            let next = state.withLock { $0.timers.min?.at }
            let wake = next.map { ContinuousClock.now.advanced(by: .seconds(max(0, $0.timeIntervalSince(now())))) }
            await wakeup.wait(until: wake)
            if Task.isCancelled { return }
            fireTimers(at: now())
        }
    }

    /// Fires every timer due by `now`.
    func fireTimers(at now: Date) {
        let due = state.withLock { state -> [Timer] in
            var due: [Timer] = []
            while let first = state.timers.min, first.at <= now { due.append(state.timers.removeMin()) }
            return due
        }
        for timer in due {
            switch timer.key {
            case .recovery(let id):
                drive(id, .timer(at: now))
            case .escalation(let id):
                let outcome = state.withLock { state -> (Case, [Escalation.Effect])? in
                    guard var item = state.cases[id], var escalation = item.escalation else { return nil }
                    let effects = escalation.advance(to: now)
                    item.escalation = escalation
                    state.cases[id] = item
                    return (item, effects)
                }
                if let (item, effects) = outcome {
                    performEscalation(effects, item: item, reason: "still unresolved", at: now)
                }
            case .guardRule(let name):
                let outcome = state.withLock { state -> (GuardRule, [GuardState.Effect])? in
                    guard var guardState = state.guards[name] else { return nil }
                    let effects = guardState.advance(to: now)
                    state.guards[name] = guardState
                    return (guardState.rule, effects)
                }
                if let (rule, effects) = outcome, let monitor = engine.monitor(slug: rule.monitor) {
                    performGuard(rule, effects, monitor: monitor)
                }
            }
        }
    }

    // MARK: - Plumbing

    private func enqueue(_ job: @escaping @Sendable () async -> Void) {
        jobSink.yield(job)
    }

    private static func carryOut(_ what: String, now: @Sendable () -> Date, _ body: () async throws -> Void) async
        -> ActionOutcome
    {
        let started = now()
        do {
            try await body()
            return ActionOutcome(status: .succeeded, code: nil, output: what, startedAt: started, finishedAt: now())
        } catch {
            return ActionOutcome(status: .failed, code: nil, output: "\(what): \(error)", startedAt: started, finishedAt: now())
        }
    }

    private static func outcome(_ status: ActionOutcome.Status, _ text: String, now: Date) -> ActionOutcome {
        ActionOutcome(status: status, code: nil, output: text, startedAt: now, finishedAt: now)
    }
}

/// What one step of the self-healing loop writes: journal lines, the notices they send, diagnoses.
struct RecoveryWrite: Sendable {
    var records: [JournalRecord]
    var notices: [Notice]
    var diagnoses: [IncidentDiagnosis]
}
