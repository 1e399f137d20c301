import Foundation
import Hummingbird
import VigilCore
import VigilStore

/// A change of a check's healthchecks.io status, taken from the journal: `{"timestamp": ..., "up": 1}`.
///
/// healthchecks.io's status stays `up` through the grace period, so Vigil's `up`↔`late` changes are no flips, and
/// its changes among `stalled`, `failing` and `recovering` are all `down`.
struct HealthchecksFlip: Sendable, Hashable {
    var at: Date
    var up: Bool

    /// The flips among `journal`'s lines, in their order.
    static func flips(in journal: [JournalEntry]) -> [HealthchecksFlip] {
        journal.compactMap { entry in
            guard entry.event == .stateChanged, let from = entry.from, let to = entry.to else { return nil }
            guard status(from) != status(to) else { return nil }
            return HealthchecksFlip(at: entry.at, up: status(to) == "up")
        }
    }

    private static func status(_ status: MonitorStatus) -> String {
        status == .late ? "up" : HealthchecksCheck.status(of: status)
    }

    var json: HealthchecksJSON {
        .object(["timestamp": .string(HealthchecksTime.seconds(at)), "up": .integer(up ? 1 : 0)])
    }

    /// The time window of `?seconds=`, `?start=` and `?end=`, as healthchecks.io reads them.
    struct Window: Sendable {
        var start: Date?
        var end: Date?

        /// Reads the query; a value that is not a whole number in range is refused, naming the parameter.
        init(_ query: Parameters, now: Date) throws(HealthchecksError) {
            if let start = try Self.number(query, "start", in: 0...10_000_000_000, what: "a UNIX timestamp") {
                self.start = Date(timeIntervalSince1970: TimeInterval(start))
            }
            if let end = try Self.number(query, "end", in: 0...10_000_000_000, what: "a UNIX timestamp") {
                self.end = Date(timeIntervalSince1970: TimeInterval(end))
            }
            if let seconds = try Self.number(query, "seconds", in: 0...31_536_000, what: "a number of seconds"),
               seconds > 0
            {
                let threshold = now.addingTimeInterval(-TimeInterval(seconds))
                self.start = max(self.start ?? threshold, threshold)
            }
        }

        func contains(_ date: Date) -> Bool {
            (start.map { date >= $0 } ?? true) && (end.map { date < $0 } ?? true)
        }

        private static func number(_ query: Parameters, _ name: String, in range: ClosedRange<Int64>, what: String)
            throws(HealthchecksError) -> Int64?
        {
            guard let text = query.get(name) else { return nil }
            guard let value = Int64(text), range.contains(value) else {
                throw HealthchecksError(.badRequest, "invalid query parameter \(name)=\(text.prefix(40)): use \(what)"
                    + " from \(range.lowerBound) to \(range.upperBound)")
            }
            return value
        }
    }
}
