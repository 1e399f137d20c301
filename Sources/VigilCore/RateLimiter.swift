import Foundation

/// A token bucket for one monitor's pings: `limit.count` pings, refilled evenly over `limit.window`.
public struct RateLimiter: Sendable, Hashable {
    public enum Admission: Sendable, Hashable {
        case allowed
        /// Refused; the next ping is admitted after this many seconds.
        case limited(retryAfter: TimeInterval)
    }

    public let limit: RateLimit
    private var tokens: Double
    private var updatedAt: Date?

    public init(limit: RateLimit) {
        self.limit = limit
        self.tokens = Double(limit.count)
    }

    /// Takes one token at `now` when there is one.
    public mutating func admit(at now: Date) -> Admission {
        let capacity = Double(limit.count)
        let refillPerSecond = capacity / max(limit.window, .leastNonzeroMagnitude)
        if let updatedAt {
            let elapsed = max(0, now.timeIntervalSince(updatedAt))
            tokens = min(capacity, tokens + elapsed * refillPerSecond)
        }
        // A ping stamped before the last one must not move the refill clock back, or the same time refills twice.
        updatedAt = max(updatedAt ?? now, now)
        // Refills add up in floating point: a hair short of a whole token is one, so a client that waits the
        // advised retryAfter in steps is admitted.
        if tokens >= 1 - 1e-9 {
            tokens = max(0, tokens - 1)
            return .allowed
        }
        return .limited(retryAfter: (1 - tokens) / refillPerSecond)
    }
}
