import Foundation
import VigilCore

extension Store {
    /// A store without a range index answers from its newest incidents.
    public func incidents(monitorID: UUID?, from: Date, to: Date, limit: Int) async throws(StoreError)
        -> [Incident]
    {
        try await incidents(monitorID: monitorID, limit: limit).filter { incident in
            incident.onset < to && (incident.resolvedAt.map { $0 >= from } ?? true)
        }
    }

    /// A store without a progress history answers from the signals it still keeps.
    public func progress(monitorID: UUID?, from: Date, to: Date, limit: Int) async throws(StoreError)
        -> [ProgressEvent]
    {
        guard let monitorID else { return [] }
        return try await signals(monitorID: monitorID, limit: limit)
            .filter { $0.isProgress && $0.signal.at >= from && $0.signal.at < to }
            .map { ProgressEvent(monitorID: monitorID, at: $0.signal.at, kind: $0.signal.kind.rawValue) }
            .reversed()
    }
}
