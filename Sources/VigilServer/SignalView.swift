import Foundation
import VigilStore

/// A stored signal as the API shows it.
public struct SignalView: Codable, Sendable, Hashable {
    public var kind: String
    public var at: Date
    public var value: Double?
    public var runID: String?
    public var body: String?
    public var source: String?
    /// True when it reset the stall clock.
    public var progress: Bool
    /// For a run's end: how long the run took, in seconds.
    public var duration: Double?

    enum CodingKeys: String, CodingKey {
        case kind, at, value, body, source, progress, duration
        case runID = "run_id"
    }

    public init(_ stored: StoredSignal) {
        kind = stored.signal.kind.rawValue
        at = stored.signal.at
        value = stored.signal.value
        runID = stored.signal.runID?.uuidString.lowercased()
        body = stored.signal.body
        source = stored.signal.source
        progress = stored.isProgress
        duration = stored.runDuration
    }
}
