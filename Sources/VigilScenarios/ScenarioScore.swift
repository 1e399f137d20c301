import Foundation

/// How one world fared under one policy: what `vigil scenarios run --json` prints, one object per line.
public struct ScenarioScore: Codable, Sendable, Hashable {
    /// The number and name, e.g. `03-dependency-outage`.
    public var scenario: String
    public var policy: SupervisionPolicy
    public var stallsInjected: Int
    /// Injected stalls after which work flowed again by the end of the run.
    public var stallsResolved: Int
    /// Every injected stall resolved and every incident closed by progress, with no person acting.
    public var resolvedWithoutHuman: Bool
    /// From the injection to Vigil's first reaction (an incident or an action): p50 and p90 over the injections.
    public var mttdSeconds: Double?
    public var mttdP90Seconds: Double?
    /// From the injection to work flowing again: p50 and p90; nil when anything stayed unresolved.
    public var mttrSeconds: Double?
    public var mttrP90Seconds: Double?
    /// Actions the world says could not help at the time they ran (a restart while the database is down).
    public var wrongActions: Int
    /// Every action that ran: recovery attempts, forecast actions, restarts.
    public var recoveryAttempts: Int
    public var incidents: Int
    /// Incidents opened before any fault was injected.
    public var falseAlarms: Int
    /// Notices that ask a person to act: escalations and forecast warnings (state-change notices are not counted).
    public var humanNotices: Int
    /// Distinct root causes the world injected.
    public var rootCauses: Int
    public var noticesPerIncident: Double
    public var noticesPerRootCause: Double
    /// Pings answered 2xx that Vigil does not hold.
    public var lostSignals: Int
    public var wallSeconds: Double

    enum CodingKeys: String, CodingKey {
        case scenario, policy, incidents
        case stallsInjected = "stalls_injected"
        case stallsResolved = "stalls_resolved"
        case resolvedWithoutHuman = "resolved_without_human"
        case mttdSeconds = "mttd_seconds"
        case mttdP90Seconds = "mttd_p90_seconds"
        case mttrSeconds = "mttr_seconds"
        case mttrP90Seconds = "mttr_p90_seconds"
        case wrongActions = "wrong_actions"
        case recoveryAttempts = "recovery_attempts"
        case falseAlarms = "false_alarms"
        case humanNotices = "human_notices"
        case rootCauses = "root_causes"
        case noticesPerIncident = "notices_per_incident"
        case noticesPerRootCause = "notices_per_root_cause"
        case lostSignals = "lost_signals"
        case wallSeconds = "wall_seconds"
    }

    /// Writes every key, with `null` for what is unknown, so that readers need not guess at missing ones.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scenario, forKey: .scenario)
        try container.encode(policy, forKey: .policy)
        try container.encode(stallsInjected, forKey: .stallsInjected)
        try container.encode(stallsResolved, forKey: .stallsResolved)
        try container.encode(resolvedWithoutHuman, forKey: .resolvedWithoutHuman)
        try container.encode(mttdSeconds, forKey: .mttdSeconds)
        try container.encode(mttdP90Seconds, forKey: .mttdP90Seconds)
        try container.encode(mttrSeconds, forKey: .mttrSeconds)
        try container.encode(mttrP90Seconds, forKey: .mttrP90Seconds)
        try container.encode(wrongActions, forKey: .wrongActions)
        try container.encode(recoveryAttempts, forKey: .recoveryAttempts)
        try container.encode(incidents, forKey: .incidents)
        try container.encode(falseAlarms, forKey: .falseAlarms)
        try container.encode(humanNotices, forKey: .humanNotices)
        try container.encode(rootCauses, forKey: .rootCauses)
        try container.encode(noticesPerIncident, forKey: .noticesPerIncident)
        try container.encode(noticesPerRootCause, forKey: .noticesPerRootCause)
        try container.encode(lostSignals, forKey: .lostSignals)
        try container.encode(wallSeconds, forKey: .wallSeconds)
    }

    /// Scores the evidence of one run.
    public init(scenario: String, policy: SupervisionPolicy, evidence: ScenarioEvidence, wallSeconds: Double) {
        self.scenario = scenario
        self.policy = policy
        self.wallSeconds = wallSeconds
        let injections = evidence.injections.sorted { $0.at < $1.at }
        var detections: [Double] = []
        var recoveries: [Double] = []
        var resolved = 0
        for (index, injection) in injections.enumerated() {
            let end = index + 1 < injections.count ? injections[index + 1].at : .distantFuture
            let incidents = evidence.incidents.filter { $0.detectedAt >= injection.at && $0.detectedAt < end }
            let firstAction = evidence.actions.first { $0.at >= injection.at && $0.at < end }?.at
            let reactions = incidents.map(\.detectedAt) + (firstAction.map { [$0] } ?? [])
            if let first = reactions.min() { detections.append(first.timeIntervalSince(injection.at)) }
            let recoveredAt: Date?
            if incidents.isEmpty {
                recoveredAt = evidence.restored[injection.id]
            } else if incidents.allSatisfy({ $0.resolvedAt != nil }) {
                recoveredAt = incidents.compactMap(\.resolvedAt).max()
            } else {
                recoveredAt = nil
            }
            if let recoveredAt {
                resolved += 1
                recoveries.append(recoveredAt.timeIntervalSince(injection.at))
            }
        }
        stallsInjected = injections.count
        stallsResolved = resolved
        incidents = evidence.incidents.count
        let firstInjection = injections.first?.at ?? .distantFuture
        falseAlarms = evidence.incidents.filter { $0.detectedAt < firstInjection }.count
        resolvedWithoutHuman = resolved == injections.count && evidence.incidents.allSatisfy { $0.resolvedAt != nil }
        mttdSeconds = Self.percentile(detections, 0.5)
        mttdP90Seconds = Self.percentile(detections, 0.9)
        mttrSeconds = resolvedWithoutHuman ? Self.percentile(recoveries, 0.5) : nil
        mttrP90Seconds = resolvedWithoutHuman ? Self.percentile(recoveries, 0.9) : nil
        wrongActions = evidence.actions.filter { $0.wrong != nil }.count
        recoveryAttempts = evidence.actions.count
        humanNotices = evidence.notices.filter { $0.event == "escalation" || $0.event == "forecast_warning" }.count
        rootCauses = Set(injections.map(\.cause)).count
        noticesPerIncident = Double(humanNotices) / Double(max(1, incidents))
        noticesPerRootCause = Double(humanNotices) / Double(max(1, rootCauses))
        lostSignals = evidence.acknowledged.reduce(0) { sum, entry in
            sum + max(0, entry.value - (evidence.stored[entry.key] ?? 0))
        }
    }

    /// The nearest-rank percentile; nil for no values.
    public static func percentile(_ values: [Double], _ share: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((share * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}
