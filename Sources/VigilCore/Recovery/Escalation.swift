import Foundation

/// Who is told, and when: levels of channels, each after a delay, repeated until acknowledged or resolved.
public struct EscalationPolicy: Sendable, Hashable {
    public struct Level: Sendable, Hashable {
        /// Channel names from `notify:`.
        public var channels: [String]
        /// How long after the previous level (or the escalation's start, for the first) this level is told.
        public var after: TimeInterval

        public init(channels: [String], after: TimeInterval) {
            self.channels = channels
            self.after = after
        }
    }

    public var levels: [Level]
    /// After the last level, start again from the first this long later; nil tells each level once.
    public var repeatEvery: TimeInterval?

    public init(levels: [Level], repeatEvery: TimeInterval? = nil) {
        self.levels = levels
        self.repeatEvery = repeatEvery
    }
}

/// The escalation of one incident: which level is next and when; ends when acknowledged or resolved.
public struct Escalation: Sendable, Hashable {
    public enum Effect: Sendable, Hashable {
        /// Tell these channels, for the `round`-th time round the levels.
        case notify(channels: [String], level: Int, round: Int)
        case wake(at: Date)
    }

    public let policy: EscalationPolicy
    public private(set) var nextLevel: Int
    public private(set) var round: Int
    public private(set) var nextAt: Date?
    public private(set) var acknowledgedAt: Date?
    public private(set) var ended: Bool

    /// Starts at `at`; the first level is due after its own delay (0 tells it at once).
    public init(policy: EscalationPolicy, startingAt at: Date) {
        self.policy = policy
        self.nextLevel = 0
        self.round = 0
        self.nextAt = policy.levels.first.map { at.addingTimeInterval($0.after) }
        self.acknowledgedAt = nil
        self.ended = policy.levels.isEmpty
    }

    /// Tells every level that is due by `now`, and says when to wake for the next.
    public mutating func advance(to now: Date) -> [Effect] {
        var effects: [Effect] = []
        while !ended, let due = nextAt, due <= now {
            let level = policy.levels[nextLevel]
            effects.append(.notify(channels: level.channels, level: nextLevel + 1, round: round + 1))
            if nextLevel + 1 < policy.levels.count {
                nextLevel += 1
                nextAt = due.addingTimeInterval(policy.levels[nextLevel].after)
            } else if let again = policy.repeatEvery {
                nextLevel = 0
                round += 1
                nextAt = due.addingTimeInterval(again)
            } else {
                nextAt = nil
                ended = true
            }
        }
        if let nextAt, !ended { effects.append(.wake(at: nextAt)) }
        return effects
    }

    /// A person took it: no more levels.
    public mutating func acknowledge(at: Date) {
        acknowledgedAt = at
        end()
    }

    /// The incident resolved or escalation is no longer needed.
    public mutating func end() {
        ended = true
        nextAt = nil
    }
}

/// Spots a root cause that keeps coming back: `count` incidents blocked by it within `window`.
public struct RecurringBlockerRule: Sendable, Hashable {
    public var count: Int
    public var window: TimeInterval

    public init(count: Int = 3, window: TimeInterval = 86_400) {
        self.count = count
        self.window = window
    }

    /// The incidents (id, onset) blocked by `rootCause` within the window up to `now`, when there are enough
    /// to call it recurring; nil otherwise.
    public func recurring(
        _ rootCause: String,
        among incidents: [(id: UUID, onset: Date, rootCauses: [String])],
        at now: Date
    ) -> [UUID]? {
        let matching = incidents.filter { incident in
            incident.rootCauses.contains(rootCause) && now.timeIntervalSince(incident.onset) < window
                && incident.onset <= now
        }
        return matching.count >= count ? matching.sorted { $0.onset < $1.onset }.map(\.id) : nil
    }
}
