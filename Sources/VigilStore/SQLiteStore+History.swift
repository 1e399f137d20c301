import Foundation
import GRDB
import VigilCore

// The progress history: a compact, bounded record of every progress signal, which calibration and the digest read
// long after the signal table has pruned the signals themselves.
extension SQLiteStore {
    /// Progress rows kept per monitor: 10 000.
    public static let progressKept = 10_000

    static func registerProgressHistory(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-11-29 progress history") { db in
            try db.execute(
                sql: """
                    CREATE TABLE progress (
                        monitor_id TEXT NOT NULL,
                        at REAL NOT NULL,
                        kind TEXT NOT NULL
                    );
                    CREATE INDEX progress_monitor ON progress(monitor_id, at);
                    CREATE INDEX incident_onset ON incident(onset);
                    """
            )
            // Seed it from the signals that are still kept, so calibration has something to start from.
            try db.execute(sql: "INSERT INTO progress (monitor_id, at, kind) SELECT monitor_id, at, kind FROM signal "
                + "WHERE progress = 1 ORDER BY seq")
        }
    }

    /// Runs on `writer`, in the transaction of the progress signal itself.
    /// `id` is `monitorID` as the tables hold it.
    func recordProgress(_ signal: Signal, of monitorID: UUID, text id: String, in db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO progress (monitor_id, at, kind) VALUES (?, ?, ?)").run { values in
            values.add(id)
            values.add(signal.at.timeIntervalSince1970)
            values.add(signal.kind.rawValue)
        }
        // Pruning every 1 000 inserts keeps between 10 000 and 11 000 rows at a small cost per signal.
        guard Self.tick(&sincePrune[monitorID, default: SincePrune()].progress, limit: 1_000) else { return }
        try db.executeCached(
            sql: """
                DELETE FROM progress WHERE monitor_id = ?1 AND rowid < (
                    SELECT rowid FROM progress WHERE monitor_id = ?1 ORDER BY at DESC, rowid DESC LIMIT 1 OFFSET ?2)
                    AND at <= (SELECT at FROM progress WHERE monitor_id = ?1 ORDER BY at DESC, rowid DESC
                        LIMIT 1 OFFSET ?2)
                """,
            arguments: [id, Self.progressKept - 1]
        )
    }

    public func progress(monitorID: UUID?, from: Date, to: Date, limit: Int) async throws(StoreError)
        -> [ProgressEvent]
    {
        try await read { db in
            let rows: [Row]
            // The newest `limit` rows in the range, returned oldest first.
            if let monitorID {
                rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM (SELECT monitor_id, at, kind FROM progress WHERE monitor_id = ? AND at >= ?
                            AND at < ? ORDER BY at DESC LIMIT ?) ORDER BY at
                        """,
                    arguments: [monitorID.uuidString, from.timeIntervalSince1970, to.timeIntervalSince1970, limit]
                )
            } else {
                rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM (SELECT monitor_id, at, kind FROM progress WHERE at >= ? AND at < ?
                            ORDER BY at DESC LIMIT ?) ORDER BY at
                        """,
                    arguments: [from.timeIntervalSince1970, to.timeIntervalSince1970, limit]
                )
            }
            return try rows.map { row in
                guard let id = UUID(uuidString: row["monitor_id"]) else {
                    throw StoreError.corrupt("a progress row has an unreadable monitor id")
                }
                return ProgressEvent(monitorID: id, at: Date(timeIntervalSince1970: row["at"]), kind: row["kind"])
            }
        }
    }

    public func incidents(monitorID: UUID?, from: Date, to: Date, limit: Int) async throws(StoreError)
        -> [Incident]
    {
        try await read { db in
            var sql = "SELECT * FROM incident WHERE onset < ? AND (resolved_at IS NULL OR resolved_at >= ?)"
            var arguments: StatementArguments = [to.timeIntervalSince1970, from.timeIntervalSince1970]
            if let monitorID {
                sql += " AND monitor_id = ?"
                arguments += [monitorID.uuidString]
            }
            sql += " ORDER BY onset DESC LIMIT ?"
            arguments += [limit]
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.incident(from:))
        }
    }
}
