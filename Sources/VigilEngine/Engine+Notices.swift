import Foundation
import VigilCore
import VigilStore

/// The JSON body of a webhook notice.
public struct NoticePayload: Codable, Sendable, Hashable {
    public var event: String
    public var monitor: String
    public var monitorID: String
    public var oldState: String
    public var newState: String
    /// When the change truly happened.
    public var at: Date
    /// When Vigil noticed it.
    public var noticedAt: Date
    /// When the incident began, if the change belongs to one.
    public var onset: Date?
    public var incidentID: String?
    public var reason: String
    public var pingURL: String
    public var tags: [String]

    /// A notice's fields, for channels and escalation to render.
    public init(
        event: String,
        monitor: String,
        monitorID: String,
        oldState: String,
        newState: String,
        at: Date,
        noticedAt: Date,
        onset: Date? = nil,
        incidentID: String? = nil,
        reason: String,
        pingURL: String,
        tags: [String] = []
    ) {
        self.event = event
        self.monitor = monitor
        self.monitorID = monitorID
        self.oldState = oldState
        self.newState = newState
        self.at = at
        self.noticedAt = noticedAt
        self.onset = onset
        self.incidentID = incidentID
        self.reason = reason
        self.pingURL = pingURL
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case event, monitor, reason, tags, at, onset
        case monitorID = "monitor_id"
        case oldState = "old_state"
        case newState = "new_state"
        case noticedAt = "noticed_at"
        case incidentID = "incident_id"
        case pingURL = "ping_url"
    }
}

extension Engine {
    /// One notice per status change and notify target; the key stays the same if the step is ever replayed.
    func notices(for effects: [Effect], of monitor: Monitor, state: MonitorState, revision: Int64) -> [Notice] {
        guard !settings.notify.isEmpty else { return [] }
        var onsets: [UUID: Date] = [:]
        if let incident = state.incident { onsets[incident.id] = incident.onset }
        for effect in effects {
            switch effect {
            case .opened(let incident), .resolved(let incident): onsets[incident.id] = incident.onset
            case .changed: break
            }
        }
        var notices: [Notice] = []
        for (index, effect) in effects.enumerated() {
            guard case .changed(let change) = effect else { continue }
            let payload = NoticePayload(
                event: "state_changed",
                monitor: monitor.slug,
                monitorID: monitor.id.uuidString.lowercased(),
                oldState: change.from.rawValue,
                newState: change.to.rawValue,
                at: change.at,
                noticedAt: change.noticedAt,
                onset: change.incidentID.flatMap { onsets[$0] },
                incidentID: change.incidentID?.uuidString.lowercased(),
                reason: change.reason,
                pingURL: pingURL(for: monitor),
                tags: monitor.tags
            )
            for (targetIndex, target) in settings.notify.enumerated() {
                let key = "\(monitor.id.uuidString.lowercased()).\(revision).\(index).\(targetIndex)"
                if let notice = target.channel.notice(for: payload, idempotencyKey: key, createdAt: change.noticedAt) {
                    notices.append(notice)
                }
            }
        }
        return notices
    }

}
