import Foundation
import VigilCore
import VigilEngine
import VigilStore

/// What `/events` sends about a monitor after each step: its view now, and the signal and changes of the step.
struct LiveUpdate: Encodable, Sendable {
    struct SignalLine: Encodable, Sendable {
        var kind: String
        var at: Date
        var progress: Bool
        var failure: Bool
        var value: Double?
    }

    struct Change: Encodable, Sendable {
        var from: String
        var to: String
        var at: Date
        var reason: String
    }

    var id: String
    var slug: String
    var state: String
    var running: Bool
    var lastProgress: Date?
    var lastSignal: Date?
    var nextDeadline: Date?
    var since: Date
    var incidentID: String?
    var signal: SignalLine?
    var changes: [Change]
    /// Steps of this monitor folded into this one because the client was slower than the monitor.
    var skipped: Int

    enum CodingKeys: String, CodingKey {
        case id, slug, state, running, since, signal, changes, skipped
        case lastProgress = "last_progress"
        case lastSignal = "last_signal"
        case nextDeadline = "next_deadline"
        case incidentID = "incident_id"
    }

    /// The monitor as it stands, without a step.
    init(_ snapshot: Engine.Snapshot) {
        self.init(snapshot.monitor, state: snapshot.state, deadline: snapshot.deadline)
    }

    /// The monitor after one step.
    init(_ monitor: Monitor, batch: ChangeBatch) {
        self.init(monitor, state: batch.state, deadline: Detector(monitor: monitor).deadline(of: batch.state))
        signal = batch.signal.map { signal in
            SignalLine(
                kind: signal.kind.rawValue, at: signal.at, progress: batch.verdict?.isProgress ?? false,
                failure: signal.kind.isFailure, value: signal.value)
        }
        changes = batch.effects.compactMap { effect in
            guard case .changed(let change) = effect else { return nil }
            return Change(from: change.from.rawValue, to: change.to.rawValue, at: change.at, reason: change.reason)
        }
    }

    private init(_ monitor: Monitor, state: MonitorState, deadline: Date?) {
        id = monitor.id.uuidString.lowercased()
        slug = monitor.slug
        self.state = state.status.rawValue
        running = state.isRunning
        lastProgress = state.lastProgressAt
        lastSignal = state.lastSignalAt
        nextDeadline = deadline
        since = state.since
        incidentID = state.incident?.id.uuidString.lowercased()
        signal = nil
        changes = []
        skipped = 0
    }

    /// Folds an older update of the same monitor into this newer one: the state is this one's, the status
    /// changes of both are kept, and the older signal is counted as skipped.
    mutating func absorb(older: LiveUpdate) {
        // A flapping monitor and a stalled client must not grow this without bound.
        changes = Array((older.changes + changes).suffix(20))
        skipped += older.skipped + (older.signal == nil ? 0 : 1)
        if signal == nil, let olderSignal = older.signal {
            signal = olderSignal
            skipped -= 1
        }
    }
}

/// A journal line besides status changes (a diagnosis, an attempt, an escalation), for the monitor page.
struct LiveJournalLine: Encodable, Sendable {
    var id: String
    var slug: String
    var event: String
    var at: Date
    var detail: String
    var incidentID: String?

    enum CodingKeys: String, CodingKey {
        case id, slug, event, at, detail
        case incidentID = "incident_id"
    }

    init(_ monitor: Monitor, record: JournalRecord) {
        id = monitor.id.uuidString.lowercased()
        slug = monitor.slug
        event = record.event.rawValue
        at = record.at
        detail = record.detail
        incidentID = record.incidentID?.uuidString.lowercased()
    }
}
