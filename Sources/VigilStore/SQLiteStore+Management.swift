import Foundation
import GRDB
import VigilCore

// What managing Vigil over its APIs keeps: monitors' names and notes, API keys (hashed) and server secrets.
extension SQLiteStore {
    static func registerManagement(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-11-29 management") { db in
            try db.execute(
                sql: """
                    ALTER TABLE monitor ADD COLUMN name TEXT NOT NULL DEFAULT '';
                    ALTER TABLE monitor ADD COLUMN description TEXT NOT NULL DEFAULT '';
                    CREATE TABLE api_key (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        hash TEXT NOT NULL UNIQUE,
                        read_only INTEGER NOT NULL,
                        created_at REAL NOT NULL,
                        revoked_at REAL
                    );
                    CREATE TABLE secret (
                        name TEXT PRIMARY KEY,
                        value BLOB NOT NULL
                    );
                    """
            )
        }
    }

    public func saveAPIKey(_ key: StoredAPIKey) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO api_key (id, name, hash, read_only, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    key.id.uuidString, key.name, key.hash, key.readOnly, key.createdAt.timeIntervalSince1970,
                ]
            )
        }
    }

    public func apiKey(hash: String) async throws(StoreError) -> StoredAPIKey? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_key WHERE hash = ? AND revoked_at IS NULL", arguments: [hash])
                .map(Self.apiKey(from:))
        }
    }

    public func apiKeys() async throws(StoreError) -> [StoredAPIKey] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_key WHERE revoked_at IS NULL ORDER BY created_at")
                .map(Self.apiKey(from:))
        }
    }

    public func revokeAPIKey(id: UUID, at: Date) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE api_key SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                arguments: [at.timeIntervalSince1970, id.uuidString]
            )
            return db.changesCount > 0
        }
    }

    public func secret(named name: String, orCreate make: @escaping @Sendable () -> [UInt8]) async throws(StoreError)
        -> [UInt8]
    {
        try await write { db in
            if let data = try Data.fetchOne(db, sql: "SELECT value FROM secret WHERE name = ?", arguments: [name]) {
                return [UInt8](data)
            }
            let value = make()
            try db.execute(sql: "INSERT INTO secret (name, value) VALUES (?, ?)", arguments: [name, Data(value)])
            return value
        }
    }

    static func apiKey(from row: Row) throws -> StoredAPIKey {
        let idText: String = row["id"]
        guard let id = UUID(uuidString: idText) else { throw StoreError.corrupt("an API key has an unreadable id") }
        return StoredAPIKey(
            id: id, name: row["name"], hash: row["hash"], readOnly: row["read_only"],
            createdAt: Date(timeIntervalSince1970: row["created_at"])
        )
    }
}
