import Foundation

/// How a forecaster ranked and calibrated its "will the next gap be a stall?" probabilities on one stream.
public struct ForecastScore: Sendable, Hashable {
    public var method: String
    public var horizon: TimeInterval
    /// One prediction per scored gap: the forecast and whether the gap was a stall.
    public var predictions: [(probability: Double, stall: Bool)]

    public init(method: String, horizon: TimeInterval, predictions: [(probability: Double, stall: Bool)] = []) {
        self.method = method
        self.horizon = horizon
        self.predictions = predictions
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.method == rhs.method && lhs.horizon == rhs.horizon && lhs.predictions.elementsEqual(rhs.predictions) {
            $0.probability == $1.probability && $0.stall == $1.stall
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(predictions.count)
    }

    /// The area under the ROC curve (ties count half); `nil` unless there are stalls and non-stalls.
    public var auc: Double? { Self.auc(predictions) }

    /// The mean squared error of the probabilities; `nil` without predictions.
    public var brier: Double? {
        guard !predictions.isEmpty else { return nil }
        return predictions.reduce(0) { $0 + pow($1.probability - ($1.stall ? 1 : 0), 2) } / Double(predictions.count)
    }

    /// The Mann–Whitney estimate of the AUC.
    public static func auc(_ predictions: [(probability: Double, stall: Bool)]) -> Double? {
        let positives = predictions.count { $0.stall }
        let negatives = predictions.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let sorted = predictions.sorted { $0.probability < $1.probability }
        var rankSum = 0.0
        var index = 0
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count, sorted[end + 1].probability == sorted[index].probability { end += 1 }
            let averageRank = Double(index + end) / 2 + 1
            for tied in index...end where sorted[tied].stall { rankSum += averageRank }
            index = end + 1
        }
        let u = rankSum - Double(positives) * Double(positives + 1) / 2
        return u / (Double(positives) * Double(negatives))
    }
}

/// Ways to say, at each progress event, how likely the next gap is to be a stall.
public enum StallForecaster: Sendable, Hashable {
    /// The stall model at silence zero: what the server shows.
    case model(StallModel)
    /// The share of closed gaps that were stalls so far.
    case pastRate
    /// An EWMA (weight 0.2) of recent gaps: a ranking score, not a probability; scored by AUC only.
    case ewma

    public var method: String {
        switch self {
        case .model: "vigil"
        case .pastRate: "past-rate"
        case .ewma: "ewma"
        }
    }

    /// Whether the output is a probability, so that a Brier score means something.
    public var isProbability: Bool {
        if case .ewma = self { false } else { true }
    }

    /// Replays progress `times`, forecasting each scored gap as `Backtest.run` scores detections: warm-up gaps are
    /// history only; the open final gap is scored only when it already exceeds the horizon.
    public static func replay(
        times: [Date],
        end: Date,
        horizon: TimeInterval,
        forecasters: [StallForecaster],
        warmUp: Int = Backtest.defaultWarmUp,
        typicalGap: TimeInterval? = nil
    ) -> [ForecastScore] {
        let sorted = times.sorted()
        var scores = forecasters.map { ForecastScore(method: $0.method, horizon: horizon) }
        guard let first = sorted.first else { return scores }
        var history = GapHistory()
        history.record(first)
        var stallsSoFar = 0
        var ewma: Double?
        for index in sorted.indices {
            let isOpen = index == sorted.count - 1
            let gap = isOpen ? end.timeIntervalSince(sorted[index]) : sorted[index + 1].timeIntervalSince(sorted[index])
            let closedSoFar = index
            if index >= warmUp, !(isOpen && gap < horizon) {
                let stall = gap >= horizon
                for (slot, forecaster) in forecasters.enumerated() {
                    let probability: Double
                    switch forecaster {
                    case .model(let model):
                        probability = model.estimator(
                            for: history, horizon: horizon, typicalGap: typicalGap ?? horizon / 4
                        ).probability(afterSilence: 0)
                    case .pastRate:
                        probability = closedSoFar > 0 ? Double(stallsSoFar) / Double(closedSoFar) : 0
                    case .ewma:
                        probability = ewma ?? 0
                    }
                    scores[slot].predictions.append((probability, stall))
                }
            }
            guard !isOpen else { break }
            history.record(sorted[index + 1])
            if gap >= horizon { stallsSoFar += 1 }
            ewma = ewma.map { $0 + 0.2 * (gap - $0) } ?? gap
        }
        return scores
    }
}
