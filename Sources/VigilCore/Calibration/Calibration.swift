import Foundation

/// What a monitor does with its learned deadline: `off` (default), `suggest` (show it), `auto` (use it).
public enum CalibrationMode: String, Sendable, Hashable, Codable, CaseIterable {
    case off
    case suggest
    case auto
}

/// A learned deadline and the sentence that explains it.
public struct CalibratedDeadline: Sendable, Hashable, Codable {
    /// How long a silence may last before it is called a stall.
    public var silence: TimeInterval
    /// The gap length that counts as a stall: the configured deadline (period plus grace).
    public var horizon: TimeInterval
    /// The stall probability at `silence`.
    public var probability: Double
    /// The share of the monitor's kept gaps shorter than `silence`.
    public var shareShorter: Double
    /// How many closed gaps it was learned from; 0 means the prior alone.
    public var gapCount: Int
    /// One sentence, e.g. "no commit for 19h; 97% of this monitor's gaps are shorter".
    public var explanation: String

    enum CodingKeys: String, CodingKey {
        case silence, horizon, probability, explanation
        case shareShorter = "share_shorter"
        case gapCount = "gap_count"
    }

    public init(
        silence: TimeInterval, horizon: TimeInterval, probability: Double, shareShorter: Double, gapCount: Int,
        explanation: String
    ) {
        self.silence = silence
        self.horizon = horizon
        self.probability = probability
        self.shareShorter = shareShorter
        self.gapCount = gapCount
        self.explanation = explanation
    }
}

/// Learns a monitor's stall deadline from its own progress gaps.
public struct Calibrator: Sendable, Hashable {
    public var model: StallModel

    public init(model: StallModel = .standard) {
        self.model = model
    }

    /// The calibrated deadline for a stall horizon, never shorter than the model's floor nor longer than the horizon.
    /// - Parameters:
    ///   - history: the monitor's closed gaps.
    ///   - horizon: the gap length that counts as a stall, e.g. the configured period plus grace.
    ///   - typicalGap: the prior's scale for a monitor without history, e.g. its configured period.
    ///   - progressNoun: how the sentence names progress, e.g. "commit"; default "progress".
    public func deadline(
        for history: GapHistory,
        horizon: TimeInterval,
        typicalGap: TimeInterval,
        progressNoun: String = "progress"
    ) -> CalibratedDeadline {
        let estimator = model.estimator(for: history, horizon: horizon, typicalGap: typicalGap)
        let silence = estimator.alarmSilence()
        let probability = estimator.probability(afterSilence: silence)
        let share = history.shareShorter(than: silence)
        let explanation: String
        if history.gaps.isEmpty {
            explanation = "no \(progressNoun) for \(Self.spoken(silence)); no history yet, so this is the prior "
                + "for a \(Self.spoken(horizon)) deadline"
        } else if silence >= horizon {
            explanation = "no \(progressNoun) for \(Self.spoken(silence)), the configured deadline; this monitor's "
                + "\(history.gaps.count) gaps give no reason to alarm sooner"
        } else {
            explanation = "no \(progressNoun) for \(Self.spoken(silence)); \(Self.percent(share)) of this monitor's "
                + "gaps are shorter, and \(Self.percent(probability)) of silences this long reach "
                + Self.spoken(horizon)
        }
        return CalibratedDeadline(
            silence: silence, horizon: horizon, probability: probability, shareShorter: share,
            gapCount: history.gaps.count, explanation: explanation
        )
    }

    /// "19h", "4d6h", "45m": the two largest units, as people say a duration.
    public static func spoken(_ seconds: TimeInterval) -> String {
        let units: [(String, Double)] = [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)]
        var remaining = max(0, seconds.rounded())
        var parts: [String] = []
        for (symbol, size) in units where remaining >= size || (parts.isEmpty && symbol == "s") {
            let count = (remaining / size).rounded(.down)
            if count > 0 || parts.isEmpty { parts.append("\(Int(count))\(symbol)") }
            remaining -= count * size
            if parts.count == 2 { break }
        }
        return parts.joined()
    }

    /// "97%", or "<1%" and ">99%" at the ends.
    public static func percent(_ share: Double) -> String {
        let value = share * 100
        if value > 0 && value < 1 { return "<1%" }
        if value > 99 && value < 100 { return ">99%" }
        return "\(Int(value.rounded()))%"
    }
}
