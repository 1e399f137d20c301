import Foundation

/// Exponential backoff with jitter: attempt n waits `min(cap, base × factor^(n-1))`, of which the `jitter` share
/// is drawn at random.
public struct Backoff: Sendable, Hashable, Codable {
    /// The first delay; default 1 s.
    public var base: TimeInterval
    /// How much each attempt multiplies the delay; default 2.
    public var factor: Double
    /// The longest delay; default 5 minutes.
    public var cap: TimeInterval
    /// The share of each delay that is random, 0...1; default 0.5.
    public var jitter: Double

    public init(base: TimeInterval = 1, factor: Double = 2, cap: TimeInterval = 300, jitter: Double = 0.5) {
        self.base = base
        self.factor = factor
        self.cap = cap
        self.jitter = min(1, max(0, jitter))
    }

    /// The delay after `attempt` failed attempts (1 for the first), given a random `unit` in 0..<1.
    public func delay(afterAttempt attempt: Int, unit: Double) -> TimeInterval {
        let exponent = Double(max(0, attempt - 1))
        let full = min(cap, base * pow(factor, exponent))
        return full * (1 - jitter) + full * jitter * min(1, max(0, unit))
    }
}
