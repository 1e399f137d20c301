import Foundation
import VigilCore

@testable import VigilStore

/// Values shared by the store tests.
enum Fixture {
    /// A whole second, so that times written as seconds since 1970 read back exactly.
    static let epoch = Date(timeIntervalSince1970: 1_800_000_000)

    /// `seconds` after `epoch`; fractions that are powers of two keep the round trip exact.
    static func at(_ seconds: TimeInterval) -> Date {
        epoch.addingTimeInterval(seconds)
    }

    static func monitor(_ slug: String, every period: TimeInterval = 3_600, grace: TimeInterval = 300) -> Monitor {
        Monitor(id: UUID(), key: UUID(), slug: slug, schedule: .every(period), grace: grace)
    }

    /// One step of a monitor as the engine commits it: a success signal, the state it leads to and its journal line.
    static func step(of monitorID: UUID, revision: Int64, body: String) -> ChangeBatch {
        let time = at(TimeInterval(revision))
        let state = MonitorState(
            status: .up, since: at(1), lastSignalAt: time, lastProgressAt: time, revision: revision
        )
        let change = StateChange(
            monitorID: monitorID, from: revision == 1 ? .new : .up, to: .up, at: time, noticedAt: time,
            incidentID: nil, reason: body
        )
        return ChangeBatch(
            monitorID: monitorID,
            state: state,
            signal: Signal(kind: .success, at: time, body: body),
            verdict: SignalVerdict(isProgress: true, runDuration: nil),
            effects: [.changed(change)]
        )
    }

    static func notice(
        _ key: String, due: TimeInterval, created: TimeInterval = 0, payload: String = "{}"
    ) -> Notice {
        Notice(
            idempotencyKey: key, channel: "webhook", target: "http://127.0.0.1:9/hook", payload: Data(payload.utf8),
            createdAt: at(created), nextAttemptAt: at(due)
        )
    }
}
