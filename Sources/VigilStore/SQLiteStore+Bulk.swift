import Foundation
import GRDB
import VigilCore

// Seeding and counting in bulk, for benchmarks and imports: a million monitors in one transaction with prepared
// statements, instead of a million round trips through `saveMonitor`.
extension SQLiteStore {
    /// Inserts new monitors with their states (and open incidents) in one transaction; fails on an id or key that
    /// is already stored, leaving nothing inserted.
    /// - Parameter createdAt: the creation time recorded for every monitor.
    public func insertMonitors(_ items: [StoredMonitor], createdAt: Date) async throws(StoreError) {
        try await write { db in
            let monitor = try db.makeStatement(
                sql: """
                    INSERT INTO monitor (id, key, slug, origin, schedule_every, schedule_cron, schedule_tz, grace,
                        max_runtime, progress_kinds, advancing_kinds, rate_count, rate_window, tags, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            let state = try db.makeStatement(
                sql: """
                    INSERT INTO monitor_state (monitor_id, revision, status, since, last_signal_at, last_progress_at,
                        last_values, runs, incident_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            )
            let incident = try db.makeStatement(
                sql: "INSERT INTO incident (id, monitor_id, cause, onset, detected_at) VALUES (?, ?, ?, ?, ?)"
            )
            for item in items {
                let m = item.monitor
                let id = m.id.uuidString
                try monitor.execute(arguments: [
                    id, m.key.uuidString, m.slug, m.origin.rawValue, m.schedule.every, m.schedule.cronSource,
                    m.schedule.timeZoneIdentifier, m.grace, m.maxRuntime, Self.list(m.progressKinds.sorted()),
                    Self.list(m.advancingKinds.sorted()), m.rateLimit?.count, m.rateLimit?.window, Self.list(m.tags),
                    createdAt.timeIntervalSince1970,
                ])
                let s = item.state
                try state.execute(arguments: [
                    id, s.revision, s.status.rawValue, s.since.timeIntervalSince1970,
                    s.lastSignalAt?.timeIntervalSince1970, s.lastProgressAt?.timeIntervalSince1970,
                    Self.json(s.lastValues), Self.json(s.runs.mapValues(\.timeIntervalSince1970)),
                    s.incident?.id.uuidString,
                ])
                if let open = s.incident {
                    try incident.execute(arguments: [
                        open.id.uuidString, id, open.cause.rawValue, open.onset.timeIntervalSince1970,
                        open.detectedAt.timeIntervalSince1970,
                    ])
                }
            }
        }
    }

    /// How many signals are stored, over all monitors.
    public func signalCount() async throws(StoreError) -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM signal") ?? 0 }
    }

    /// How many journal lines record a change to `status`.
    public func journalCount(changesTo status: MonitorStatus) async throws(StoreError) -> Int {
        try await read { db in
            try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM journal WHERE event = ? AND to_state = ?",
                arguments: [JournalEntry.Event.stateChanged.rawValue, status.rawValue]
            ) ?? 0
        }
    }
}

extension SQLiteStore {
    /// How many status changes to `status` the journal holds after the line numbered `after`, and the number of
    /// its last line: a poll that reads only what is new, so that a benchmark's polling does not load the machine
    /// it measures.
    public func journalCount(changesTo status: MonitorStatus, after: Int64) async throws(StoreError)
        -> (count: Int, last: Int64)
    {
        try await read { db in
            let last = try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM journal") ?? 0
            let count = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM journal WHERE seq > ? AND seq <= ? AND event = ? AND to_state = ?",
                arguments: [after, last, JournalEntry.Event.stateChanged.rawValue, status.rawValue]
            ) ?? 0
            return (count, max(last, after))
        }
    }
}

extension Database {
    /// Runs a statement that is compiled once per connection and then kept, so that group commit's hot path parses
    /// no SQL.
    func executeCached(sql: String, arguments: StatementArguments) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }
}
