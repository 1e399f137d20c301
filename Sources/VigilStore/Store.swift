import Foundation
import VigilCore

/// Vigil's persistence: one protocol that the embedded SQLite store and, later, PostgreSQL fulfil.
///
/// Every write that acknowledges something (a signal, a state change) returns only after it is durable.
public protocol Store: Sendable {
    /// Every monitor that is not archived, with its last persisted state.
    func loadMonitors() async throws(StoreError) -> [StoredMonitor]

    /// Every monitor that is not archived, handed to `body` one at a time as it is read, so that a million never
    /// sit in an array; `expecting` learns first how many will come. The order is the order they were added in.
    func loadMonitors(
        expecting: @escaping @Sendable (Int) -> Void,
        each body: @escaping @Sendable (StoredMonitor) -> Void
    ) async throws(StoreError)

    /// Adds or updates a monitor's definition; its state is written only when it has none yet.
    func saveMonitor(_ monitor: Monitor, initialState: MonitorState) async throws(StoreError)

    /// Takes a monitor out of service, keeping its history.
    func archiveMonitor(id: UUID) async throws(StoreError)

    /// The journal's counts for `/metrics`; `lagBounds` are the detection-lag histogram's bucket bounds in seconds.
    func metrics(lagBounds: [Double]) async throws(StoreError) -> StoreMetrics

    /// Keeps a new API key's digest.
    func saveAPIKey(_ key: StoredAPIKey) async throws(StoreError)

    /// The API key with this digest, unless it was revoked.
    func apiKey(hash: String) async throws(StoreError) -> StoredAPIKey?

    /// Every API key that was not revoked, oldest first.
    func apiKeys() async throws(StoreError) -> [StoredAPIKey]

    /// Revokes a key; false when no such key was in force.
    func revokeAPIKey(id: UUID, at: Date) async throws(StoreError) -> Bool

    /// The server secret of this name, made by `make` and kept the first time it is asked for.
    func secret(named name: String, orCreate make: @escaping @Sendable () -> [UInt8]) async throws(StoreError)
        -> [UInt8]

    /// Makes one step of a monitor durable: its state (kept only if newer), the signal, journal and incidents,
    /// and the notices to send. Concurrent calls are committed together in one transaction.
    func commit(_ batch: ChangeBatch) async throws(StoreError)

    /// Like `commit`, for callers that must not wait in a task (an event loop): `completion` runs once the step is
    /// durable or has failed, on a thread of the store's, so it must not block.
    func commit(_ batch: ChangeBatch, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void)

    /// Adds what runs on the store's thread each time the completions of one group commit (`commit(_:completion:)`)
    /// have run, so that what they gathered can be handed on in one go.
    func afterEachGroup(_ body: @escaping @Sendable () -> Void)

    /// The newest signals of a monitor, newest first.
    func signals(monitorID: UUID, limit: Int) async throws(StoreError) -> [StoredSignal]

    /// The newest journal entries, newest first; all monitors when `monitorID` is nil.
    func journal(monitorID: UUID?, limit: Int) async throws(StoreError) -> [JournalEntry]

    /// The newest incidents, newest first; all monitors when `monitorID` is nil.
    func incidents(monitorID: UUID?, limit: Int) async throws(StoreError) -> [Incident]

    /// Incidents that overlap `[from, to)`, newest onset first, at most `limit`; all monitors when `monitorID` is nil.
    func incidents(monitorID: UUID?, from: Date, to: Date, limit: Int) async throws(StoreError) -> [Incident]

    /// Progress signals in `[from, to)` from the bounded progress history, oldest first: the newest `limit`.
    func progress(monitorID: UUID?, from: Date, to: Date, limit: Int) async throws(StoreError) -> [ProgressEvent]

    /// Notices not yet delivered whose next attempt is due at `now`, oldest first.
    func dueNotices(at now: Date, limit: Int) async throws(StoreError) -> [Notice]

