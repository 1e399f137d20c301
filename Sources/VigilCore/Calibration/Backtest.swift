import Foundation

/// When a detection rule alarms during a silence.
public enum DetectionRule: Sendable, Hashable {
    /// After a fixed silence.
    case fixed(TimeInterval)
    /// After the `1 - alpha` quantile of the gaps closed so far (e.g. alpha 0.05 gives the 95th percentile).
    case quantile(alpha: Double)
    /// After the calibrated deadline of the stall model.
    case calibrated(StallModel)

    /// The name `vigil evaluate` prints: `vigil`, `fixed-7.5d`, `quantile`.
    public var method: String {
        switch self {
        case .fixed(let silence): "fixed-\(Backtest.days(silence))d"
        case .quantile: "quantile"
        case .calibrated: "vigil"
        }
    }

    /// The silence after which the rule alarms, knowing only the gaps closed before the silence began.
    public func alarmSilence(history: GapHistory, horizon: TimeInterval, typicalGap: TimeInterval) -> TimeInterval {
        switch self {
        case .fixed(let silence):
            return silence
        case .quantile(let alpha):
            guard !history.gaps.isEmpty else { return horizon }
            return Backtest.quantile(history.gaps.sorted(), 1 - alpha)
        case .calibrated(let model):
            return model.estimator(for: history, horizon: horizon, typicalGap: typicalGap).alarmSilence()
        }
    }
}

/// Replays a progress stream through detection rules, time running forward only, and scores them as
/// `EVALUATION.md` fixes in advance: a stall is a gap of at least the horizon; the open final gap counts when it
/// already exceeds the horizon and is censored otherwise; the first `warmUp` gaps are history but are not scored.
public enum Backtest {
    /// The first 50 gaps of a stream are warm-up.
    public static let defaultWarmUp = 50
    /// Days in a stream-month: 365.25 / 12.
    public static let daysPerMonth = 365.25 / 12

    /// How one rule did on one stream at one horizon.
    public struct Score: Sendable, Hashable, Codable {
        public var method: String
        public var horizon: TimeInterval
        /// Alarms during gaps that ended before the horizon.
        public var falseAlarms: Int
        /// The scored span in months.
        public var months: Double
        /// Scored gaps of at least the horizon.
        public var stalls: Int
        /// For each stall, the silence at which the rule alarmed; `.infinity` when it never did.
        public var timesToAlarm: [TimeInterval]
        public var scoredGaps: Int
        /// The final gap, open and shorter than the horizon, is left out.
        public var censored: Int

        public var falseAlarmsPerMonth: Double { months > 0 ? Double(falseAlarms) / months : 0 }
        /// Stalls alarmed strictly before the horizon.
        public var alarmedBeforeHorizon: Int { timesToAlarm.count { $0 < horizon } }
    }

    /// Scores `rules` on progress `times` (any order) at `horizon`; `end` closes the observation (the open final gap
    /// runs to it).
    public static func run(
        times: [Date],
        end: Date,
        horizon: TimeInterval,
        rules: [DetectionRule],
        warmUp: Int = defaultWarmUp,
        typicalGap: TimeInterval? = nil
    ) -> [Score] {
        let sorted = times.sorted()
        var scores = rules.map {
            Score(method: $0.method, horizon: horizon, falseAlarms: 0, months: 0, stalls: 0, timesToAlarm: [],
                  scoredGaps: 0, censored: 0)
        }
        guard let first = sorted.first else { return scores }
        var history = GapHistory()
        history.record(first)
        var scoredSeconds = 0.0
        let fallback = typicalGap ?? horizon / 4
        for index in sorted.indices {
            let start = sorted[index]
            let isOpen = index == sorted.count - 1
            let gap = isOpen ? end.timeIntervalSince(start) : sorted[index + 1].timeIntervalSince(start)
            let gapNumber = index
            defer { if !isOpen { history.record(sorted[index + 1]) } }
            guard gapNumber >= warmUp else { continue }
            if isOpen && gap < horizon {
                for rule in scores.indices { scores[rule].censored += 1 }
                continue
            }
            scoredSeconds += max(0, gap)
            for (rule, detection) in rules.enumerated() {
                let alarm = detection.alarmSilence(history: history, horizon: horizon, typicalGap: fallback)
                scores[rule].scoredGaps += 1
                if gap >= horizon {
                    scores[rule].stalls += 1
                    scores[rule].timesToAlarm.append(alarm <= gap ? alarm : .infinity)
                } else if alarm < gap {
                    scores[rule].falseAlarms += 1
                }
            }
        }
        for rule in scores.indices { scores[rule].months = scoredSeconds / 86_400 / daysPerMonth }
        return scores
    }

    /// The `p` quantile of sorted values, interpolating linearly between neighbours; `.nan` for none.
    public static func quantile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        guard sorted.count > 1 else { return sorted[0] }
        let position = min(max(p, 0), 1) * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        if sorted[upper] == .infinity { return fraction == 0 ? sorted[lower] : .infinity }
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }

    /// Days as `vigil evaluate` names them: 7.5, 15, 22.5, 1.75.
    public static func days(_ seconds: TimeInterval) -> String {
        let days = (seconds / 86_400 * 1_000).rounded() / 1_000
        if days == days.rounded() { return String(Int(days)) }
        var text = String(format: "%.3f", days)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}
