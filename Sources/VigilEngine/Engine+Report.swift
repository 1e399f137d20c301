import Foundation
import VigilCore
import VigilStore

/// A monitor's calibration: the learned deadline and how it would have done on the monitor's own history.
public struct CalibrationReport: Sendable, Hashable, Codable {
    /// One rule's backtest.
    public struct Rule: Sendable, Hashable, Codable {
        /// `current` (the configured deadline) or `calibrated`.
        public var rule: String
        /// The deadline in seconds; for the calibrated rule, the one it would use now.
        public var deadline: TimeInterval
        public var falseAlarms: Int
        public var falseAlarmsPerMonth: Double
        public var stalls: Int
        public var medianTimeToDetect: TimeInterval?
        public var p25TimeToDetect: TimeInterval?

        enum CodingKeys: String, CodingKey {
            case rule, deadline, stalls
            case falseAlarms = "false_alarms"
            case falseAlarmsPerMonth = "false_alarms_per_month"
            case medianTimeToDetect = "median_time_to_detect"
            case p25TimeToDetect = "p25_time_to_detect"
        }
    }

    public var monitor: String
    public var mode: CalibrationMode
    /// The gap length that counts as a stall: the configured period plus grace.
    public var horizon: TimeInterval
    public var gaps: Int
    /// Gaps used as history only.
    public var warmUp: Int
    public var months: Double
    public var deadline: CalibratedDeadline
    public var backtest: [Rule]
    public var risk: StallRisk

    enum CodingKeys: String, CodingKey {
        case monitor, mode, horizon, gaps, months, deadline, backtest, risk
        case warmUp = "warm_up"
    }
}

/// A monitor's stall risk in the report.
public struct MonitorForecast: Sendable, Hashable, Codable {
    public var monitor: String
    public var risk: StallRisk
    /// The calibrated deadline, when the monitor calibrates.
    public var calibrated: CalibratedDeadline?
}

/// What `vigil report` shows: the journal's figures and each monitor's stall risk.
public struct EngineReport: Sendable, Hashable, Codable {
    public var journal: JournalReport
    public var forecasts: [MonitorForecast]
}

extension Engine {
    /// The figures of the journal over `range`, for one monitor or all of them, with every monitor's stall risk.
    public func report(range: TimeRange, slugOrKey: String? = nil) async throws(EngineError) -> EngineReport {
        let snapshots: [Snapshot]
        if let slugOrKey {
            guard let one = snapshot(slugOrKey: slugOrKey) else {
                throw EngineError(.notFound, "no monitor has the slug or key \(slugOrKey)")
            }
            snapshots = [one]
        } else {
            snapshots = self.snapshots()
        }
        let byID = Dictionary(snapshots.map { ($0.monitor.id, $0.monitor) }, uniquingKeysWith: { first, _ in first })
        let monitorID = slugOrKey == nil ? nil : snapshots.first?.monitor.id
        let incidents: [Incident]
        let progress: [ProgressEvent]
        do {
            incidents = try await store.incidents(monitorID: monitorID, from: range.start, to: range.end, limit: 100_000)
            progress = try await store.progress(monitorID: monitorID, from: range.start, to: range.end, limit: 500_000)
        } catch {
            throw EngineError(.notDurable, "cannot read the journal: \(error.message)")
        }
        var records = incidents.compactMap { incident -> IncidentRecord? in
            guard let monitor = byID[incident.monitorID] else { return nil }
            return IncidentRecord(
                incident: incident, monitorSlug: monitor.slug, tags: monitor.tags, timeZone: Self.timeZone(of: monitor))
        }
        // The diagnosis names the blocker; the attempt after which progress resumed names the action.
        for index in records.indices.prefix(5_000) {
            guard let recovery = try? await store.recoveryRecord(incidentID: records[index].incident.id) else {
                continue
            }
            records[index].blocker = recovery.diagnoses.first?.rootCauses.first
            records[index].action = recovery.attempts.last { $0.result == .recovered }?.action
        }
        let journal = JournalReport(
            records: records, monitors: snapshots.map { ($0.monitor.slug, $0.monitor.tags) }, progress: progress,
            slugs: byID.mapValues(\.slug), range: range)
        var forecasts: [MonitorForecast] = []
        for snapshot in snapshots {
            let monitor = declaredMonitor(of: snapshot.monitor.id) ?? snapshot.monitor
            let history = try await gapHistory(of: monitor.id)
            var onsets = HourOfWeekHeatmap()
            let zone = Self.timeZone(of: monitor)
            var blockers: [String] = []
            for record in records where record.incident.monitorID == monitor.id {
                onsets.add(record.incident.onset, in: zone)
                if let blocker = record.blocker { blockers.append(blocker) }
            }
            let now = now()
            let risk = StallRisk(
                history: history, now: now, horizon: Self.stallHorizon(of: monitor, near: now),
                typicalGap: Self.typicalGap(of: monitor, near: now), onsets: onsets, timeZone: zone,
                recentBlockers: blockers)
            forecasts.append(MonitorForecast(
                monitor: monitor.slug, risk: risk, calibrated: calibratedDeadline(of: monitor.id)))
        }
        return EngineReport(journal: journal, forecasts: forecasts)
    }

