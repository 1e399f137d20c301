import Foundation

/// Notices when a numeric signal (engagement, a count, a score) drops: a one-sided CUSUM on its deviations from
/// an EWMA baseline, in units of the baseline's own typical deviation.
///
/// Each step is pure: `observe` returns the new detector and whether it signals a drop now. Defaults follow the
/// textbook CUSUM: slack `k` 0.5 and decision interval `h` 5 deviations, baseline EWMA weight 0.1.
public struct DropDetector: Sendable, Hashable, Codable {
    public var smoothing: Double
    public var slack: Double
    public var decision: Double
    /// Values seen before the baseline is trusted: 8.
    public var warmUp: Int

    public private(set) var baseline: Double?
    public private(set) var deviation: Double = 0
    public private(set) var sum: Double = 0
    public private(set) var count = 0

    public init(smoothing: Double = 0.1, slack: Double = 0.5, decision: Double = 5, warmUp: Int = 8) {
        self.smoothing = smoothing
        self.slack = slack
        self.decision = decision
        self.warmUp = warmUp
    }

    /// Feeds one value; returns true when the accumulated drop crosses the decision interval (then restarts).
    public mutating func observe(_ value: Double) -> Bool {
        count += 1
        guard let base = baseline else {
            baseline = value
            return false
        }
        // The mean absolute deviation is 0.8 σ for normal noise; CUSUM's k and h are in units of σ.
        let scale = max(1.25 * deviation, abs(base) * 0.01, 1e-9)
        let standardized = (base - value) / scale
        var dropped = false
        if count > warmUp {
            sum = max(0, sum + standardized - slack)
            if sum > decision {
                dropped = true
                sum = 0
            }
        }
        // Every value moves the baseline, or it would drift up on the values that leave the sum at zero; a plain
        // running mean while few values are in, so the first difference does not set the scale.
        let weight = max(smoothing, 1 / Double(count - 1))
        deviation += weight * (abs(value - base) - deviation)
        baseline = base + weight * (value - base)
        return dropped
    }

    /// How far the accumulated drop is towards the decision interval, from 0 to 1.
    public var pressure: Double { min(1, sum / decision) }
}
