import Foundation
import VigilCore
import VigilStore

// The management part of the store protocol: writes fail with the switch, reads go to the real store.
extension FaultyStore {
    func saveAPIKey(_ key: StoredAPIKey) async throws(StoreError) {
        try checkWritable()
        try await base.saveAPIKey(key)
    }

    func apiKey(hash: String) async throws(StoreError) -> StoredAPIKey? { try await base.apiKey(hash: hash) }

    func apiKeys() async throws(StoreError) -> [StoredAPIKey] { try await base.apiKeys() }

    func revokeAPIKey(id: UUID, at: Date) async throws(StoreError) -> Bool {
        try checkWritable()
        return try await base.revokeAPIKey(id: id, at: at)
    }

    func secret(named name: String, orCreate make: @escaping @Sendable () -> [UInt8]) async throws(StoreError)
        -> [UInt8]
    {
        try checkWritable()
        return try await base.secret(named: name, orCreate: make)
    }
}

extension FaultyStore {
    func metrics(lagBounds: [Double]) async throws(StoreError) -> StoreMetrics {
        try await base.metrics(lagBounds: lagBounds)
    }
}