    /// The earliest next attempt among undelivered notices.
    func nextNoticeAttempt() async throws(StoreError) -> Date?

    /// Records a delivery attempt: delivered, or failed with the time of the next try.
    func recordAttempt(noticeID: Int64, outcome: NoticeOutcome) async throws(StoreError)

    /// Records several delivery attempts, by notice id, in one transaction.
    func recordAttempts(_ outcomes: [Int64: NoticeOutcome]) async throws(StoreError)

    /// How many notices wait to be delivered.
    func pendingNoticeCount() async throws(StoreError) -> Int

    // MARK: Recovery

    /// Appends journal lines that are not status changes (diagnoses, attempts, escalations), with their notices.
    func appendJournal(_ records: [JournalRecord], notices: [Notice]) async throws(StoreError)

    /// Adds or updates one attempt of an incident's recovery (keyed by incident and number).
    func saveAttempt(_ attempt: RecoveryAttempt, incidentID: UUID, monitorID: UUID) async throws(StoreError)

    /// Stores the diagnosis made for an incident and its root causes.
    func saveDiagnosis(_ diagnosis: Diagnosis, incidentID: UUID) async throws(StoreError)

    /// Appends journal lines with their notices and stores diagnoses, all in one transaction.
    func appendJournal(
        _ records: [JournalRecord], notices: [Notice], diagnoses: [IncidentDiagnosis]
    ) async throws(StoreError)

    /// The attempts and diagnoses of one incident, oldest first.
    func recoveryRecord(incidentID: UUID) async throws(StoreError) -> RecoveryRecord

    /// Marks an open incident acknowledged; false when it is unknown, resolved or acknowledged already.
    func acknowledge(incidentID: UUID, at: Date, by who: String) async throws(StoreError) -> Bool

    /// One incident by id, or by a unique prefix of at least 6 characters of its id.
    func incident(matching idOrPrefix: String) async throws(StoreError) -> Incident?
}

extension Store {
    /// Streams what `loadMonitors()` returns, for stores that cannot do better.
    public func loadMonitors(
        expecting: @escaping @Sendable (Int) -> Void,
        each body: @escaping @Sendable (StoredMonitor) -> Void
    ) async throws(StoreError) {
        let all = try await loadMonitors()
        expecting(all.count)
        for item in all { body(item) }
    }
}

/// A journal line to append: what happened to a monitor besides its status.
public struct JournalRecord: Sendable, Hashable {
    public var monitorID: UUID
    public var event: JournalEntry.Event
    public var at: Date
    public var incidentID: UUID?
    public var detail: String

    public init(monitorID: UUID, event: JournalEntry.Event, at: Date, incidentID: UUID?, detail: String) {
        self.monitorID = monitorID
        self.event = event
        self.at = at
        self.incidentID = incidentID
        self.detail = detail
    }
}

/// What was tried for an incident.
public struct RecoveryRecord: Sendable, Hashable {
    public var attempts: [RecoveryAttempt]
    public var diagnoses: [Diagnosis]
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String?

    public init(attempts: [RecoveryAttempt], diagnoses: [Diagnosis], acknowledgedAt: Date?, acknowledgedBy: String?) {
        self.attempts = attempts
        self.diagnoses = diagnoses
        self.acknowledgedAt = acknowledgedAt
        self.acknowledgedBy = acknowledgedBy
    }
}

/// A monitor as persisted, with its state.
public struct StoredMonitor: Sendable, Hashable {
    public var monitor: Monitor
    public var state: MonitorState

    public init(monitor: Monitor, state: MonitorState) {
        self.monitor = monitor
        self.state = state
    }
}

/// One step of one monitor, committed atomically.
public struct ChangeBatch: Sendable, Hashable {
    public var monitorID: UUID
    /// The state after the step; the store keeps it only when its revision is newer than the stored one.
    public var state: MonitorState
    public var signal: Signal?
    public var verdict: SignalVerdict?
    /// Status changes and incidents to journal.
    public var effects: [Effect]
    /// Notices to put in the outbox.
    public var notices: [Notice]
    /// True when the step changed only the status, its `since` and the open incident of the state one revision
    /// before (no signal, values, runs or signal times), so that a store may write just those. Default false.
    public var statusOnly: Bool

