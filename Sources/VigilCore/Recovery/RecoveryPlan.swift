import Foundation

/// The ladder of actions a monitor may use when it stalls, and how patiently to climb it.
public struct RecoveryPlan: Sendable, Hashable {
    /// The candidate actions, by name.
    public var actions: [String]
    /// How long to wait for progress after an action before trying the next; default 5 minutes.
    public var verifyWithin: TimeInterval
    /// The wait between attempts; default 10 s doubling up to 10 minutes, half of it random.
    public var backoff: Backoff
    /// At most this many attempts for the monitor in the window; default 5 per hour.
    public var limit: IntensityLimit
    /// While every action needs something blocked, how long to keep probing before telling a person; default 0
    /// (tell at once). A short outage that ends within it is waited out without a notice.
    public var holdOff: TimeInterval
    /// When a blocked capability comes back, how long to wait for the work to resume by itself before running an
    /// action; default 0 (act at once).
    public var settle: TimeInterval

    public init(
        actions: [String],
        verifyWithin: TimeInterval = 300,
        backoff: Backoff = RecoveryPlan.defaultBackoff,
        limit: IntensityLimit = RecoveryPlan.defaultLimit,
        holdOff: TimeInterval = 0,
        settle: TimeInterval = 0
    ) {
        self.actions = actions
        self.verifyWithin = verifyWithin
        self.backoff = backoff
        self.limit = limit
        self.holdOff = holdOff
        self.settle = settle
    }

    public static let defaultBackoff = Backoff(base: 10, factor: 2, cap: 600, jitter: 0.5)
    public static let defaultLimit = IntensityLimit(count: 5, window: 3_600)
    /// A monitor without a `recovery:` plan: nothing to run, so a stall goes straight to a person.
    public static let none = RecoveryPlan(actions: [])
}

/// A restart-intensity limit: at most `count` recovery attempts within `window` seconds.
public struct IntensityLimit: Sendable, Hashable, Codable {
    public var count: Int
    public var window: TimeInterval

    public init(count: Int, window: TimeInterval) {
        self.count = count
        self.window = window
    }

    /// True when `attempts` (their start times) leave room for one more at `now`.
    public func allows(_ attempts: [Date], at now: Date) -> Bool {
        attempts.filter { now.timeIntervalSince($0) < window }.count < count
    }
}
