import Foundation
import VigilCore
import VigilStore

/// What the engine learns per monitor: its gap history, the calibrated deadline and the forecast rules' progress.
struct LearningRegistry {
    struct Entry {
        var mode: CalibrationMode
        var rules: [ForecastRule]
        /// The monitor as declared: the calibrated deadline scales its period and grace.
        var declared: Monitor
        var history: GapHistory
        var deadline: CalibratedDeadline?
        /// Rules already warned about in the current silence, by index.
        var warned: Set<Int> = []
        /// A drop detector per signal kind that a drop rule watches.
        var detectors: [String: DropDetector] = [:]
        /// Kinds whose detector signalled a drop since the rules were last checked, with the value and when.
        var drops: [String: (value: Double, at: Date)] = [:]
    }

    var entries: [UUID: Entry] = [:]
}

extension Engine {
    /// The gap length that counts as a stall for a monitor: its period (or the interval of its cron schedule)
    /// plus grace.
    public static func stallHorizon(of monitor: Monitor, near date: Date) -> TimeInterval {
        let next = monitor.schedule.nextDue(after: date)
        let period = max(1, monitor.schedule.nextDue(after: next).timeIntervalSince(next))
        return period + monitor.grace
    }

    /// The typical gap the prior assumes before a monitor has history: its period.
    static func typicalGap(of monitor: Monitor, near date: Date) -> TimeInterval {
        max(1, stallHorizon(of: monitor, near: date) - monitor.grace)
    }

    /// The word the calibrated deadline's sentence uses for progress: the kind when there is one.
    static func progressNoun(of monitor: Monitor) -> String {
        let kinds = monitor.progressKinds.union(monitor.advancingKinds)
        return kinds.count == 1 ? kinds.first! : "progress"
    }

    /// Loads the progress history of every monitor that calibrates or forecasts, and applies learned deadlines of
    /// `calibrate: auto` monitors.
    func startLearning(declaring declarations: [MonitorDeclaration]) async {
        let learners = declarations.filter { $0.calibrate != .off || !$0.forecast.isEmpty }
        for declaration in learners {
            let found = registry.withLock { registry -> Monitor? in
                registry.ids(forSlug: declaration.slug).compactMap { registry.monitor($0) }
                    .first { $0.origin == .config }
            }
            guard let monitor = found else { continue }
            var history = GapHistory()
            do {
                let events = try await store.progress(
                    monitorID: monitor.id, from: .distantPast, to: .distantFuture, limit: GapHistory.defaultLimit + 1)
                for event in events { history.record(event.at) }
            } catch {
                logger.warning(
                    "progress history not readable; calibration starts from the prior",
                    metadata: ["vigil.monitor": "\(monitor.slug)", "vigil.error": "\(error)"])
            }
            let entry = LearningRegistry.Entry(
                mode: declaration.calibrate, rules: declaration.forecast, declared: monitor, history: history)
            learning.withLock { $0.entries[monitor.id] = entry }
            recalibrate(monitor.id)
        }
    }

    /// Feeds a progress signal that is already durable to the monitor's learning, if it learns.
    func learn(fromProgressAt date: Date, of monitorID: UUID) {
        let learns = learning.withLock { learning -> Bool in
            guard learning.entries[monitorID] != nil else { return false }
            learning.entries[monitorID]!.history.record(date)
            learning.entries[monitorID]!.warned = []
            return true
        }
        if learns { recalibrate(monitorID) }
    }

    /// Feeds a numeric signal that is already durable to the drop detectors of the monitor's drop rules.
    func learn(value: Double, kind: String, at date: Date, of monitorID: UUID) {
        learning.withLock { learning in
            guard var entry = learning.entries[monitorID] else { return }
            var fired = false
            var detector = entry.detectors[kind] ?? DropDetector()
            var watched = false
            for rule in entry.rules where rule.dropKind == kind {
                // One detector per kind, fed once per value, however many rules watch the kind.
                if !watched { fired = rule.observe(value, ofKind: kind, in: &detector) }
                watched = true
            }
            guard watched else { return }
            entry.detectors[kind] = detector
            if fired { entry.drops[kind] = (value, date) }
            learning.entries[monitorID] = entry
        }
    }

    /// Computes the monitor's calibrated deadline and, for `calibrate: auto`, makes it the effective schedule.
    func recalibrate(_ monitorID: UUID) {
        let now = now()
        let result = learning.withLock { learning -> (CalibrationMode, Monitor, CalibratedDeadline)? in
            guard var entry = learning.entries[monitorID], entry.mode != .off else { return nil }
            let monitor = entry.declared
            let deadline = Calibrator().deadline(
                for: entry.history, horizon: Self.stallHorizon(of: monitor, near: entry.history.lastProgress ?? now),
                typicalGap: Self.typicalGap(of: monitor, near: now), progressNoun: Self.progressNoun(of: monitor))
            entry.deadline = deadline
            learning.entries[monitorID] = entry
            return (entry.mode, monitor, deadline)
        }
        guard let (mode, declared, deadline) = result, mode == .auto, case .every(let period) = declared.schedule else {
            return
        }
        let scale = min(1, deadline.silence / max(1, period + declared.grace))
        var effective = declared
        effective.schedule = .every(max(1, period * scale))
        effective.grace = declared.grace * scale
        registry.withLock { registry in
            guard var entry = registry[monitorID], entry.monitor != effective else { return }
            entry.monitor = effective
            registry[monitorID] = entry
            schedule(monitorID, at: Detector(monitor: effective).deadline(of: entry.state), in: &registry)
        }
        logger.info(
            "calibrated deadline applied",
            metadata: ["vigil.monitor": "\(declared.slug)", "vigil.deadline": "\(DurationFormat.format(deadline.silence))"])
    }

