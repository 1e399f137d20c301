import Foundation

/// At an incident: which capabilities are blocked and why, which are available, and the root cause.
public struct Diagnosis: Sendable, Hashable, Codable {
    public struct Blocked: Sendable, Hashable, Codable {
        public var capability: String
        public var reason: String
        /// The blocked capability this one needs, which explains it; nil for a root cause.
        public var blockedBy: String?

        public init(capability: String, reason: String, blockedBy: String?) {
            self.capability = capability
            self.reason = reason
            self.blockedBy = blockedBy
        }
    }

    public var blocked: [Blocked]
    public var available: [String]
    /// Blocked capabilities that nothing else explains, in name order.
    public var rootCauses: [String]
    /// Capabilities that are available but near their expiry, with the probe's words.
    public var warnings: [String: String]
    public var at: Date

    public init(blocked: [Blocked], available: [String], rootCauses: [String], warnings: [String: String], at: Date) {
        self.blocked = blocked
        self.available = available
        self.rootCauses = rootCauses
        self.warnings = warnings
        self.at = at
    }

    /// True when `capability` was probed and is usable.
    public func isAvailable(_ capability: String) -> Bool {
        available.contains(capability)
    }

    /// One line for people: "blocked: x-api (token expired), reddit-session; available: content-creation".
    public var summary: String {
        let blockedText = blocked.map { item in
            item.blockedBy.map { "\(item.capability) (by \($0))" } ?? "\(item.capability) (\(item.reason))"
        }
        var parts: [String] = []
        if !blockedText.isEmpty { parts.append("blocked: " + blockedText.joined(separator: ", ")) }
        if !available.isEmpty { parts.append("available: " + available.joined(separator: ", ")) }
        if parts.isEmpty { return "nothing to diagnose: no capabilities declared" }
        return parts.joined(separator: "; ")
    }
}

/// Works out a diagnosis from probe results and the capabilities' `needs` graph.
public enum Diagnoser {
    /// Every capability in `names` and everything they need, with what the probes found.
    ///
    /// A capability whose needed capability is blocked is reported as blocked *by* it, even when its own probe
    /// passed or was not run: its parent explains it, and only parents are root causes.
    public static func diagnose(
        _ names: [String],
        capabilities: [String: Capability],
        results: [String: ProbeResult],
        at: Date
    ) -> Diagnosis {
        let all = closure(of: names, in: capabilities)
        var blockedBy: [String: String] = [:]
        var ownReason: [String: String] = [:]
        func firstBlockedAncestor(_ name: String, visiting: Set<String>) -> String? {
            for parent in capabilities[name]?.needs ?? [] where !visiting.contains(parent) {
                if let found = firstBlockedAncestor(parent, visiting: visiting.union([parent])) { return found }
                if results[parent]?.isAvailable == false { return parent }
            }
            return nil
        }
        for name in all {
            if let ancestor = firstBlockedAncestor(name, visiting: [name]) {
                blockedBy[name] = ancestor
            }
            if let result = results[name], !result.isAvailable {
                ownReason[name] = result.reason
            }
        }
        var blocked: [Diagnosis.Blocked] = []
        var available: [String] = []
        var warnings: [String: String] = [:]
        for name in all {
            if let parent = blockedBy[name] {
                blocked.append(.init(capability: name, reason: ownReason[name] ?? "needs \(parent)", blockedBy: parent))
            } else if let reason = ownReason[name] {
                blocked.append(.init(capability: name, reason: reason, blockedBy: nil))
            } else if let result = results[name] {
                available.append(name)
                if result.status == .expiring { warnings[name] = result.reason }
            }
        }
        let roots = blocked.filter { $0.blockedBy == nil }.map(\.capability)
        return Diagnosis(blocked: blocked, available: available, rootCauses: roots, warnings: warnings, at: at)
    }

    /// `names` and every capability they need, transitively, in name order.
    public static func closure(of names: [String], in capabilities: [String: Capability]) -> [String] {
        var seen = Set<String>()
        var stack = names
        while let name = stack.popLast() {
            guard seen.insert(name).inserted else { continue }
            stack.append(contentsOf: capabilities[name]?.needs ?? [])
        }
        return seen.sorted()
    }
}
