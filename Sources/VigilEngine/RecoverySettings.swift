import Foundation
import VigilCore

/// What the configuration declares for the self-healing loop: capabilities, actions, guards and escalation.
public struct RecoverySettings: Sendable, Hashable {
    /// `capabilities:` by name.
    public var capabilities: [String: Capability]
    /// `actions:` by name.
    public var actions: [String: Action]
    /// `guards:` in file order.
    public var guards: [GuardRule]
    /// `escalation:` policies by name; `default` is used by monitors that name none.
    public var escalation: [String: EscalationPolicy]
    /// `recovery_limit:` attempts across all monitors; default 60 per hour.
    public var globalLimit: IntensityLimit
    /// `recurring_blocker:` how many incidents with one root cause, within how long, make it recurring;
    /// default 3 per day.
    public var recurringBlocker: RecurringBlockerRule

    public init(
        capabilities: [String: Capability] = [:],
        actions: [String: Action] = [:],
        guards: [GuardRule] = [],
        escalation: [String: EscalationPolicy] = [:],
        globalLimit: IntensityLimit = IntensityLimit(count: 60, window: 3_600),
        recurringBlocker: RecurringBlockerRule = RecurringBlockerRule()
    ) {
        self.capabilities = capabilities
        self.actions = actions
        self.guards = guards
        self.escalation = escalation
        self.globalLimit = globalLimit
        self.recurringBlocker = recurringBlocker
    }

    /// The escalation policy used when a monitor names none: every notify channel, at once, once.
    public static let defaultPolicyName = "default"
}

extension Configuration {
    /// Each declared monitor's recovery, by slug.
    public var recoveryConfigs: [String: MonitorRecoveryConfig] {
        Dictionary(
            monitors.map { monitor in
                (
                    monitor.slug,
                    MonitorRecoveryConfig(
                        dependsOn: monitor.dependsOn,
                        plan: monitor.recovery ?? .none,
                        escalation: monitor.escalation ?? RecoverySettings.defaultPolicyName
                    )
                )
            },
            uniquingKeysWith: { first, _ in first }
        )
    }
}
