import Foundation

/// Count, mean and percentiles of durations: a mean alone hides the long tail.
public struct DurationStats: Sendable, Hashable, Codable {
    public var count: Int
    public var mean: TimeInterval
    public var p50: TimeInterval
    public var p90: TimeInterval
    public var p99: TimeInterval
    public var max: TimeInterval

    /// `nil` for no values; percentiles interpolate linearly between neighbours.
    public init?(_ values: [TimeInterval]) {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        count = sorted.count
        mean = sorted.reduce(0, +) / Double(sorted.count)
        p50 = Backtest.quantile(sorted, 0.5)
        p90 = Backtest.quantile(sorted, 0.9)
        p99 = Backtest.quantile(sorted, 0.99)
        max = sorted[sorted.count - 1]
    }
}

/// A time range, start included and end excluded.
public struct TimeRange: Sendable, Hashable, Codable {
    public var start: Date
    public var end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = Swift.max(start, end)
    }

    public var duration: TimeInterval { end.timeIntervalSince(start) }

    /// How much of `[from, to)` lies in the range.
    public func overlap(from: Date, to: Date) -> TimeInterval {
        Swift.max(0, Swift.min(to, end).timeIntervalSince(Swift.max(from, start)))
    }
}