    public init(
        monitorID: UUID,
        state: MonitorState,
        signal: Signal? = nil,
        verdict: SignalVerdict? = nil,
        effects: [Effect] = [],
        notices: [Notice] = [],
        statusOnly: Bool = false
    ) {
        self.monitorID = monitorID
        self.state = state
        self.signal = signal
        self.verdict = verdict
        self.effects = effects
        self.notices = notices
        self.statusOnly = statusOnly
    }
}

/// A signal as kept.
public struct StoredSignal: Sendable, Hashable {
    public var sequence: Int64
    public var monitorID: UUID
    public var signal: Signal
    public var isProgress: Bool
    public var runDuration: TimeInterval?
}

/// One journal line: a status change or an incident event.
public struct JournalEntry: Sendable, Hashable {
    public enum Event: String, Sendable, Hashable {
        case stateChanged = "state"
        case incidentOpened = "incident.opened"
        case incidentResolved = "incident.resolved"
        case diagnosis
        case attemptStarted = "attempt.started"
        case attemptFinished = "attempt.finished"
        case recovery
        case escalated
        case acknowledged
        case guardTripped = "guard.tripped"
        case guardResumed = "guard.resumed"
    }

    public var sequence: Int64
    public var monitorID: UUID
    public var event: Event
    /// When it truly happened.
    public var at: Date
    /// When Vigil noticed.
    public var noticedAt: Date
    public var from: MonitorStatus?
    public var to: MonitorStatus?
    public var incidentID: UUID?
    public var detail: String
}

/// A message waiting in the durable outbox.
public struct Notice: Sendable, Hashable {
    public var id: Int64?
    /// Sent as `Idempotency-Key`, so a receiver can drop a repeat.
    public var idempotencyKey: String
    /// The kind of channel, e.g. `webhook`.
    public var channel: String
    /// Where it goes: a URL for a webhook.
    public var target: String
    /// The body, JSON for a webhook.
    public var payload: Data
    public var createdAt: Date
    public var attempts: Int
    public var nextAttemptAt: Date

    public init(
        id: Int64? = nil,
        idempotencyKey: String,
        channel: String,
        target: String,
        payload: Data,
        createdAt: Date,
        attempts: Int = 0,
        nextAttemptAt: Date
    ) {
        self.id = id
        self.idempotencyKey = idempotencyKey
        self.channel = channel
        self.target = target
        self.payload = payload
        self.createdAt = createdAt
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
    }
}

/// What came of one delivery attempt.
public enum NoticeOutcome: Sendable, Hashable {
    case delivered(at: Date)
    case failed(error: String, nextAttemptAt: Date)
}

/// A diagnosis made for an incident, to store with other recovery writes.
public struct IncidentDiagnosis: Sendable, Hashable {
    public var incidentID: UUID
    public var diagnosis: Diagnosis

    public init(incidentID: UUID, diagnosis: Diagnosis) {
        self.incidentID = incidentID
        self.diagnosis = diagnosis
    }
}

// One write per item, for stores that have nothing better; the SQLite store writes each group in one transaction.
extension Store {
    public func recordAttempts(_ outcomes: [Int64: NoticeOutcome]) async throws(StoreError) {
        for (id, outcome) in outcomes { try await recordAttempt(noticeID: id, outcome: outcome) }
    }

    public func appendJournal(
        _ records: [JournalRecord], notices: [Notice], diagnoses: [IncidentDiagnosis]
    ) async throws(StoreError) {
        for item in diagnoses { try await saveDiagnosis(item.diagnosis, incidentID: item.incidentID) }
        try await appendJournal(records, notices: notices)
    }
}
