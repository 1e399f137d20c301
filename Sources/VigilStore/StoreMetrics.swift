import Foundation

/// Counts kept in the journal for `/metrics`: they survive restarts, as Prometheus counters should where they can.
public struct StoreMetrics: Sendable, Hashable {
    /// Incidents ever opened, by cause (`stalled`, `failing`, …).
    public var incidentsByCause: [String: Int] = [:]
    public var openIncidents = 0
    /// How many incidents were detected within each bucket's bound of their onset, cumulative as Prometheus
    /// histograms are; the last count is all of them.
    public var detectionLagBuckets: [(bound: Double, count: Int)] = []
    public var detectionLagSum: Double = 0
    public var detectionLagCount = 0
    /// Onset to resolution of the most recent resolved incidents (at most 1 000), for quantiles.
    public var recentTimesToRecover: [Double] = []
    public var timeToRecoverSum: Double = 0
    public var timeToRecoverCount = 0
    /// Recovery attempts by action and result (`recovered`, `no_progress`, `failed`, `pending`).
    public var attempts: [AttemptCount] = []
    /// Notices not yet delivered.
    public var outboxDepth = 0

    public init() {}

    public static func == (lhs: StoreMetrics, rhs: StoreMetrics) -> Bool {
        lhs.incidentsByCause == rhs.incidentsByCause && lhs.openIncidents == rhs.openIncidents
            && lhs.detectionLagBuckets.map(\.bound) == rhs.detectionLagBuckets.map(\.bound)
            && lhs.detectionLagBuckets.map(\.count) == rhs.detectionLagBuckets.map(\.count)
            && lhs.detectionLagSum == rhs.detectionLagSum && lhs.detectionLagCount == rhs.detectionLagCount
            && lhs.recentTimesToRecover == rhs.recentTimesToRecover && lhs.timeToRecoverSum == rhs.timeToRecoverSum
            && lhs.timeToRecoverCount == rhs.timeToRecoverCount && lhs.attempts == rhs.attempts
            && lhs.outboxDepth == rhs.outboxDepth
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(incidentsByCause)
        hasher.combine(detectionLagCount)
        hasher.combine(timeToRecoverCount)
        hasher.combine(attempts)
        hasher.combine(outboxDepth)
    }
}

/// How many recovery attempts of one action ended with one result.
public struct AttemptCount: Sendable, Hashable {
    public var action: String
    public var result: String
    public var count: Int

    public init(action: String, result: String, count: Int) {
        self.action = action
        self.result = result
        self.count = count
    }
}
