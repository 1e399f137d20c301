import Foundation

/// The figures `EVALUATION.md` asks for, over several streams, for every method and horizon.
public struct Evaluation: Sendable {
    /// One method at one horizon, summed over the streams: one row of the table and one object of `--json`.
    public struct Row: Sendable, Hashable, Codable {
        public var method: String
        public var horizonDays: Double
        public var falseAlarmsPerMonth: Double?
        /// The lowest and highest per-stream false-alarm rate.
        public var falseAlarmsPerMonthMin: Double?
        public var falseAlarmsPerMonthMax: Double?
        public var medianDaysToAlarm: Double?
        public var p25DaysToAlarm: Double?
        public var shareAlarmedBeforeHorizon: Double?
        public var stalls: Int?
        public var falseAlarms: Int?
        /// The median over streams of the within-stream AUC.
        public var aucWithinMedian: Double?
        public var brier: Double?
        public var forecasts: Int?

        enum CodingKeys: String, CodingKey {
            case method, stalls, brier, forecasts
            case horizonDays = "horizon_days"
            case falseAlarmsPerMonth = "false_alarms_per_month"
            case falseAlarmsPerMonthMin = "false_alarms_per_month_min"
            case falseAlarmsPerMonthMax = "false_alarms_per_month_max"
            case medianDaysToAlarm = "median_days_to_alarm"
            case p25DaysToAlarm = "p25_days_to_alarm"
            case shareAlarmedBeforeHorizon = "share_alarmed_before_horizon"
            case falseAlarms = "false_alarms"
            case aucWithinMedian = "auc_within_median"
        }

        /// Writes every key, with `null` where a method has no such figure, so that scripts can rely on them.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(method, forKey: .method)
            try container.encode(horizonDays, forKey: .horizonDays)
            try container.encode(falseAlarmsPerMonth.flatMap(Self.rounded), forKey: .falseAlarmsPerMonth)
            try container.encode(falseAlarmsPerMonthMin.flatMap(Self.rounded), forKey: .falseAlarmsPerMonthMin)
            try container.encode(falseAlarmsPerMonthMax.flatMap(Self.rounded), forKey: .falseAlarmsPerMonthMax)
            try container.encode(medianDaysToAlarm.flatMap(Self.rounded), forKey: .medianDaysToAlarm)
            try container.encode(p25DaysToAlarm.flatMap(Self.rounded), forKey: .p25DaysToAlarm)
            try container.encode(shareAlarmedBeforeHorizon.flatMap(Self.rounded), forKey: .shareAlarmedBeforeHorizon)
            try container.encode(stalls, forKey: .stalls)
            try container.encode(falseAlarms, forKey: .falseAlarms)
            try container.encode(aucWithinMedian.flatMap(Self.rounded), forKey: .aucWithinMedian)
            try container.encode(brier.flatMap(Self.rounded), forKey: .brier)
            try container.encode(forecasts, forKey: .forecasts)
        }

