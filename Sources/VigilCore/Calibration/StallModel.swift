import Foundation

/// The probability that a silence becomes a stall, learned from a monitor's own closed gaps.
///
/// `P(gap ≥ horizon | silent for s)` is estimated from the history in two shrunk layers:
/// 1. over all kept gaps, weighted by recency (half-life in gaps), shrunk towards a heavy-tailed prior
///    `(c + s) / (c + horizon)` (a Lomax survival with shape 1 and scale `c`, the typical recent gap): the longer a
///    silence has lasted, the longer it is likely to last;
/// 2. over the gaps that began in a similar rhythm (a Gaussian kernel on the EWMA of log gaps, bandwidth by
///    Silverman's rule), shrunk towards layer 1. A falling progress rate thus raises the risk.
///
/// The same estimate gives the forecast (`s = 0`: will the next gap be a stall?) and the calibrated deadline
/// (the shortest silence at which the stall probability reaches `threshold`). It never reads a clock.
public struct StallModel: Sendable, Hashable {
    /// The stall probability at which the calibrated deadline fires: 0.5, "more likely than not".
    public var threshold: Double
    /// How many gaps back a gap's weight halves: 250.
    public var halfLife: Double
    /// How many gaps the heavy-tailed prior is worth: 1.
    public var priorWeight: Double
    /// How many gaps the stream-wide estimate is worth against the rhythm-matched one: 5.
    public var rhythmWeight: Double
    /// The calibrated deadline is never shorter than this share of the horizon: 1/8.
    public var floorFraction: Double

    public init(
        threshold: Double = 0.5,
        halfLife: Double = 250,
        priorWeight: Double = 1,
        rhythmWeight: Double = 5,
        floorFraction: Double = 0.125
    ) {
        self.threshold = threshold
        self.halfLife = halfLife
        self.priorWeight = priorWeight
        self.rhythmWeight = rhythmWeight
        self.floorFraction = floorFraction
    }

    /// The settings Vigil uses everywhere: the server, `vigil calibrate` and `vigil evaluate`.
    public static let standard = StallModel()

    /// The history weighed for one horizon, ready to answer questions about silences.
    public func estimator(
        for history: GapHistory,
        horizon: TimeInterval,
        typicalGap fallback: TimeInterval
    ) -> StallEstimator {
        StallEstimator(model: self, history: history, horizon: horizon, fallbackScale: fallback)
    }
}

/// One history weighed for one horizon; answers `P(stall | silent for s)` and the silence at which to alarm.
public struct StallEstimator: Sendable {
    public let model: StallModel
    public let horizon: TimeInterval
    /// The scale of the prior: the typical recent gap, or the fallback for a history without gaps.
    public let scale: TimeInterval
    private let gaps: [TimeInterval]
    private let recency: [Double]
    private let similar: [Double]

    init(model: StallModel, history: GapHistory, horizon: TimeInterval, fallbackScale: TimeInterval) {
        self.model = model
        self.horizon = horizon
        self.scale = max(1, history.typicalGap ?? fallbackScale)
        gaps = history.gaps
        let count = gaps.count
        let decay = pow(0.5, 1 / max(1, model.halfLife))
        var recency = [Double](repeating: 0, count: count)
        var weight = 1.0
        for index in stride(from: count - 1, through: 0, by: -1) {
            recency[index] = weight
            weight *= decay
        }
        self.recency = recency
        similar = Self.kernelWeights(rhythms: history.rhythms, current: history.rhythm, recency: recency)
    }

