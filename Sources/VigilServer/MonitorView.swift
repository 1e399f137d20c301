import Foundation
import NIOCore
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
        schedule = Self.text(of: monitor.schedule)
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

extension MonitorView {
    /// A monitor list as JSON: byte for byte what `VigilJSON.prettyEncoder` makes of the same views (each with its
    /// `calibration` and `visible(to:)` applied), written without building them, because 10 000 views and
    /// Foundation's encoder took half a second.
    /// - Parameters:
    ///   - snapshots: the monitors, in the order to list them.
    ///   - access: the request's access; ping keys and ping URLs only for read-write.
    ///   - calibration: the reason of a monitor's calibrated deadline, by monitor id; `nil` when it has none.
    static func listJSON(
        _ snapshots: [Engine.Snapshot], visibleTo access: AccessLevel?, calibration: (UUID) -> String?
    ) -> ByteBuffer {
        let showsKeys = access == .readWrite
        // Most monitors share a few periods and graces; their text is made once.
        var durations: [TimeInterval: String] = [:]
        var periods: [TimeInterval: String] = [:]
        func duration(_ seconds: TimeInterval) -> String {
            if let text = durations[seconds] { return text }
            let text = DurationFormat.format(seconds)
            durations[seconds] = text
            return text
        }
        var json = JSONWriter(capacity: 700 * snapshots.count + 16)
        json.write(atMost: JSONWriter.roomPerValue) { $0.beginArray() }
        for snapshot in snapshots {
            let monitor = snapshot.monitor
            let state = snapshot.state
            let calibrated = calibration(monitor.id)
            let grace = duration(monitor.grace)
            let schedule: String
            switch monitor.schedule {
            case .every(let period):
                if let text = periods[period] {
                    schedule = text
                } else {
                    schedule = text(of: monitor.schedule)
                    periods[period] = schedule
                }
            case .cron:
                schedule = text(of: monitor.schedule)
            }
            let pingURL = showsKeys ? snapshot.pingURL : nil
            // 19 keys and their values, the object's brackets and each tag on its own line.
            var room = JSONWriter.roomPerValue * (2 * 19 + 2 + 2 + monitor.tags.count)
            room += JSONWriter.room(for: calibrated ?? "") + JSONWriter.room(for: monitor.desc)
                + JSONWriter.room(for: grace) + JSONWriter.room(for: monitor.name)
                + JSONWriter.room(for: monitor.origin.rawValue) + JSONWriter.room(for: pingURL ?? "")
                + JSONWriter.room(for: schedule) + JSONWriter.room(for: monitor.slug)
                + JSONWriter.room(for: state.status.rawValue)
            for tag in monitor.tags { room += JSONWriter.room(for: tag) }
            json.write(atMost: room) { json in
                // Keys in sorted order, as `.sortedKeys` writes them.
                json.beginObject()
                if let calibrated {
                    json.key("calibration")
                    json.string(calibrated)
                }
                json.key("desc")
                json.string(monitor.desc)
                json.key("due")
                json.date(snapshot.due)
                json.key("editable")
                json.bool(monitor.origin != .config)
                json.key("grace")
                json.string(grace)
                json.key("id")
                json.uuid(monitor.id)
                json.key("incident_id")
                json.uuid(state.incident?.id)
                json.key("key")
                json.uuid(showsKeys ? monitor.key : nil)
                json.key("last_progress")
                json.date(state.lastProgressAt)
                json.key("last_signal")
                json.date(state.lastSignalAt)
                json.key("name")
                json.string(monitor.name)
                json.key("next_deadline")
                json.date(snapshot.deadline)
                json.key("origin")
                json.string(monitor.origin.rawValue)
                json.key("ping_url")
                json.string(pingURL)
                json.key("running")
                json.bool(state.isRunning)
                json.key("schedule")
                json.string(schedule)
                json.key("slug")
                json.string(monitor.slug)
                json.key("state")
                json.string(state.status.rawValue)
                json.key("tags")
                json.beginArray()
                for tag in monitor.tags { json.string(tag) }
                json.endArray()
                json.endObject()
            }
        }
        json.write(atMost: JSONWriter.roomPerValue) { $0.endArray() }
        return json.buffer
    }

    /// A schedule as the API shows it: `every 4h`, or the cron expression and its zone.
    static func text(of schedule: Schedule) -> String {
        switch schedule {
        case .every(let period): "every \(DurationFormat.format(period))"
        case .cron(let expression, let zone): "\(expression.source) (\(zone.identifier))"
        }
    }
}
