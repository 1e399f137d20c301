import Foundation

/// The stall detector of one monitor: a pure state machine over signals and time.
///
/// `handle` and `advance` never read a clock: the time is the signal's or the one passed in, and new incident ids
/// come from the caller, so the same input always gives the same decision.
public struct Detector: Sendable {
    public let monitor: Monitor

    public init(monitor: Monitor) {
        self.monitor = monitor
    }

    /// Applies every change that time alone causes up to `now`, each stamped with the moment it truly happened.
    public func advance(
        _ state: MonitorState,
        to now: Date,
        newIncidentID: () -> UUID
    ) -> Decision {
        var state = state
        var effects: [Effect] = []
        while let next = nextTimedChange(in: state), next.at <= now {
            apply(next, to: &state, noticedAt: now, effects: &effects, newIncidentID: newIncidentID)
        }
        return Decision(state: state, effects: effects, deadline: deadline(of: state), verdict: nil)
    }

    /// Catches up with time to the signal's moment, then applies the signal.
    public func handle(
        _ signal: Signal,
        in state: MonitorState,
        newIncidentID: () -> UUID
    ) -> Decision {
        let caughtUp = advance(state, to: signal.at, newIncidentID: newIncidentID)
        var state = caughtUp.state
        var effects = caughtUp.effects
        let at = signal.at
        state.lastSignalAt = max(state.lastSignalAt ?? at, at)

        let runKey = signal.runID?.uuidString ?? ""
        var runDuration: TimeInterval?
        if signal.kind == .start {
            state.runs[runKey] = at
        } else if signal.kind.endsRun {
            // An end without a run id closes the run that started last, whatever its id, as a wrapper that
            // forgot the id on its last ping means.
            let key = state.runs[runKey] != nil || signal.runID != nil
                ? runKey : state.runs.max { $0.value < $1.value }?.key
            if let key, let started = state.runs.removeValue(forKey: key) {
                runDuration = at.timeIntervalSince(started)
            }
        }

        let isProgress = countsAsProgress(signal, state: &state)
        if signal.kind.isFailure {
            if state.status != .failing {
                let incident = state.incident ?? openIncident(
                    cause: .failure, onset: at, noticedAt: at, newIncidentID: newIncidentID, effects: &effects
                )
                state.incident = incident
                change(&state, to: .failing, at: at, noticedAt: at,
                       reason: "the run reported failure (\(signal.kind))", effects: &effects)
            }
        } else if isProgress {
            // Racing pings can arrive out of order; an earlier one must not move the due time back.
            state.lastProgressAt = max(state.lastProgressAt ?? at, at)
            if state.status != .up {
                change(&state, to: .up, at: at, noticedAt: at,
                       reason: "progress: \(signal.kind)", effects: &effects)
            }
            if let incident = state.incident {
                effects.append(.resolved(resolve(incident, at: at, resolution: "progress")))
                state.incident = nil
            }
        } else if state.status == .paused, signal.kind == .start || signal.kind.endsRun {
            // A run's own ping resumes a paused monitor, as on healthchecks.io; it waits for progress again.
            change(&state, to: .new, at: at, noticedAt: at, reason: "resumed by a \(signal.kind) ping", effects: &effects)
        }

        return Decision(
            state: state,
            effects: effects,
            deadline: deadline(of: state),
            verdict: SignalVerdict(isProgress: isProgress, runDuration: runDuration)
        )
    }

    /// Pauses the monitor: no deadlines, and an open incident ends as paused.
    public func pause(_ state: MonitorState, at now: Date) -> Decision {
        var state = state
        var effects: [Effect] = []
        guard state.status != .paused else {
            return Decision(state: state, effects: [], deadline: nil, verdict: nil)
        }
        state.runs = [:]
        change(&state, to: .paused, at: now, noticedAt: now, reason: "paused", effects: &effects)
        if let incident = state.incident {
            effects.append(.resolved(resolve(incident, at: now, resolution: "paused")))
            state.incident = nil
        }
        return Decision(state: state, effects: effects, deadline: nil, verdict: nil)
    }

    /// Resumes a paused monitor; it waits for its next progress as a new one does.
    public func resume(_ state: MonitorState, at now: Date) -> Decision {
        var state = state
        var effects: [Effect] = []
        if state.status == .paused {
            change(&state, to: .new, at: now, noticedAt: now, reason: "resumed", effects: &effects)
        }
        return Decision(state: state, effects: effects, deadline: deadline(of: state), verdict: nil)
    }

    /// A recovery action started for the open incident: `stalled` or `failing` becomes `recovering`.
    public func beginRecovery(_ state: MonitorState, action: String, at now: Date) -> Decision {
        var state = state
        var effects: [Effect] = []
        if state.incident != nil, state.status == .stalled || state.status == .failing {
            change(&state, to: .recovering, at: now, noticedAt: now, reason: "recovery: running \(action)",
                   effects: &effects)
        }
        return Decision(state: state, effects: effects, deadline: deadline(of: state), verdict: nil)
    }

