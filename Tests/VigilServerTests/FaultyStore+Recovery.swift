import Foundation
import VigilCore
import VigilStore

// The recovery part of the store protocol: writes fail with the switch, reads go to the real store.
extension FaultyStore {
    func appendJournal(_ records: [JournalRecord], notices: [Notice]) async throws(StoreError) {
        try checkWritable()
        try await base.appendJournal(records, notices: notices)
    }

    func saveAttempt(_ attempt: RecoveryAttempt, incidentID: UUID, monitorID: UUID) async throws(StoreError) {
        try checkWritable()
        try await base.saveAttempt(attempt, incidentID: incidentID, monitorID: monitorID)
    }

    func saveDiagnosis(_ diagnosis: Diagnosis, incidentID: UUID) async throws(StoreError) {
        try checkWritable()
        try await base.saveDiagnosis(diagnosis, incidentID: incidentID)
    }

    func recoveryRecord(incidentID: UUID) async throws(StoreError) -> RecoveryRecord {
        try await base.recoveryRecord(incidentID: incidentID)
    }

    func acknowledge(incidentID: UUID, at: Date, by who: String) async throws(StoreError) -> Bool {
        try checkWritable()
        return try await base.acknowledge(incidentID: incidentID, at: at, by: who)
    }

    func incident(matching idOrPrefix: String) async throws(StoreError) -> Incident? {
        try await base.incident(matching: idOrPrefix)
    }
}
