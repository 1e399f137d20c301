import Foundation

/// A circuit breaker on a numeric signal: trips when its rule holds, halts, and after a cool-down checks fresh
/// data before it resumes.
public struct GuardRule: Sendable, Hashable {
    public enum Condition: Sendable, Hashable {
        /// The mean value of the kind's signals in the window is above the threshold.
        case meanAbove(Double)
        /// The mean value is below the threshold (e.g. engagement that collapsed).
        case meanBelow(Double)
        /// The share of failures (`fail`, non-zero exits) among the run results in the window is above it.
        case failureRatioAbove(Double)
        /// The kind's values drop, as a `DropDetector` fed every value sees it; the window is not used.
        case drops
    }

    public var name: String
    /// The monitor whose signals it watches (slug).
    public var monitor: String
    /// The signal kind whose values it reads; ignored for failure ratios.
    public var kind: String
    public var condition: Condition
    public var window: TimeInterval
    /// At least this many samples in the window before the rule can trip; default 1.
    public var minimumSamples: Int
    /// How long to stay halted before looking at fresh data.
    public var coolDown: TimeInterval
    /// Actions to run when it trips, and when it resumes.
    public var halt: [String]
    public var resume: [String]

    public init(
        name: String,
        monitor: String,
        kind: String,
        condition: Condition,
        window: TimeInterval,
        minimumSamples: Int = 1,
        coolDown: TimeInterval,
        halt: [String],
        resume: [String]
    ) {
        self.name = name
        self.monitor = monitor
        self.kind = kind
        self.condition = condition
        self.window = window
        self.minimumSamples = minimumSamples
        self.coolDown = coolDown
        self.halt = halt
        self.resume = resume
    }

    /// True when the signal is one the rule reads.
    public func reads(_ signal: Signal) -> Bool {
        switch condition {
        case .meanAbove, .meanBelow, .drops: signal.kind.rawValue == kind && signal.value != nil
        case .failureRatioAbove: signal.kind.endsRun
        }
    }

    /// Whether the rule holds over `samples`; nil while there are too few, and always for drops, which only the
    /// guard's detector can judge.
    public func holds(over samples: [Signal]) -> Bool? {
        guard samples.count >= max(1, minimumSamples) else { return nil }
        switch condition {
        case .drops:
            return nil
        case .meanAbove(let threshold):
            return mean(samples) > threshold
        case .meanBelow(let threshold):
            return mean(samples) < threshold
        case .failureRatioAbove(let threshold):
            let failures = samples.filter(\.kind.isFailure).count
            return Double(failures) / Double(samples.count) > threshold
        }
    }

    private func mean(_ samples: [Signal]) -> Double {
        samples.compactMap(\.value).reduce(0, +) / Double(samples.count)
    }
}

/// The state of one guard: closed (watching), open (halted) or half-open (checking fresh data).
public struct GuardState: Sendable, Hashable {
    public enum Phase: Sendable, Hashable {
        case closed
        /// Halted since then; fresh data is looked at from `until` on.
        case open(since: Date, until: Date)
        /// The cool-down is over; the next samples decide.
        case halfOpen(since: Date)
    }

    public enum Effect: Sendable, Hashable {
        /// Run the guard's halt actions.
        case halt(reason: String)
        /// Run the guard's resume actions.
        case resume(reason: String)
        case wake(at: Date)
    }

    public let rule: GuardRule
    public private(set) var phase: Phase
    /// Samples in the window, oldest first; for drops, the last `minimumSamples` values.
    public private(set) var samples: [Signal]
    /// Fed every value of a `drops` guard, in every phase.
    public private(set) var detector = DropDetector()
    /// The value being observed made the detector signal a drop; only set while it is evaluated.
    private var dropped = false
    /// The detector's baseline before the value being observed.
    private var droppedFrom: Double?

    public init(rule: GuardRule) {
        self.rule = rule
        self.phase = .closed
        self.samples = []
    }

    /// Takes a signal of the guarded monitor.
    public mutating func observe(_ signal: Signal) -> [Effect] {
        guard rule.reads(signal) else { return [] }
        samples.append(signal)
        if case .drops = rule.condition, let value = signal.value {
            samples.removeFirst(max(0, samples.count - max(1, rule.minimumSamples)))
            droppedFrom = detector.baseline
            dropped = detector.observe(value)
            defer { dropped = false }
            return evaluate(at: signal.at)
        }
        samples.removeAll { signal.at.timeIntervalSince($0.at) > rule.window }
        return evaluate(at: signal.at)
    }

    /// Whether the rule holds over `data`: for drops, true when the value just observed signalled a drop, and false
    /// once there are enough values that did not.
    private func judge(_ data: [Signal]) -> Bool? {
        guard case .drops = rule.condition else { return rule.holds(over: data) }
        if dropped { return true }
        return data.count >= max(1, rule.minimumSamples) ? false : nil
    }

    /// Lets time pass: ends the cool-down.
    public mutating func advance(to now: Date) -> [Effect] {
        guard case .open(_, let until) = phase, now >= until else { return [] }
        phase = .halfOpen(since: until)
        return evaluate(at: now)
    }

    private mutating func evaluate(at now: Date) -> [Effect] {
        switch phase {
        case .closed:
            guard judge(samples) == true else { return [] }
            return trip(at: now, reason: "\(rule.name) tripped: \(describe())")
        case .open:
            return []
        case .halfOpen(let since):
            let fresh = samples.filter { $0.at >= since }
            switch judge(fresh) {
            case .some(true):
                return trip(at: now, reason: "\(rule.name) tripped again on fresh data: \(describe(fresh))")
            case .some(false):
                // The samples that tripped it were acted on; judged again they would halt on data back to normal.
                samples = fresh
                phase = .closed
                return [.resume(reason: "\(rule.name) resumed: fresh data is back to normal (\(describe(fresh)))")]
            case .none:
                return []
            }
        }
    }

    private mutating func trip(at now: Date, reason: String) -> [Effect] {
        let until = now.addingTimeInterval(rule.coolDown)
        phase = .open(since: now, until: until)
        return [.halt(reason: reason), .wake(at: until)]
    }

    private func describe(_ data: [Signal]? = nil) -> String {
        let data = data ?? samples
        switch rule.condition {
        case .meanAbove, .meanBelow:
            let mean = data.compactMap(\.value).reduce(0, +) / Double(max(1, data.count))
            return "mean \(rule.kind) \((mean * 100).rounded() / 100) over \(data.count) samples"
        case .failureRatioAbove:
            return "\(data.filter(\.kind.isFailure).count) of \(data.count) runs failed"
        case .drops:
            guard dropped, let latest = data.last?.value else {
                return "\(data.count) fresh \(rule.kind) values without a drop"
            }
            let from = droppedFrom.map { " from a baseline of \(($0 * 100).rounded() / 100)" } ?? ""
            return "\(rule.kind) dropped to \((latest * 100).rounded() / 100)\(from)"
        }
    }
}