    /// A monitor's calibrated deadline, when it calibrates.
    public func calibratedDeadline(of monitorID: UUID) -> CalibratedDeadline? {
        learning.withLock { $0.entries[monitorID]?.deadline }
    }

    /// The calibration mode a monitor was declared with.
    public func calibrationMode(of monitorID: UUID) -> CalibrationMode {
        learning.withLock { $0.entries[monitorID]?.mode ?? .off }
    }

    /// The monitor as declared, before a calibrated deadline replaced its schedule.
    public func declaredMonitor(of monitorID: UUID) -> Monitor? {
        learning.withLock { $0.entries[monitorID]?.declared }
            ?? registry.withLock { $0.monitor(monitorID) }
    }

    // MARK: - Forecast rules

    /// Carries out each forecast rule whose risk threshold the current silence crossed, or whose signal kind
    /// dropped, once per silence: sends its warning notice and hands its action to `run` (the recovery loop's
    /// `runPreemptive`). Returns how many rules fired.
    /// - Parameter run: runs a declared action for a monitor, with the reason to journal; actions are skipped
    ///   without it.
    @discardableResult
    public func checkForecasts(
        at now: Date,
        run: ((_ action: String, _ monitor: Monitor, _ reason: String) async -> Void)? = nil
    ) async -> Int {
        struct Crossing {
            var id: UUID
            var index: Int
            var rule: ForecastRule
            /// Why the notice is sent, after the rule's message.
            var detail: String
            /// Why the action runs, e.g. "risk 72% ≥ 60%".
            var cause: String
            /// Names the silence or the drop in idempotency keys.
            var since: Date
        }
        let crossings = learning.withLock { learning -> [Crossing] in
            var crossings: [Crossing] = []
            for (id, entry) in learning.entries where !entry.rules.isEmpty {
                let drops = entry.drops
                learning.entries[id]!.drops = [:]
                let estimator = entry.history.lastProgress.map { last in
                    StallModel.standard.estimator(
                        for: entry.history, horizon: Self.stallHorizon(of: entry.declared, near: last),
                        typicalGap: Self.typicalGap(of: entry.declared, near: last))
                }
                for (index, rule) in entry.rules.enumerated() where !entry.warned.contains(index) {
                    switch rule.trigger {
                    case .risk(let threshold):
                        guard let last = entry.history.lastProgress, let estimator else { continue }
                        let silence = now.timeIntervalSince(last)
                        guard silence >= rule.silence(in: estimator) else { continue }
                        let probability = estimator.probability(afterSilence: silence)
                        crossings.append(Crossing(
                            id: id, index: index, rule: rule,
                            detail: "stall risk \(Calibrator.percent(probability)) after "
                                + "\(Calibrator.spoken(silence)) without progress",
                            cause: "risk \(Calibrator.percent(probability)) ≥ \(Calibrator.percent(threshold))",
                            since: last))
                    case .drop(let kind):
                        guard let drop = drops[kind] else { continue }
                        let value = (drop.value * 100).rounded() / 100
                        crossings.append(Crossing(
                            id: id, index: index, rule: rule, detail: "\(kind) dropped to \(value)",
                            cause: "\(kind) dropped to \(value)", since: drop.at))
                    }
                    learning.entries[id]!.warned.insert(index)
                }
            }
            return crossings
        }
        var batches: [ChangeBatch] = []
        var actions: [(String, Monitor, String)] = []
        for crossing in crossings {
            let id = crossing.id
            guard let (monitor, state) = registry.withLock({ registry in
                registry[id].map { ($0.monitor, $0.state) }
            }) else { continue }
            var notices: [Notice] = []
            for response in crossing.rule.responses {
                switch response {
                case .run(let action):
                    actions.append((action, monitor, crossing.cause))
                case .warn(let message):
                    let payload = NoticePayload(
                        event: "forecast_warning", monitor: monitor.slug, monitorID: monitor.id.uuidString.lowercased(),
                        oldState: state.status.rawValue, newState: state.status.rawValue, at: now, noticedAt: now,
                        reason: "\(message) — \(crossing.detail)",
                        pingURL: pingURL(for: monitor), tags: monitor.tags)
                    for (targetIndex, target) in settings.notify.enumerated() {
                        let key = "\(monitor.id.uuidString.lowercased()).forecast."
                            + "\(Int(crossing.since.timeIntervalSince1970)).\(crossing.index).\(targetIndex)"
                        if let notice = target.channel.notice(for: payload, idempotencyKey: key, createdAt: now) {
                            notices.append(notice)
                        }
                    }
                }
            }
            logger.notice(
                "forecast rule fired",
                metadata: ["vigil.monitor": "\(monitor.slug)", "vigil.forecast": "\(crossing.cause)"])
            if !notices.isEmpty { batches.append(ChangeBatch(monitorID: id, state: state, notices: notices)) }
        }
        await commitAll(batches)
        if let run {
            for (action, monitor, cause) in actions { await run(action, monitor, cause) }
        }
        return crossings.count
    }
}
