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

extension Engine {
    /// The newest incidents, newest first; all monitors when `monitorID` is nil.
    public func incidents(of monitorID: UUID?, limit: Int) async throws(EngineError) -> [Incident] {
        do {
            return try await store.incidents(monitorID: monitorID, limit: limit)
        } catch {
            throw EngineError(.notDurable, "cannot read incidents: \(error.message)")
        }
    }

    /// One incident by id or a unique prefix of it.
    public func incident(matching idOrPrefix: String) async throws(EngineError) -> Incident? {
        do {
            return try await store.incident(matching: idOrPrefix)
        } catch {
            throw EngineError(.notDurable, "cannot read incidents: \(error.message)")
        }
    }

    /// What was tried for an incident.
    public func recoveryRecord(of incidentID: UUID) async throws(EngineError) -> RecoveryRecord {
        do {
            return try await store.recoveryRecord(incidentID: incidentID)
        } catch {
            throw EngineError(.notDurable, "cannot read the recovery record: \(error.message)")
        }
    }
}
