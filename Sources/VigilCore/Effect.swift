import Foundation

/// What the runtime must carry out after a decision of the detector.
public enum Effect: Sendable, Hashable {
    /// Journal the change and send its notices.
    case changed(StateChange)
    /// Record a newly opened incident.
    case opened(Incident)
    /// Record that an incident ended; `resolvedAt` and `resolution` are set.
    case resolved(Incident)
}

/// How a signal was counted.
public struct SignalVerdict: Sendable, Hashable {
    /// True when the signal reset the stall clock.
    public var isProgress: Bool
    /// For the end of a started run: how long the run took.
    public var runDuration: TimeInterval?

    public init(isProgress: Bool, runDuration: TimeInterval?) {
        self.isProgress = isProgress
        self.runDuration = runDuration
    }
}

/// The outcome of one step of the detector: the new state, the effects to carry out and the next deadline.
public struct Decision: Sendable, Hashable {
    public var state: MonitorState
    public var effects: [Effect]
    /// When the state would change next without any signal; `nil` when only a signal can change it.
    public var deadline: Date?
    /// Set when the step handled a signal.
    public var verdict: SignalVerdict?

    /// The status changes among the effects.
    public var changes: [StateChange] {
        effects.compactMap { if case .changed(let change) = $0 { change } else { nil } }
    }
}