    /// The recovery attempt is over without progress: back to `stalled` or `failing`, as the incident began.
    public func endRecovery(_ state: MonitorState, reason: String, at now: Date) -> Decision {
        var state = state
        var effects: [Effect] = []
        if state.status == .recovering, let incident = state.incident {
            change(&state, to: incident.cause == .failure ? .failing : .stalled, at: now, noticedAt: now,
                   reason: reason, effects: &effects)
        }
        return Decision(state: state, effects: effects, deadline: deadline(of: state), verdict: nil)
    }

    /// When the state would change next without any signal.
    public func deadline(of state: MonitorState) -> Date? {
        nextTimedChange(in: state)?.at
    }

    /// When progress is next due, or `nil` before the first progress.
    public func due(in state: MonitorState) -> Date? {
        state.lastProgressAt.map { monitor.schedule.nextDue(after: $0) }
    }

    // MARK: - Time-driven changes

    private struct TimedChange {
        enum Kind { case late, stalled, overrun(runKey: String) }
        var kind: Kind
        var at: Date
    }

    private func nextTimedChange(in state: MonitorState) -> TimedChange? {
        switch state.status {
        case .paused, .stalled, .failing, .recovering:
            return nil
        case .new, .up, .late:
            break
        }
        // While a run is under way its own limit governs, so a long legitimate run is not called a stall.
        if let (runKey, started) = state.runs.min(by: { $0.value < $1.value }) {
            return TimedChange(kind: .overrun(runKey: runKey), at: started.addingTimeInterval(monitor.runLimit))
        }
        guard let due = due(in: state) else { return nil }
        switch state.status {
        case .up where monitor.grace > 0:
            return TimedChange(kind: .late, at: due)
        case .up, .late:
            return TimedChange(kind: .stalled, at: due.addingTimeInterval(monitor.grace))
        default:
            return nil
        }
    }

    private func apply(
        _ timed: TimedChange,
        to state: inout MonitorState,
        noticedAt: Date,
        effects: inout [Effect],
        newIncidentID: () -> UUID
    ) {
        switch timed.kind {
        case .late:
            change(&state, to: .late, at: timed.at, noticedAt: noticedAt,
                   reason: "progress was due at \(Self.stamp(timed.at))", effects: &effects)
        case .stalled:
            let onset = due(in: state) ?? timed.at
            state.incident = openIncident(
                cause: .stall, onset: onset, noticedAt: noticedAt, newIncidentID: newIncidentID, effects: &effects
            )
            change(&state, to: .stalled, at: timed.at, noticedAt: noticedAt,
                   reason: "no progress since \(state.lastProgressAt.map(Self.stamp) ?? "the start"); "
                       + "due at \(Self.stamp(onset)), grace \(DurationFormat.format(monitor.grace))",
                   effects: &effects)
        case .overrun(let runKey):
            let started = state.runs.removeValue(forKey: runKey) ?? timed.at
            state.incident = openIncident(
                cause: .overrun, onset: timed.at, noticedAt: noticedAt, newIncidentID: newIncidentID,
                effects: &effects
            )
            change(&state, to: .stalled, at: timed.at, noticedAt: noticedAt,
                   reason: "a run started at \(Self.stamp(started)) did not end within "
                       + DurationFormat.format(monitor.runLimit),
                   effects: &effects)
        }
    }

    // MARK: - Helpers

    private func countsAsProgress(_ signal: Signal, state: inout MonitorState) -> Bool {
        let kind = signal.kind.rawValue
        if monitor.advancingKinds.contains(kind) {
            guard let value = signal.value else { return false }
            let previous = state.lastValues[kind]
            state.lastValues[kind] = value
            return previous.map { value > $0 } ?? true
        }
        return monitor.progressKinds.contains(kind)
    }

    private func openIncident(
        cause: IncidentCause,
        onset: Date,
        noticedAt: Date,
        newIncidentID: () -> UUID,
        effects: inout [Effect]
    ) -> Incident {
        let incident = Incident(
            id: newIncidentID(), monitorID: monitor.id, cause: cause, onset: onset, detectedAt: noticedAt
        )
        effects.append(.opened(incident))
        return incident
    }

    private func resolve(_ incident: Incident, at: Date, resolution: String) -> Incident {
        var incident = incident
        incident.resolvedAt = at
        incident.resolution = resolution
        return incident
    }

    private func change(
        _ state: inout MonitorState,
        to status: MonitorStatus,
        at: Date,
        noticedAt: Date,
        reason: String,
        effects: inout [Effect]
    ) {
        let change = StateChange(
            monitorID: monitor.id, from: state.status, to: status, at: at, noticedAt: noticedAt,
            incidentID: state.incident?.id, reason: reason
        )
        state.status = status
        state.since = at
        effects.append(.changed(change))
    }

    private static func stamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
