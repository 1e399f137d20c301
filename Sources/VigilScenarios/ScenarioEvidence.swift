import Foundation
import VigilEngine
import VigilServer

/// What one run of a world left behind: the world's own logs, Vigil's incidents and signals, and the notices.
public struct ScenarioEvidence: Sendable {
    /// A fault the world injected, with what it blocked.
    public struct Injection: Sendable, Hashable {
        public var id: String
        public var cause: String
        public var at: Date
    }

    /// An action that ran, and why it was wrong when the world says so.
    public struct ActionRun: Sendable, Hashable {
        public var name: String
        public var at: Date
        public var wrong: String?
    }

    public var injections: [Injection] = []
    /// When the world saw its flow restored without an incident, by injection id.
    public var restored: [String: Date] = [:]
    public var actions: [ActionRun] = []
    /// Pings answered 2xx, by monitor slug.
    public var acknowledged: [String: Int] = [:]
    /// Signals Vigil holds, by monitor slug.
    public var stored: [String: Int] = [:]
    public var incidents: [IncidentView] = []
    public var notices: [NoticePayload] = []

    public init() {}

    /// Reads `state/events.log`, `state/actions.log` and `state/acked.log` of a world's copy.
    mutating func readWorldLogs(in state: URL) {
        for words in Self.lines(state.appendingPathComponent("events.log")) {
            guard words.count >= 3, let at = Self.date(words[0]) else { continue }
            switch words[1] {
            case "inject":
                injections.append(Injection(id: words[2], cause: words.count > 3 ? words[3] : words[2], at: at))
            case "restored":
                restored[words[2]] = restored[words[2]] ?? at
            default:
                break
            }
        }
        for words in Self.lines(state.appendingPathComponent("actions.log")) {
            guard words.count >= 3, let at = Self.date(words[0]) else { continue }
            switch words[1] {
            case "action":
                actions.append(ActionRun(name: words[2], at: at))
            case "wrong":
                // The verdict follows its action's line; it belongs to the latest run of that action.
                if let index = actions.lastIndex(where: { $0.name == words[2] }) {
                    actions[index].wrong = words.dropFirst(3).joined(separator: " ")
                }
            default:
                break
            }
        }
        acknowledged = [:]
        for words in Self.lines(state.appendingPathComponent("acked.log")) where words.count >= 3 {
            acknowledged[words[1], default: 0] += 1
        }
    }

    private static func lines(_ file: URL) -> [[String]] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }

    private static func date(_ milliseconds: String) -> Date? {
        Double(milliseconds).map { Date(timeIntervalSince1970: $0 / 1000) }
    }
}