        /// Four decimals; `nil` (JSON `null`) for a figure that is not finite, such as the median time to alarm
        /// of a rule that missed most stalls.
        static func rounded(_ value: Double) -> Double? {
            value.isFinite ? (value * 10_000).rounded() / 10_000 : nil
        }
    }

    /// One stream's own figures, for the per-stream table.
    public struct StreamRow: Sendable, Hashable {
        public var stream: String
        public var method: String
        public var horizonDays: Double
        public var falseAlarmsPerMonth: Double
        public var stalls: Int
        public var scoredGaps: Int
        public var months: Double
        public var auc: Double?
        public var brier: Double?
    }

    public var rows: [Row]
    public var streamRows: [StreamRow]
    public var horizons: [TimeInterval]
    public var streams: [String]
    public var end: Date

    /// The horizons of `EVALUATION.md`: 7 and 30 days.
    public static let standardHorizons: [TimeInterval] = [7 * 86_400, 30 * 86_400]

    /// The detection rules compared at a horizon: Vigil's, fixed X/4, X/2, 3X/4, X, and the 95% quantile.
    public static func detectionRules(horizon: TimeInterval, model: StallModel = .standard) -> [DetectionRule] {
        [.calibrated(model)] + [0.25, 0.5, 0.75, 1].map { .fixed(horizon * $0) } + [.quantile(alpha: 0.05)]
    }

    /// Replays every stream at every horizon through the server's stall model and the baselines.
    /// - Parameter end: when observation stopped; the open final gap of each stream runs to it.
    public static func run(
        streams: [ProgressStream],
        end: Date,
        horizons: [TimeInterval] = standardHorizons,
        model: StallModel = .standard
    ) -> Evaluation {
        var rows: [Row] = []
        var streamRows: [StreamRow] = []
        for horizon in horizons {
            let rules = detectionRules(horizon: horizon, model: model)
            let forecasters: [StallForecaster] = [.model(model), .pastRate, .ewma]
            var detections = [[Backtest.Score]](repeating: [], count: rules.count)
            var forecasts = [[ForecastScore]](repeating: [], count: forecasters.count)
            for stream in streams {
                let scores = Backtest.run(times: stream.times, end: end, horizon: horizon, rules: rules)
                for (slot, score) in scores.enumerated() { detections[slot].append(score) }
                let predicted = StallForecaster.replay(
                    times: stream.times, end: end, horizon: horizon, forecasters: forecasters)
                for (slot, score) in predicted.enumerated() { forecasts[slot].append(score) }
                for (slot, score) in scores.enumerated() {
                    let forecast = slot == 0 ? predicted[0] : nil
                    streamRows.append(StreamRow(
                        stream: stream.name, method: score.method, horizonDays: horizon / 86_400,
                        falseAlarmsPerMonth: score.falseAlarmsPerMonth, stalls: score.stalls,
                        scoredGaps: score.scoredGaps, months: score.months, auc: forecast?.auc,
                        brier: forecast?.brier))
                }
            }
            for (slot, rule) in rules.enumerated() {
                var row = detectionRow(method: rule.method, horizon: horizon, scores: detections[slot])
                if slot == 0 { addForecast(forecasts[0], isProbability: true, to: &row) }
                rows.append(row)
            }
            for (slot, forecaster) in forecasters.enumerated().dropFirst() {
                var row = Row(method: forecaster.method, horizonDays: horizon / 86_400)
                addForecast(forecasts[slot], isProbability: forecaster.isProbability, to: &row)
                rows.append(row)
            }
        }
        return Evaluation(
            rows: rows, streamRows: streamRows, horizons: horizons, streams: streams.map(\.name), end: end)
    }

    private static func detectionRow(method: String, horizon: TimeInterval, scores: [Backtest.Score]) -> Row {
        let falseAlarms = scores.reduce(0) { $0 + $1.falseAlarms }
        let months = scores.reduce(0) { $0 + $1.months }
        let rates = scores.filter { $0.months > 0 }.map(\.falseAlarmsPerMonth)
        let times = scores.flatMap(\.timesToAlarm).sorted().map { $0 / 86_400 }
        let stalls = times.count
        var row = Row(method: method, horizonDays: horizon / 86_400)
        row.falseAlarms = falseAlarms
        row.stalls = stalls
        row.falseAlarmsPerMonth = months > 0 ? Double(falseAlarms) / months : nil
        row.falseAlarmsPerMonthMin = rates.min()
        row.falseAlarmsPerMonthMax = rates.max()
        if stalls > 0 {
            row.medianDaysToAlarm = Backtest.quantile(times, 0.5)
            row.p25DaysToAlarm = Backtest.quantile(times, 0.25)
            row.shareAlarmedBeforeHorizon = Double(times.count { $0 < horizon / 86_400 }) / Double(stalls)
        }
        return row
    }

    private static func addForecast(_ scores: [ForecastScore], isProbability: Bool, to row: inout Row) {
        let aucs = scores.compactMap(\.auc).sorted()
        row.aucWithinMedian = aucs.isEmpty ? nil : Backtest.quantile(aucs, 0.5)
        let all = scores.flatMap(\.predictions)
        row.forecasts = all.count
        if isProbability, !all.isEmpty {
            row.brier = all.reduce(0) { $0 + pow($1.probability - ($1.stall ? 1 : 0), 2) } / Double(all.count)
        }
    }
}

extension Evaluation.Row {
    init(method: String, horizonDays: Double) {
        self.init(
            method: method, horizonDays: horizonDays, falseAlarmsPerMonth: nil, falseAlarmsPerMonthMin: nil,
            falseAlarmsPerMonthMax: nil, medianDaysToAlarm: nil, p25DaysToAlarm: nil, shareAlarmedBeforeHorizon: nil,
            stalls: nil, falseAlarms: nil, aucWithinMedian: nil, brier: nil, forecasts: nil)
    }
}
