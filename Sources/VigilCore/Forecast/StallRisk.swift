import Foundation

/// What a `forecast:` rule watches, and what it does when it fires.
public struct ForecastRule: Sendable, Hashable {
    /// What the rule does when it fires; a rule may both warn and run an action.
    public enum Response: Sendable, Hashable {
        /// Send a warning notice with this message.
        case warn(String)
        /// Run this declared recovery action before the stall.
        case run(action: String)
    }

    /// When the rule fires.
    public enum Trigger: Sendable, Hashable {
        /// The stall probability, above 0 and below 1, crosses this threshold.
        case risk(Double)
        /// The monitor's numeric signals of this kind drop (see `DropDetector`).
        case drop(kind: String)
    }

    public var trigger: Trigger
    public var responses: [Response]

    public init(trigger: Trigger, responses: [Response]) {
        self.trigger = trigger
        self.responses = responses
    }

    public init(risk: Double, response: Response) {
        self.init(trigger: .risk(risk), responses: [response])
    }

    /// The risk threshold; nil for drop rules.
    public var risk: Double? {
        if case .risk(let risk) = trigger { risk } else { nil }
    }

    /// The signal kind whose drops fire the rule; nil for risk rules.
    public var dropKind: String? {
        if case .drop(let kind) = trigger { kind } else { nil }
    }

    /// The silence after the last progress at which the risk reaches this rule's threshold; never for drop rules.
    public func silence(in estimator: StallEstimator) -> TimeInterval {
        guard let risk else { return .infinity }
        return estimator.alarmSilence(threshold: risk)
    }

    /// Feeds one numeric signal to the drop detector of a drop rule; true when the rule fires on it.
    public func observe(_ value: Double, ofKind kind: String, in detector: inout DropDetector) -> Bool {
        guard kind == dropKind else { return false }
        return detector.observe(value)
    }
}

/// A monitor's stall risk now: a calibrated probability plus the patterns behind it.
public struct StallRisk: Sendable, Hashable, Codable {
    /// `P(the current silence reaches the horizon)`, calibrated from the monitor's own gaps.
    public var probability: Double
    public var horizon: TimeInterval
    public var silence: TimeInterval
    /// The typical recent gap over the median kept gap: above 1 when progress is slowing.
    public var slowdown: Double?
    /// The share of past incident onsets that fell in the coming horizon, by hour of week; `nil` without incidents.
    public var windowShare: Double?
    /// A blocker that was the root cause of at least two recent incidents.
    public var recurringBlocker: String?
    /// Human sentences on what drives the risk.
    public var reasons: [String]

    enum CodingKeys: String, CodingKey {
        case probability, horizon, silence, slowdown, reasons
        case windowShare = "window_share"
        case recurringBlocker = "recurring_blocker"
    }

    /// Assesses the risk at `now`.
    /// - Parameters:
    ///   - history: the monitor's closed gaps; `lastProgress` starts the current silence.
    ///   - horizon: the gap length that counts as a stall.
    ///   - typicalGap: the prior's scale when there is no history, e.g. the configured period.
    ///   - onsets: past incident onsets by hour of week.
    ///   - recentBlockers: root causes of recent incidents, newest first.
    public init(
        history: GapHistory,
        now: Date,
        horizon: TimeInterval,
        typicalGap: TimeInterval,
        onsets: HourOfWeekHeatmap = HourOfWeekHeatmap(),
        timeZone: TimeZone = TimeZone(identifier: "UTC")!,
        recentBlockers: [String] = [],
        model: StallModel = .standard
    ) {
        let silence = history.lastProgress.map { max(0, now.timeIntervalSince($0)) } ?? 0
        let estimator = model.estimator(for: history, horizon: horizon, typicalGap: typicalGap)
        self.horizon = horizon
        self.silence = silence
        probability = estimator.probability(afterSilence: silence)
        var reasons: [String] = []
        let sorted = history.gaps.sorted()
        if let typical = history.typicalGap, !sorted.isEmpty {
            let median = max(GapHistory.shortestRhythmGap, Backtest.quantile(sorted, 0.5))
            let ratio = typical / median
            slowdown = ratio
            if ratio >= 2 {
                reasons.append("progress is slowing: recent gaps are \(String(format: "%.1f", ratio))× the usual "
                    + Calibrator.spoken(median))
            }
        } else {
            slowdown = nil
        }
        if onsets.total > 0 {
            let hours = Int((horizon / 3_600).rounded(.up))
            let share = onsets.share(from: now, hours: hours, in: timeZone)
            windowShare = share
            let expected = Double(min(168, hours)) / 168
            if share >= 2 * expected, share > 0 {
                reasons.append("\(Calibrator.percent(share)) of past stalls began in the coming "
                    + "\(Calibrator.spoken(horizon)) of the week")
            }
        } else {
            windowShare = nil
        }
        var counts: [String: Int] = [:]
        for blocker in recentBlockers.prefix(5) { counts[blocker, default: 0] += 1 }
        recurringBlocker = counts.filter { $0.value >= 2 }.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
        if let recurringBlocker {
            reasons.append("\(recurringBlocker) blocked \(counts[recurringBlocker]!) of the last "
                + "\(min(5, recentBlockers.count)) incidents")
        }
        reasons.insert(
            "\(Calibrator.percent(probability)) chance that this silence of \(Calibrator.spoken(silence)) "
                + "reaches \(Calibrator.spoken(horizon))", at: 0)
        self.reasons = reasons
    }
}
