import Foundation

/// The closed gaps between a monitor's progress events, oldest first, each with the rhythm that came before it.
///
/// The rhythm is an exponentially weighted moving average (EWMA) of the logarithms of the gaps: a falling progress
/// rate shows as a rising rhythm. Only closed gaps are kept, so a value built at time t uses nothing after t.
public struct GapHistory: Sendable, Hashable {
    /// The EWMA weight of the newest gap in the rhythm: 0.2, the textbook choice for EWMA charts.
    public static let defaultSmoothing = 0.2
    /// The most gaps kept: 2 000; with the model's half-life of 250 gaps older ones weigh less than 0.4%.
    public static let defaultLimit = 2_000
    /// Gaps shorter than this count as this long in the rhythm, so a burst (an import, a batch) cannot drag it
    /// towards minus infinity: one minute.
    public static let shortestRhythmGap: TimeInterval = 60

    /// Closed gaps in seconds, oldest first.
    public private(set) var gaps: [TimeInterval] = []
    /// For each gap, the rhythm (EWMA of log gaps) when it began; `nil` for a gap with no gap before it.
    public private(set) var rhythms: [Double?] = []
    /// The rhythm after the newest gap; `nil` before the first gap closes.
    public private(set) var rhythm: Double?
    /// The newest progress event recorded.
    public private(set) var lastProgress: Date?
    public let smoothing: Double
    public let limit: Int

    /// - Parameters:
    ///   - smoothing: the EWMA weight of the newest gap; default 0.2.
    ///   - limit: the most gaps kept; default 2 000.
    public init(smoothing: Double = GapHistory.defaultSmoothing, limit: Int = GapHistory.defaultLimit) {
        self.smoothing = smoothing
        self.limit = max(1, limit)
    }

    /// A history built from progress times in any order.
    public init(
        progress times: some Sequence<Date>,
        smoothing: Double = GapHistory.defaultSmoothing,
        limit: Int = GapHistory.defaultLimit
    ) {
        self.init(smoothing: smoothing, limit: limit)
        for time in times.sorted() { record(time) }
    }

    /// Records a progress event; one earlier than the newest recorded is ignored, as the detector ignores it.
    public mutating func record(_ time: Date) {
        guard let last = lastProgress else {
            lastProgress = time
            return
        }
        guard time >= last else { return }
        append(time.timeIntervalSince(last))
        lastProgress = time
    }

    /// Adds one closed gap of `gap` seconds.
    public mutating func append(_ gap: TimeInterval) {
        gaps.append(gap)
        rhythms.append(rhythm)
        let logGap = Foundation.log(Swift.max(gap, Self.shortestRhythmGap))
        rhythm = rhythm.map { $0 + smoothing * (logGap - $0) } ?? logGap
        // Trimming in steps keeps appends amortised O(1).
        if gaps.count > limit + limit / 4 {
            gaps.removeFirst(gaps.count - limit)
            rhythms.removeFirst(rhythms.count - limit)
        }
    }

    /// The typical recent gap, `exp(rhythm)`; `nil` before the first gap closes.
    public var typicalGap: TimeInterval? { rhythm.map(Foundation.exp) }

    /// The share of kept gaps shorter than `silence`, from 0 to 1; 0 without gaps.
    public func shareShorter(than silence: TimeInterval) -> Double {
        guard !gaps.isEmpty else { return 0 }
        return Double(gaps.count { $0 < silence }) / Double(gaps.count)
    }
}
