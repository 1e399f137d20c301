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

    enum CodingKeys: String, CodingKey {
        case slug, key, state, running, schedule, grace, due, origin, tags
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

    /// The encoder of every API response: ISO 8601 dates with milliseconds, sorted keys.
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)))
        }
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }()

    /// Reads what `encoder` wrote.
    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
            if let date = try? style.parse(text) { return date }
            return try Date.ISO8601FormatStyle().parse(text)
        }
        return decoder
    }()
}
