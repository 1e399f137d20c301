import Foundation

/// Where a monitor stands; a pure function of its signals, its rules and the time.
public enum MonitorStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Declared, never signalled progress; not watched yet (as healthchecks.io's "new").
    case new
    /// Progress arrived and the next is not due yet.
    case up
    /// Progress is past due and the grace period is running.
    case late
    /// No progress within due time plus grace, or a started run overran its limit.
    case stalled
    /// An explicit failure: a `fail` signal or a non-zero exit status.
    case failing
    /// A person paused it; no deadlines until it is resumed or pinged.
    case paused
    /// A recovery action is under way, or Vigil waits for progress after one.
    case recovering

    /// States with an open incident.
    public var isIncident: Bool { self == .stalled || self == .failing || self == .recovering }
}

/// The runtime state of one monitor, persisted after every change.
public struct MonitorState: Sendable, Hashable {
    public var status: MonitorStatus
    /// When the current status truly began.
    public var since: Date
    public var lastSignalAt: Date?
    public var lastProgressAt: Date?
    /// The last value seen for each advancing kind.
    public var lastValues: [String: Double]
    /// Started runs that have not ended, by run id (`""` for a start without one).
    public var runs: [String: Date]
    /// The incident that is open, if any.
    public var incident: Incident?
    /// Grows by one with every persisted change; the store keeps only the newest revision.
    public var revision: Int64

    public init(
        status: MonitorStatus,
        since: Date,
        lastSignalAt: Date? = nil,
        lastProgressAt: Date? = nil,
        lastValues: [String: Double] = [:],
        runs: [String: Date] = [:],
        incident: Incident? = nil,
        revision: Int64 = 0
    ) {
        self.status = status
        self.since = since
        self.lastSignalAt = lastSignalAt
        self.lastProgressAt = lastProgressAt
        self.lastValues = lastValues
        self.runs = runs
        self.incident = incident
        self.revision = revision
    }

    /// The state of a monitor that was just declared.
    public static func new(at date: Date) -> MonitorState {
        MonitorState(status: .new, since: date)
    }

    /// True while a started run has not ended.
    public var isRunning: Bool { !runs.isEmpty }
}

/// Why an incident opened.
public enum IncidentCause: String, Sendable, Hashable, Codable {
    /// No progress by the deadline plus grace.
    case stall
    /// A started run did not end within its limit.
    case overrun
    /// An explicit failure signal.
    case failure
}

/// One stall or failure, from onset to resolution.
public struct Incident: Sendable, Hashable, Identifiable {
    public var id: UUID
    public var monitorID: UUID
    public var cause: IncidentCause
    /// When it truly began: the missed due time, the run's limit, or the failure signal.
    public var onset: Date
    /// When Vigil noticed.
    public var detectedAt: Date
    public var resolvedAt: Date?
    /// How it ended: `progress`, `paused`, `removed`.
    public var resolution: String?

    public init(
        id: UUID,
        monitorID: UUID,
        cause: IncidentCause,
        onset: Date,
        detectedAt: Date,
        resolvedAt: Date? = nil,
        resolution: String? = nil
    ) {
        self.id = id
        self.monitorID = monitorID
        self.cause = cause
        self.onset = onset
        self.detectedAt = detectedAt
        self.resolvedAt = resolvedAt
        self.resolution = resolution
    }
}

/// A change of status, stamped with the moment it truly happened.
public struct StateChange: Sendable, Hashable {
    public var monitorID: UUID
    public var from: MonitorStatus
    public var to: MonitorStatus
    /// When the change truly happened (a stall at its deadline, not when it was noticed).
    public var at: Date
    /// When Vigil noticed; later than `at` when Vigil was down or busy.
    public var noticedAt: Date
    public var incidentID: UUID?
    /// One human sentence on why.
    public var reason: String

    public init(
        monitorID: UUID,
        from: MonitorStatus,
        to: MonitorStatus,
        at: Date,
        noticedAt: Date,
        incidentID: UUID?,
        reason: String
    ) {
        self.monitorID = monitorID
        self.from = from
        self.to = to
        self.at = at
        self.noticedAt = noticedAt
        self.incidentID = incidentID
        self.reason = reason
    }
}
