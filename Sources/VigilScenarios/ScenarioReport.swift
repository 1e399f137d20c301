import Foundation

/// The side-by-side table of a suite run, its totals per policy, and which targets were met.
public struct ScenarioReport: Sendable {
    public var scores: [ScenarioScore]

    public init(scores: [ScenarioScore]) {
        self.scores = scores
    }

    /// The table as `vigil scenarios run` prints it: two rows per scenario, then the totals.
    public var table: String {
        let header = ["scenario", "policy", "resolved", "MTTD p50/p90", "MTTR p50/p90", "wrong", "attempts",
                      "notices (per incident, per cause)", "lost"]
        var rows: [[String]] = []
        for score in scores {
            rows.append([
                score.scenario, score.policy.rawValue,
                "\(score.stallsResolved)/\(score.stallsInjected)" + (score.resolvedWithoutHuman ? " yes" : " no"),
                Self.pair(score.mttdSeconds, score.mttdP90Seconds),
                score.resolvedWithoutHuman ? Self.pair(score.mttrSeconds, score.mttrP90Seconds) : "unresolved",
                "\(score.wrongActions)", "\(score.recoveryAttempts)",
                "\(score.humanNotices) (\(Self.ratio(score.noticesPerIncident)), \(Self.ratio(score.noticesPerRootCause)))",
                "\(score.lostSignals)",
            ])
        }
        for total in totals {
            rows.append([
                "total", total.policy.rawValue,
                "\(total.resolvedScenarios)/\(total.scenarios) scenarios, \(total.stallsResolved)/\(total.stallsInjected) stalls",
                Self.pair(total.mttdP50, total.mttdP90), Self.pair(total.mttrP50, total.mttrP90),
                "\(total.wrongActions)", "\(total.recoveryAttempts)", "\(total.humanNotices)", "\(total.lostSignals)",
            ])
        }
        return Self.render([header] + rows)
    }

    /// The same as a Markdown table, for docs/scenarios.md.
    public var markdown: String {
        var lines = ["| scenario | policy | resolved without a human | MTTD p50 / p90 | MTTR p50 / p90 | wrong actions "
            + "| recovery attempts | human notices (per incident, per root cause) | lost signals |",
            "|---|---|---|---|---|---|---|---|---|"]
        for score in scores {
            lines.append("| \(score.scenario) | \(score.policy.rawValue) | "
                + "\(score.resolvedWithoutHuman ? "yes" : "no") (\(score.stallsResolved)/\(score.stallsInjected)) | "
                + "\(Self.pair(score.mttdSeconds, score.mttdP90Seconds)) | "
                + "\(score.resolvedWithoutHuman ? Self.pair(score.mttrSeconds, score.mttrP90Seconds) : "unresolved") | "
                + "\(score.wrongActions) | \(score.recoveryAttempts) | \(score.humanNotices) "
                + "(\(Self.ratio(score.noticesPerIncident)), \(Self.ratio(score.noticesPerRootCause))) | "
                + "\(score.lostSignals) |")
        }
        for total in totals {
            lines.append("| **total** | \(total.policy.rawValue) | \(total.resolvedScenarios)/\(total.scenarios) scenarios,"
                + " \(total.stallsResolved)/\(total.stallsInjected) stalls | \(Self.pair(total.mttdP50, total.mttdP90)) | "
                + "\(Self.pair(total.mttrP50, total.mttrP90)) | \(total.wrongActions) | \(total.recoveryAttempts) | "
                + "\(total.humanNotices) | \(total.lostSignals) |")
        }
        return lines.joined(separator: "\n")
    }

    /// One policy's sums over the scenarios it ran; percentiles over every injected stall's own time.
    public struct Total: Sendable {
        public var policy: SupervisionPolicy
        public var scenarios = 0
        public var resolvedScenarios = 0
        public var stallsInjected = 0
        public var stallsResolved = 0
        public var wrongActions = 0
        public var recoveryAttempts = 0
        public var humanNotices = 0
        public var lostSignals = 0
        /// Over the scenarios' p50s: the per-stall times are not kept in the score.
        public var mttdP50: Double?
        public var mttdP90: Double?
        public var mttrP50: Double?
        public var mttrP90: Double?
    }

    public var totals: [Total] {
        SupervisionPolicy.allCases.compactMap { policy in
            let mine = scores.filter { $0.policy == policy }
            guard !mine.isEmpty else { return nil }
            var total = Total(policy: policy)
            total.scenarios = mine.count
            total.resolvedScenarios = mine.filter(\.resolvedWithoutHuman).count
            total.stallsInjected = mine.map(\.stallsInjected).reduce(0, +)
            total.stallsResolved = mine.map(\.stallsResolved).reduce(0, +)
            total.wrongActions = mine.map(\.wrongActions).reduce(0, +)
            total.recoveryAttempts = mine.map(\.recoveryAttempts).reduce(0, +)
            total.humanNotices = mine.map(\.humanNotices).reduce(0, +)
            total.lostSignals = mine.map(\.lostSignals).reduce(0, +)
            let detections = mine.compactMap(\.mttdSeconds)
            let recoveries = mine.compactMap(\.mttrSeconds)
            total.mttdP50 = ScenarioScore.percentile(detections, 0.5)
            total.mttdP90 = ScenarioScore.percentile(detections, 0.9)
            total.mttrP50 = ScenarioScore.percentile(recoveries, 0.5)
            total.mttrP90 = ScenarioScore.percentile(recoveries, 0.9)
            return total
        }
    }

    /// The issue's targets, each with whether this run met it; only those the run can judge.
    public var targets: [(target: String, met: Bool, detail: String)] {
        var found: [(String, Bool, String)] = []
        let vigil = scores.filter { $0.policy == .vigil }
        if vigil.count == 10 {
            let resolved = vigil.filter(\.resolvedWithoutHuman).count
            found.append(("Vigil resolves at least 8 of the 10 without a human", resolved >= 8, "\(resolved) of 10"))
        }
        for number in ["03", "08"] {
            if let score = vigil.first(where: { $0.scenario.hasPrefix(number) }) {
                found.append(("no wrong action in \(score.scenario)", score.wrongActions == 0,
                              "\(score.wrongActions) wrong"))
            }
        }
        for score in vigil {
            guard let baseline = scores.first(where: { $0.policy == .restartOnly && $0.scenario == score.scenario }),
                let theirs = baseline.mttrSeconds
            else { continue }
            let ours = score.mttrSeconds
            found.append(("Vigil's MTTR beats restart-only in \(score.scenario)", ours.map { $0 < theirs } ?? false,
                          "\(Self.seconds(ours)) vs \(Self.seconds(theirs))"))
        }
        for number in ["05", "08", "10"] {
            if let score = vigil.first(where: { $0.scenario.hasPrefix(number) }) {
                found.append(("at most one human notice per root cause in \(score.scenario)",
                              score.noticesPerRootCause <= 1,
                              "\(score.humanNotices) notice(s), \(score.rootCauses) root cause(s)"))
            }
        }
        return found
    }

    static func pair(_ p50: Double?, _ p90: Double?) -> String {
        guard let p50 else { return "–" }
        return "\(seconds(p50)) / \(seconds(p90))"
    }

    static func seconds(_ value: Double?) -> String {
        value.map { String(format: "%.1fs", $0) } ?? "–"
    }

    static func ratio(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }

    private static func render(_ rows: [[String]]) -> String {
        var widths = [Int](repeating: 0, count: rows.map(\.count).max() ?? 0)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return rows.map { row in
            row.enumerated().map { index, cell in
                cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