    /// The backtest of a monitor's configured deadline against the calibrated one, on its own progress history.
    public func calibrationReport(slugOrKey: String) async throws(EngineError) -> CalibrationReport {
        guard let snapshot = snapshot(slugOrKey: slugOrKey) else {
            throw EngineError(.notFound, "no monitor has the slug or key \(slugOrKey)")
        }
        let monitor = declaredMonitor(of: snapshot.monitor.id) ?? snapshot.monitor
        let events: [ProgressEvent]
        do {
            events = try await store.progress(
                monitorID: monitor.id, from: .distantPast, to: .distantFuture, limit: SQLiteStore.progressKept)
        } catch {
            throw EngineError(.notDurable, "cannot read the progress history: \(error.message)")
        }
        let now = now()
        let horizon = Self.stallHorizon(of: monitor, near: now)
        let typical = Self.typicalGap(of: monitor, near: now)
        let times = events.map(\.at)
        // A young monitor has few gaps: a fifth of them, at most the evaluation's 50, are warm-up.
        let warmUp = min(Backtest.defaultWarmUp, max(0, times.count - 1) / 5)
        let scores = Backtest.run(
            times: times, end: now, horizon: horizon, rules: [.fixed(horizon), .calibrated(.standard)],
            warmUp: warmUp, typicalGap: typical)
        let history = GapHistory(progress: times)
        let deadline = Calibrator().deadline(
            for: history, horizon: horizon, typicalGap: typical, progressNoun: Self.progressNoun(of: monitor))
        let rules = zip(["current", "calibrated"], scores).map { name, score in
            let detected = score.timesToAlarm.filter(\.isFinite).sorted()
            return CalibrationReport.Rule(
                rule: name, deadline: name == "current" ? horizon : deadline.silence,
                falseAlarms: score.falseAlarms, falseAlarmsPerMonth: score.falseAlarmsPerMonth, stalls: score.stalls,
                medianTimeToDetect: detected.isEmpty ? nil : Backtest.quantile(detected, 0.5),
                p25TimeToDetect: detected.isEmpty ? nil : Backtest.quantile(detected, 0.25))
        }
        let risk = StallRisk(history: history, now: now, horizon: horizon, typicalGap: typical)
        return CalibrationReport(
            monitor: monitor.slug, mode: calibrationMode(of: monitor.id), horizon: horizon,
            gaps: history.gaps.count, warmUp: warmUp, months: scores.first?.months ?? 0, deadline: deadline,
            backtest: rules, risk: risk)
    }

    /// The monitor's gap history: the one kept in memory when it learns, else read from the progress history.
    func gapHistory(of monitorID: UUID) async throws(EngineError) -> GapHistory {
        if let history = learning.withLock({ $0.entries[monitorID]?.history }) { return history }
        do {
            let events = try await store.progress(
                monitorID: monitorID, from: .distantPast, to: .distantFuture, limit: GapHistory.defaultLimit + 1)
            return GapHistory(progress: events.map(\.at))
        } catch {
            throw EngineError(.notDurable, "cannot read the progress history: \(error.message)")
        }
    }

    static func timeZone(of monitor: Monitor) -> TimeZone {
        if case .cron(_, let zone) = monitor.schedule { return zone }
        return TimeZone(identifier: "UTC")!
    }
}
