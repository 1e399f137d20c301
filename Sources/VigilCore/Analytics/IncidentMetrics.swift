import Foundation

/// Who ended an incident.
public enum RecoveredBy: String, Sendable, Hashable, Codable {
    /// Progress resumed on its own or after a recovery action.
    case automatic
    /// A person resolved it: a resolution that starts with `human`, `manual` or `ack`.
    case human
    /// It ended without recovery: paused, removed.
    case none
    /// Still open.
    case open

    /// Resolution `progress` counts as automatic unless it says otherwise.
    public init(resolution: String?, resolved: Bool) {
        guard resolved else {
            self = .open
            return
        }
        let text = (resolution ?? "progress").lowercased()
        if text.hasPrefix("human") || text.hasPrefix("manual") || text.hasPrefix("ack") {
            self = .human
        } else if text == "paused" || text == "removed" {
            self = .none
        } else {
            self = .automatic
        }
    }
}

/// One incident with what analytics group it by.
public struct IncidentRecord: Sendable, Hashable {
    public var incident: Incident
    public var monitorSlug: String
    public var tags: [String]
    /// The root cause the diagnosis named (a blocked capability); `nil` until diagnosis names one.
    public var blocker: String?
    /// The recovery action whose attempt preceded the resolution; `nil` when none ran.
    public var action: String?
    /// Where the monitor lives, for the hour-of-week heatmap; default UTC.
    public var timeZone: TimeZone

    public init(
        incident: Incident, monitorSlug: String, tags: [String] = [], blocker: String? = nil, action: String? = nil,
        timeZone: TimeZone = TimeZone(identifier: "UTC")!
    ) {
        self.incident = incident
        self.monitorSlug = monitorSlug
        self.tags = tags
        self.blocker = blocker
        self.action = action
        self.timeZone = timeZone
    }

    public var recoveredBy: RecoveredBy {
        RecoveredBy(resolution: incident.resolution, resolved: incident.resolvedAt != nil)
    }
}

/// MTTD, MTTR, MTBF and availability of a set of incidents over a range.
public struct IncidentMetrics: Sendable, Hashable, Codable {
    public var incidents: Int
    public var open: Int
    public var recoveredAutomatically: Int
    public var recoveredByHuman: Int
    /// Ended without recovery (paused, removed).
    public var endedOtherwise: Int
    /// Onset to detection.
    public var timeToDetect: DurationStats?
    /// Onset to resolution, over incidents that recovered.
    public var timeToRecover: DurationStats?
    public var timeToRecoverAutomatically: DurationStats?
    public var timeToRecoverByHuman: DurationStats?
    /// Time not in an incident divided by the incidents that began in the range; `nil` without incidents.
    public var meanTimeBetweenFailures: TimeInterval?
    /// Time in an incident within the range, summed over monitors.
    public var downtime: TimeInterval
    /// 1 − downtime / (range × monitors).
    public var availability: Double

    enum CodingKeys: String, CodingKey {
        case incidents, open, downtime, availability
        case recoveredAutomatically = "recovered_automatically"
        case recoveredByHuman = "recovered_by_human"
        case endedOtherwise = "ended_otherwise"
        case timeToDetect = "mttd"
        case timeToRecover = "mttr"
        case timeToRecoverAutomatically = "mttr_automatic"
        case timeToRecoverByHuman = "mttr_human"
        case meanTimeBetweenFailures = "mtbf"
    }

    /// - Parameters:
    ///   - records: incidents of the group; those that do not touch the range are ignored.
    ///   - monitors: how many monitors the group spans, for availability and MTBF.
    ///   - range: the period reported; an open incident lasts to its end.
    public init(_ records: [IncidentRecord], monitors: Int, range: TimeRange) {
        let touching = records.filter { record in
            let end = record.incident.resolvedAt ?? range.end
            return record.incident.onset < range.end && end >= range.start
        }
        let started = touching.filter { $0.incident.onset >= range.start }
        incidents = started.count
        open = touching.count { $0.incident.resolvedAt == nil }
        recoveredAutomatically = started.count { $0.recoveredBy == .automatic }
        recoveredByHuman = started.count { $0.recoveredBy == .human }
        endedOtherwise = started.count { $0.recoveredBy == .none }
        timeToDetect = DurationStats(started.map { $0.incident.detectedAt.timeIntervalSince($0.incident.onset) })
        func recoveryTimes(_ kinds: Set<RecoveredBy>) -> [TimeInterval] {
            started.filter { kinds.contains($0.recoveredBy) }.compactMap { record in
                record.incident.resolvedAt.map { $0.timeIntervalSince(record.incident.onset) }
            }
        }
        timeToRecover = DurationStats(recoveryTimes([.automatic, .human]))
        timeToRecoverAutomatically = DurationStats(recoveryTimes([.automatic]))
        timeToRecoverByHuman = DurationStats(recoveryTimes([.human]))
        downtime = touching.reduce(0) { total, record in
            total + range.overlap(from: record.incident.onset, to: record.incident.resolvedAt ?? range.end)
        }
        let exposure = range.duration * Double(max(1, monitors))
        availability = exposure > 0 ? max(0, 1 - downtime / exposure) : 1
        meanTimeBetweenFailures = incidents > 0 ? max(0, exposure - downtime) / Double(incidents) : nil
    }
}
