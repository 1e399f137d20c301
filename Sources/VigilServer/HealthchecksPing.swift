import Foundation
import VigilCore
import VigilStore

/// A stored signal shown as a healthchecks.io ping.
///
/// `n` is the signal's sequence number in Vigil's store: unique and growing for a check, but not counted from 1,
/// because Vigil keeps only the newest signals of each monitor (`keep_signals`).
enum HealthchecksPing {
    /// healthchecks.io's type of a signal: `start`, `success`, `fail` or `log`; a typed signal is a `success` when
    /// it counted as progress and a `log` otherwise.
    static func type(of stored: StoredSignal) -> String {
        let kind = stored.signal.kind
        if kind == .start { return "start" }
        if kind == .success { return "success" }
        if kind.isFailure { return "fail" }
        if kind == .log { return "log" }
        return stored.isProgress ? "success" : "log"
    }

    /// The ping as JSON; `checkURL` is the check's `update_url`, under which its body is served.
    static func json(_ stored: StoredSignal, checkURL: String) -> HealthchecksJSON {
        let (address, agent) = source(stored.signal.source)
        let hasBody = !(stored.signal.body ?? "").isEmpty
        var fields: [String: HealthchecksJSON] = [
            "type": .string(type(of: stored)),
            "date": .string(HealthchecksTime.microseconds(stored.signal.at)),
            "n": .integer(stored.sequence),
            // Vigil does not keep the scheme or method of a ping.
            "scheme": .string("http"),
            "method": .string(""),
            "remote_addr": .optional(address),
            "ua": .string(agent),
            "rid": .optional(stored.signal.runID?.uuidString.lowercased()),
            "body_url": hasBody ? .string("\(checkURL)/pings/\(stored.sequence)/body") : .null,
        ]
        // Microseconds, as healthchecks.io writes a duration.
        if let duration = stored.runDuration { fields["duration"] = .number((duration * 1e6).rounded() / 1e6) }
        return .object(fields)
    }

    /// The remote address and user agent in a signal's `source`, which the ping API writes as `ADDRESS AGENT`.
    static func source(_ text: String?) -> (address: String?, agent: String) {
        guard let text, !text.isEmpty else { return (nil, "") }
        let parts = text.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        let first = String(parts[0])
        let looksLikeAddress = (first.contains(".") || first.contains(":"))
            && first.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }
        guard looksLikeAddress else { return (nil, text) }
        return (first, parts.count > 1 ? String(parts[1]) : "")
    }
}
