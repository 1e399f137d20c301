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
                registry.idsBySlug[declaration.slug]?.compactMap { registry.entries[$0]?.monitor }
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
            guard var entry = registry.entries[monitorID], entry.monitor != effective else { return }
            entry.monitor = effective
            registry.entries[monitorID] = entry
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
            ?? registry.withLock { $0.entries[monitorID]?.monitor }
    }

    // MARK: - Forecast rules

    /// Sends a warning notice for each forecast rule whose risk threshold the current silence crossed, once per
    /// silence; returns how many warnings were queued.
    @discardableResult
    public func checkForecasts(at now: Date) async -> Int {
        let crossings = learning.withLock { learning -> [(UUID, Int, ForecastRule, Double, Date)] in
            var crossings: [(UUID, Int, ForecastRule, Double, Date)] = []
            for (id, entry) in learning.entries where !entry.rules.isEmpty {
                guard let last = entry.history.lastProgress else { continue }
                let silence = now.timeIntervalSince(last)
                let estimator = StallModel.standard.estimator(
                    for: entry.history, horizon: Self.stallHorizon(of: entry.declared, near: last),
                    typicalGap: Self.typicalGap(of: entry.declared, near: last))
                for (index, rule) in entry.rules.enumerated() where !entry.warned.contains(index) {
                    guard silence >= rule.silence(in: estimator) else { continue }
                    learning.entries[id]!.warned.insert(index)
                    crossings.append((id, index, rule, estimator.probability(afterSilence: silence), last))
                }
            }
            return crossings
        }
        var batches: [ChangeBatch] = []
        for (id, index, rule, probability, last) in crossings {
            guard let (monitor, state) = registry.withLock({ registry in
                registry.entries[id].map { ($0.monitor, $0.state) }
            }) else { continue }
            guard case .warn(let message) = rule.response else { continue }
            let payload = NoticePayload(
                event: "forecast_warning", monitor: monitor.slug, monitorID: monitor.id.uuidString.lowercased(),
                oldState: state.status.rawValue, newState: state.status.rawValue, at: now, noticedAt: now,
                reason: "\(message) — stall risk \(Calibrator.percent(probability)) after "
                    + "\(Calibrator.spoken(now.timeIntervalSince(last))) without progress",
                pingURL: pingURL(for: monitor), tags: monitor.tags)
            var notices: [Notice] = []
            for (targetIndex, target) in settings.notify.enumerated() {
                let key = "\(monitor.id.uuidString.lowercased()).forecast.\(Int(last.timeIntervalSince1970))."
                    + "\(index).\(targetIndex)"
                if let notice = target.channel.notice(for: payload, idempotencyKey: key, createdAt: now) {
                    notices.append(notice)
                }
            }
            logger.notice(
                "forecast warning",
                metadata: ["vigil.monitor": "\(monitor.slug)", "vigil.risk": "\(probability)"])
            if !notices.isEmpty { batches.append(ChangeBatch(monitorID: id, state: state, notices: notices)) }
        }
        await commitAll(batches)
        return crossings.count
    }
}
