import Foundation
import VigilCore
import VigilEngine

/// A monitor as the API shows it; `vigil status --json` prints these.
public struct MonitorView: Codable, Sendable, Hashable {
    public var slug: String
    public var key: String
    public var state: String
    public var running: Bool
    public var schedule: String
    public var grace: String
    public var lastSignal: Date?
    public var lastProgress: Date?
    /// When progress is next due.
    public var due: Date?
    /// When the state changes next without a signal (due time, end of grace, or a run's limit).
    public var nextDeadline: Date?
    public var incidentID: String?
    public var pingURL: String
    public var origin: String
    public var tags: [String]
    /// The calibrated deadline's one-sentence reason, for a monitor with `calibrate: suggest` or `auto`.
    public var calibration: String?

    enum CodingKeys: String, CodingKey {
        case slug, key, state, running, schedule, grace, due, origin, tags, calibration
        case lastSignal = "last_signal"
        case lastProgress = "last_progress"
        case nextDeadline = "next_deadline"
        case incidentID = "incident_id"
        case pingURL = "ping_url"
    }

    public init(_ snapshot: Engine.Snapshot) {
        let monitor = snapshot.monitor
        slug = monitor.slug
        key = monitor.key.uuidString.lowercased()
        state = snapshot.state.status.rawValue
        running = snapshot.state.isRunning
        schedule = switch monitor.schedule {
        case .every(let period): "every \(DurationFormat.format(period))"
        case .cron(let expression, let zone): "\(expression.source) (\(zone.identifier))"
        }
        grace = DurationFormat.format(monitor.grace)
        lastSignal = snapshot.state.lastSignalAt
        lastProgress = snapshot.state.lastProgressAt
        due = snapshot.due
        nextDeadline = snapshot.deadline
        incidentID = snapshot.state.incident?.id.uuidString.lowercased()
        pingURL = snapshot.pingURL
        origin = monitor.origin.rawValue
        tags = monitor.tags
    }

    /// Writes every key, with `null` for a missing date, so that scripts can rely on the fields being there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(slug, forKey: .slug)
        try container.encode(key, forKey: .key)
        try container.encode(state, forKey: .state)
        try container.encode(running, forKey: .running)
        try container.encode(schedule, forKey: .schedule)
        try container.encode(grace, forKey: .grace)
        try container.encode(lastSignal, forKey: .lastSignal)
        try container.encode(lastProgress, forKey: .lastProgress)
        try container.encode(due, forKey: .due)
        try container.encode(nextDeadline, forKey: .nextDeadline)
        try container.encode(incidentID, forKey: .incidentID)
        try container.encode(pingURL, forKey: .pingURL)
        try container.encode(origin, forKey: .origin)
        try container.encode(tags, forKey: .tags)
        try container.encodeIfPresent(calibration, forKey: .calibration)
    }
}