    /// Recency times a Gaussian kernel on the rhythm; all zero when there is no rhythm to compare.
    private static func kernelWeights(rhythms: [Double?], current: Double?, recency: [Double]) -> [Double] {
        guard let current else { return [Double](repeating: 0, count: recency.count) }
        var sum = 0.0, sumSquares = 0.0, total = 0.0, totalSquares = 0.0
        for (rhythm, weight) in zip(rhythms, recency) {
            guard let rhythm else { continue }
            sum += weight * rhythm
            sumSquares += weight * rhythm * rhythm
            total += weight
            totalSquares += weight * weight
        }
        guard total > 0 else { return [Double](repeating: 0, count: recency.count) }
        let mean = sum / total
        let deviation = (max(0, sumSquares / total - mean * mean)).squareRoot()
        let effective = total * total / max(totalSquares, .leastNonzeroMagnitude)
        // Silverman's rule of thumb: no parameter to tune.
        let bandwidth = 1.06 * deviation * pow(effective, -0.2)
        return zip(rhythms, recency).map { rhythm, weight in
            guard let rhythm else { return 0 }
            guard bandwidth > 1e-9 else { return weight }
            let z = (rhythm - current) / bandwidth
            return weight * exp(-0.5 * z * z)
        }
    }

    /// The heavy-tailed prior's `P(gap ≥ horizon | gap ≥ silence)`.
    public func prior(afterSilence silence: TimeInterval) -> Double {
        min(1, (scale + max(0, silence)) / (scale + horizon))
    }

    /// `P(gap ≥ horizon | silent for silence)`, from 0 to 1.
    public func probability(afterSilence silence: TimeInterval) -> Double {
        guard silence < horizon else { return 1 }
        var recentAtLeast = 0.0, recentStalls = 0.0, similarAtLeast = 0.0, similarStalls = 0.0
        for index in gaps.indices where gaps[index] >= silence {
            recentAtLeast += recency[index]
            similarAtLeast += similar[index]
            if gaps[index] >= horizon {
                recentStalls += recency[index]
                similarStalls += similar[index]
            }
        }
        return combine(recentAtLeast, recentStalls, similarAtLeast, similarStalls, silence: silence)
    }

    private func combine(
        _ recentAtLeast: Double, _ recentStalls: Double, _ similarAtLeast: Double, _ similarStalls: Double,
        silence: TimeInterval
    ) -> Double {
        let prior = prior(afterSilence: silence)
        let streamWide = (recentStalls + model.priorWeight * prior) / (recentAtLeast + model.priorWeight)
        let matched = (similarStalls + model.rhythmWeight * streamWide) / (similarAtLeast + model.rhythmWeight)
        return min(1, max(0, matched))
    }

    /// The calibrated deadline: the shortest silence, between the floor and the horizon, at which the stall
    /// probability reaches the model's threshold (or `threshold` when given). Resolution: 1/64 of the log range.
    public func alarmSilence(threshold: Double? = nil) -> TimeInterval {
        let threshold = threshold ?? model.threshold
        let floor = max(1, horizon * model.floorFraction)
        guard floor < horizon else { return horizon }
        let steps = 64
        let ratio = log(horizon / floor) / Double(steps - 1)
        let grid = (0..<steps).map { $0 == steps - 1 ? horizon : floor * exp(ratio * Double($0)) }
        // Bucket each gap by how many grid points it reaches; suffix sums then give every "≥ s" at once.
        var recentBuckets = [Double](repeating: 0, count: steps + 1)
        var similarBuckets = [Double](repeating: 0, count: steps + 1)
        for index in gaps.indices {
            let gap = gaps[index]
            var low = 0, high = steps
            while low < high {
                let middle = (low + high) / 2
                if grid[middle] <= gap { low = middle + 1 } else { high = middle }
            }
            recentBuckets[low] += recency[index]
            similarBuckets[low] += similar[index]
        }
        var recentAtLeast = [Double](repeating: 0, count: steps + 1)
        var similarAtLeast = [Double](repeating: 0, count: steps + 1)
        for bucket in stride(from: steps, through: 1, by: -1) {
            recentAtLeast[bucket - 1] = recentAtLeast[bucket] + recentBuckets[bucket]
            similarAtLeast[bucket - 1] = similarAtLeast[bucket] + similarBuckets[bucket]
        }
        let recentStalls = recentAtLeast[steps - 1]
        let similarStalls = similarAtLeast[steps - 1]
        for step in 0..<steps {
            let probability = combine(
                recentAtLeast[step], recentStalls, similarAtLeast[step], similarStalls, silence: grid[step]
            )
            if probability >= threshold { return grid[step] }
        }
        return horizon
    }
}
