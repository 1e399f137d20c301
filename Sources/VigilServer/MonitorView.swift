import Foundation
import VigilCore
import VigilEngine

/// A monitor as the API shows it; `vigil status --json` prints these.
public struct MonitorView: Codable, Sendable, Hashable {
    /// The monitor's stable id.
    public var id: String
    public var slug: String
    public var name: String
    public var desc: String
    /// The ping key; `nil` for a read-only API key, which never sees ping keys.
    public var key: String?
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
    /// The ping URL; `nil` for a read-only API key.
    public var pingURL: String?
    public var origin: String
    /// False for monitors declared in the configuration file, which only the file changes.
    public var editable: Bool
    public var tags: [String]
    /// The calibrated deadline's one-sentence reason, for a monitor with `calibrate: suggest` or `auto`.
    public var calibration: String?

    enum CodingKeys: String, CodingKey {
        case id, slug, name, desc, key, state, running, schedule, grace, due, origin, editable, tags, calibration
        case lastSignal = "last_signal"
        case lastProgress = "last_progress"
        case nextDeadline = "next_deadline"
        case incidentID = "incident_id"
        case pingURL = "ping_url"
    }

    public init(_ snapshot: Engine.Snapshot) {
        let monitor = snapshot.monitor
        id = monitor.id.uuidString.lowercased()
        slug = monitor.slug
        name = monitor.name
        desc = monitor.desc
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
        editable = monitor.origin != .config
        tags = monitor.tags
    }

    /// The view as a request with this access may see it: without ping key and ping URL for a read-only key.
    func visible(to access: AccessLevel?) -> MonitorView {
        guard access != .readWrite else { return self }
        var view = self
        view.key = nil
        view.pingURL = nil
        return view
    }

    /// Writes every key, with `null` for a missing date, so that scripts can rely on the fields being there.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(slug, forKey: .slug)
        try container.encode(name, forKey: .name)
        try container.encode(desc, forKey: .desc)
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
        try container.encode(editable, forKey: .editable)
        try container.encode(tags, forKey: .tags)
        try container.encodeIfPresent(calibration, forKey: .calibration)
    }
}
