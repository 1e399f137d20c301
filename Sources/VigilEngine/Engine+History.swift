import Foundation
import VigilCore
import VigilStore

extension Engine {
    /// A monitor's newest signals, newest first.
    public func signals(of monitorID: UUID, limit: Int) async throws(EngineError) -> [StoredSignal] {
        do {
            return try await store.signals(monitorID: monitorID, limit: limit)
        } catch {
            throw EngineError(.notDurable, "cannot read signals: \(error.message)")
        }
    }

    /// A monitor's newest journal entries, newest first.
    public func journal(of monitorID: UUID, limit: Int) async throws(EngineError) -> [JournalEntry] {
        do {
            return try await store.journal(monitorID: monitorID, limit: limit)
        } catch {
            throw EngineError(.notDurable, "cannot read the journal: \(error.message)")
        }
    }
}
