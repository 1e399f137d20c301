import Foundation
import GRDB
import Logging
import Synchronization
import VigilCore

/// The embedded store: one SQLite file in WAL mode, written with group commit.
///
/// `commit` returns only when the step is in the write-ahead log: with `synchronous = NORMAL` (the default)
/// it survives a crash of Vigil; with `durableAgainstPowerLoss` (`synchronous = FULL`) also a power loss.
/// Steps that arrive while a transaction is being written are committed together in the next one, so durability
/// does not cost one sync per signal.
public final class SQLiteStore: Store, @unchecked Sendable {
    /// How durable an acknowledged write is.
    public enum Durability: Sendable {
        /// Survives a crash or `kill -9` of Vigil (WAL, `synchronous = NORMAL`).
        case process
        /// Also survives a power loss (`synchronous = FULL`).
        case powerLoss
    }

    private struct PendingCommit {
        var batch: ChangeBatch
        /// Called on `writer` once the step is durable or has failed.
        var done: @Sendable (Result<Void, StoreError>) -> Void
    }

    private struct Queue {
        var items: [PendingCommit] = []
        var flushing = false
    }

    // Internal so that tests can ask the writer connection for its settings.
    let pool: DatabasePool
    let logger: Logger
    private let signalsKept: Int
    private let queue = Mutex(Queue())
    private let writer = DispatchQueue(label: "vigil.store.writer")
    private let groupHooks = Mutex<[@Sendable () -> Void]>([])
    private let checkpointer: Checkpointer
    // The intake log, where a group commit's steps are acknowledged; `applier` copies them into SQLite.
    let intakeLog: IntakeLog
    let intake = Mutex(IntakeState())
    let applier = DispatchQueue(label: "vigil.store.apply")
    /// Signalled each time the copying gains ground, for a group commit that waits for room in the backlog.
    let room = NSCondition()
    let syncsIntake: Bool
    // Touched only inside `pool.write`: rows inserted per monitor since its last prune.
    var sincePrune: [UUID: SincePrune] = [:]

    /// Signals and progress rows a monitor gained since each was last pruned.
    struct SincePrune {
        var signals = 0
        var progress = 0
    }

    /// Counts one insert; true, with the count back at zero, once `limit` inserts were counted.
    static func tick(_ count: inout Int, limit: Int) -> Bool {
        count += 1
        guard count >= limit else { return false }
        count = 0
        return true
    }

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// - Parameters:
    ///   - path: the SQLite file; its folder must exist.
    ///   - durability: default `.process`.
    ///   - signalsKept: signals kept per monitor; default 100.
    public init(
        path: String,
        durability: Durability = .process,
        signalsKept: Int = 100,
        logger: Logger = Logger(label: "vigil.store")
    ) throws(StoreError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let synchronous = durability == .powerLoss ? "FULL" : "NORMAL"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // Set on the writer after opening: DatabasePool sets `synchronous = NORMAL` when it turns on WAL,
            // which comes after `prepareDatabase` and would undo a setting made there.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
                // The checkpointer copies the log back into the file beside the writer, once a second while it
                // grows; the writer's own checkpoint comes only past `checkpointPages`. No ping waits for either,
                // since pings are acknowledged from the intake log: what checkpoints cost is CPU and writes, and a
                // page that many steps dirty (the index leaves of busy monitors) is now copied once a round instead
                // of after every transaction of the copying, which went from ~15 500 to ~19 700 steps a second
                // under the ingest benchmark.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.checkpointPages)")
                // Deadlines and pings touch monitor_state rows all over the file: with SQLite's default 2 MB cache
                // most changes read their page back with pread first. 64 MB holds the hot pages of ~1 M monitors'
                // states; it is allocated only as pages are used.
                try db.execute(sql: "PRAGMA cache_size = -65536")
            }
            try Self.migrator.migrate(pool)
            checkpointer = try Checkpointer(path: path, logger: logger)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unavailable("cannot open the database at \(path): \(Self.describe(error)) — check that the folder "
                + "exists and is writable, and that no other program holds the file")
        }
        self.logger = logger
        self.signalsKept = max(1, signalsKept)
        intakeLog = try IntakeLog(path: path + "-intake")
        syncsIntake = durability == .powerLoss
        // What a store that died acknowledged is copied in now, before anything reads.
        try openIntake()
    }

    /// WAL pages (64 MB) after which a commit itself copies into the database file what the checkpointer has not.
    static let checkpointPages = 16_000

    // MARK: - Monitors

    public func loadMonitors() async throws(StoreError) -> [StoredMonitor] {
        try await read { db in
            let open = try Self.openIncidents(db)
            var loaded: [StoredMonitor] = []
            try Self.eachStoredMonitor(in: db, incidents: open, suffix: " ORDER BY m.created_at, m.slug") {
                loaded.append($0)
            }
            return loaded
        }
    }

    public func loadMonitors(
        expecting: @escaping @Sendable (Int) -> Void,
        each body: @escaping @Sendable (StoredMonitor) -> Void
    ) async throws(StoreError) {
        try await read { db in
            let open = try Self.openIncidents(db)
            expecting(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM monitor WHERE archived = 0") ?? 0)
            // In rowid order, which is the order of adding: ordering by creation time made SQLite sort every row.
            try Self.eachStoredMonitor(in: db, incidents: open) { body($0) }
        }
    }

    /// The open incidents by the text of their id, as `monitor_state.incident_id` names them.
    private static func openIncidents(_ db: Database) throws -> [String: Incident] {
        var open: [String: Incident] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT * FROM incident WHERE resolved_at IS NULL") {
            let incident = try Self.incident(from: row)
            open[incident.id.uuidString] = incident
        }
        return open
    }

    public func saveMonitor(_ monitor: Monitor, initialState: MonitorState) async throws(StoreError) {
        try await write { db in
            let arguments: StatementArguments = [
                monitor.id.uuidString, monitor.key.uuidString, monitor.slug, monitor.origin.rawValue,
                monitor.schedule.every, monitor.schedule.cronSource, monitor.schedule.timeZoneIdentifier,
                monitor.grace, monitor.maxRuntime, Self.list(monitor.progressKinds.sorted()),
                Self.list(monitor.advancingKinds.sorted()), monitor.rateLimit?.count, monitor.rateLimit?.window,
                Self.list(monitor.tags), initialState.since.timeIntervalSince1970, monitor.name, monitor.desc,
            ]
            // An archived monitor gives up its key, so a monitor declared again (or renamed) with it can be saved.
            try db.execute(
                sql: "UPDATE monitor SET key = ? WHERE key = ? AND id != ? AND archived = 1",
                arguments: [UUID().uuidString, monitor.key.uuidString, monitor.id.uuidString]
            )
            try db.execute(
                sql: """
                    INSERT INTO monitor (id, key, slug, origin, schedule_every, schedule_cron, schedule_tz, grace,
                        max_runtime, progress_kinds, advancing_kinds, rate_count, rate_window, tags, created_at,
                        name, description)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET key = excluded.key, slug = excluded.slug, origin = excluded.origin,
                        schedule_every = excluded.schedule_every, schedule_cron = excluded.schedule_cron,
                        schedule_tz = excluded.schedule_tz, grace = excluded.grace, max_runtime = excluded.max_runtime,
                        progress_kinds = excluded.progress_kinds, advancing_kinds = excluded.advancing_kinds,
                        rate_count = excluded.rate_count, rate_window = excluded.rate_window, tags = excluded.tags,
                        name = excluded.name, description = excluded.description, archived = 0
                    """,
                arguments: arguments
            )
            try db.execute(
                sql: "INSERT OR IGNORE INTO monitor_state (monitor_id, revision, status, since) VALUES (?, ?, ?, ?)",
                arguments: [
                    monitor.id.uuidString, initialState.revision, initialState.status.rawValue,
                    initialState.since.timeIntervalSince1970,
                ]
            )
        }
    }

    public func archiveMonitor(id: UUID) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: "UPDATE monitor SET archived = 1 WHERE id = ?", arguments: [id.uuidString])
        }
    }

    // MARK: - Group commit

    public func commit(_ batch: ChangeBatch) async throws(StoreError) {
        let result = await withUnsafeContinuation { (continuation: UnsafeContinuation<Result<Void, StoreError>, Never>) in
            commit(batch) { continuation.resume(returning: $0) }
        }
        try result.get()
    }

    public func commit(_ batch: ChangeBatch, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        let leads = queue.withLock { queue in
            queue.items.append(PendingCommit(batch: batch, done: completion))
            defer { queue.flushing = true }
            return !queue.flushing
        }
        if leads {
            writer.async { self.flush() }
        }
    }

    public func afterEachGroup(_ body: @escaping @Sendable () -> Void) {
        groupHooks.withLock { $0.append(body) }
    }

    // Runs on `writer` until no commit is waiting; each round writes all waiting steps in one transaction.
    private func flush() {
        let hooks = groupHooks.withLock { $0 }
        while true {
            let items = queue.withLock { queue in
                let items = queue.items
                queue.items = []
                if items.isEmpty { queue.flushing = false }
                return items
            }
            if items.isEmpty { return }
            defer { for hook in hooks { hook() } }
            do {
                if try appendToIntake(items.map(\.batch)) {
                    items.forEach { $0.done(.success(())) }
                    continue
                }
            } catch {
                items.forEach { $0.done(.failure(error)) }
                continue
            }
            do {
                try pool.write { db in
                    for item in items { try apply(item.batch, in: db) }
                }
                items.forEach { $0.done(.success(())) }
            } catch {
                // One bad step must not fail the others that shared its transaction: retry each on its own.
                logger.warning("group commit failed; retrying one by one", metadata: ["vigil.error": "\(error)"])
                for item in items {
                    do {
                        try pool.write { db in try apply(item.batch, in: db) }
                        item.done(.success(()))
                    } catch {
                        item.done(.failure(.unavailable("the change could not be written: \(Self.describe(error))")))
                    }
                }
            }
        }
    }

    /// Writes one step; `writingState` false leaves the state to a later step of the same monitor in the transaction;
    /// `pruning` false keeps every signal (steps of another store copied in from the intake log: its own retention,
    /// not this store's, applies to them).
    func apply(_ batch: ChangeBatch, writingState: Bool = true, pruning: Bool = true, in db: Database) throws {
        let id = Self.text(batch.monitorID)
        let state = batch.state
        let updated = try !writingState || batch.statusOnly && updateStatus(of: id, to: state, in: db)
        if !updated {
            try db.cachedStatement(
                sql: """
                    INSERT INTO monitor_state (monitor_id, revision, status, since, last_signal_at, last_progress_at,
                        last_values, runs, incident_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(monitor_id) DO UPDATE SET revision = excluded.revision, status = excluded.status,
                        since = excluded.since, last_signal_at = excluded.last_signal_at,
                        last_progress_at = excluded.last_progress_at, last_values = excluded.last_values,
                        runs = excluded.runs, incident_id = excluded.incident_id
                    WHERE excluded.revision > monitor_state.revision
                    """
            ).run { values in
                values.add(id)
                values.add(state.revision)
                values.add(state.status.rawValue)
                values.add(state.since.timeIntervalSince1970)
                values.add(state.lastSignalAt?.timeIntervalSince1970)
                values.add(state.lastProgressAt?.timeIntervalSince1970)
                values.add(Self.json(state.lastValues))
                values.add(Self.json(state.runs.mapValues(\.timeIntervalSince1970)))
                values.add(state.incident.map { Self.text($0.id) })
            }
        }
        if let signal = batch.signal {
            try db.cachedStatement(
                sql: """
                    INSERT INTO signal (monitor_id, kind, at, value, run_id, body, source, progress, duration)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).run { values in
                values.add(id)
                values.add(signal.kind.rawValue)
                values.add(signal.at.timeIntervalSince1970)
                values.add(signal.value)
                values.add(signal.runID.map(Self.text))
                values.add(signal.body)
                values.add(signal.source)
                values.add(batch.verdict?.isProgress ?? false)
                values.add(batch.verdict?.runDuration)
            }
            if pruning { try pruneSignals(of: batch.monitorID, text: id, in: db) }
            if batch.verdict?.isProgress == true { try recordProgress(signal, of: batch.monitorID, text: id, in: db) }
        }
        for effect in batch.effects {
            try journal(effect, monitorID: id, in: db)
        }
        for notice in batch.notices {
            try Self.enqueue(notice, in: db)
        }
    }

    /// Writes a step that changed only the status: four columns instead of the whole row, and only over the revision
    /// the step followed. False when the row holds another revision (a step before it was not stored, or the row is
    /// missing), and the whole state must be written instead.
    // A deadline passing is most of what a million monitors write; the upsert binds nine values, encodes values and
    // runs as JSON and tries an insert first, none of which such a step needs.
    private func updateStatus(of id: String, to state: MonitorState, in db: Database) throws -> Bool {
        try db.cachedStatement(
            sql: """
                UPDATE monitor_state SET revision = ?, status = ?, since = ?, incident_id = ?
                WHERE monitor_id = ? AND revision = ?
                """
        ).run { values in
            values.add(state.revision)
            values.add(state.status.rawValue)
            values.add(state.since.timeIntervalSince1970)
            values.add(state.incident.map { Self.text($0.id) })
            values.add(id)
            values.add(state.revision - 1)
        }
        return db.changesCount > 0
    }

    private func journal(_ effect: Effect, monitorID: String, in db: Database) throws {
        switch effect {
        case .changed(let change):
            try db.cachedStatement(
                sql: """
                    INSERT INTO journal (monitor_id, event, at, noticed_at, from_state, to_state, incident_id, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).run { values in
                values.add(monitorID)
                values.add(JournalEntry.Event.stateChanged.rawValue)
                values.add(change.at.timeIntervalSince1970)
                values.add(change.noticedAt.timeIntervalSince1970)
                values.add(change.from.rawValue)
                values.add(change.to.rawValue)
                values.add(change.incidentID.map(Self.text))
                values.add(change.reason)
            }
        case .opened(let incident):
            let incidentID = Self.text(incident.id)
            try db.cachedStatement(
                sql: "INSERT INTO incident (id, monitor_id, cause, onset, detected_at) VALUES (?, ?, ?, ?, ?)"
            ).run { values in
                values.add(incidentID)
                values.add(monitorID)
                values.add(incident.cause.rawValue)
                values.add(incident.onset.timeIntervalSince1970)
                values.add(incident.detectedAt.timeIntervalSince1970)
            }
            try db.cachedStatement(
                sql: """
                    INSERT INTO journal (monitor_id, event, at, noticed_at, incident_id, detail)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """
            ).run { values in
                values.add(monitorID)
                values.add(JournalEntry.Event.incidentOpened.rawValue)
                values.add(incident.onset.timeIntervalSince1970)
                values.add(incident.detectedAt.timeIntervalSince1970)
                values.add(incidentID)
                values.add(incident.cause.rawValue)
            }
        case .resolved(let incident):
            let resolvedAt = (incident.resolvedAt ?? incident.detectedAt).timeIntervalSince1970
            try db.executeCached(
                sql: "UPDATE incident SET resolved_at = ?, resolution = ? WHERE id = ?",
                arguments: [resolvedAt, incident.resolution, incident.id.uuidString]
            )
            try db.executeCached(
                sql: """
                    INSERT INTO journal (monitor_id, event, at, noticed_at, incident_id, detail)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    monitorID, JournalEntry.Event.incidentResolved.rawValue, resolvedAt, resolvedAt,
                    incident.id.uuidString, incident.resolution ?? "",
                ]
            )
        }
    }

    private func pruneSignals(of monitorID: UUID, text id: String, in db: Database) throws {
        // Pruning every quarter of the limit keeps between `signalsKept` and 1.25 × that, at a fraction of the cost.
        guard Self.tick(&sincePrune[monitorID, default: SincePrune()].signals, limit: max(1, signalsKept / 4) + 1)
        else { return }
        try db.executeCached(
            sql: """
                DELETE FROM signal WHERE monitor_id = ?1 AND seq < (
                    SELECT seq FROM signal WHERE monitor_id = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)
                """,
            arguments: [id, signalsKept - 1]
        )
    }

    // MARK: - History

    public func signals(monitorID: UUID, limit: Int) async throws(StoreError) -> [StoredSignal] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM signal WHERE monitor_id = ? ORDER BY seq DESC LIMIT ?",
                arguments: [monitorID.uuidString, limit]
            ).map { row in
                let runID: String? = row["run_id"]
                let signal = Signal(
                    kind: SignalKind(rawValue: row["kind"]),
                    at: Date(timeIntervalSince1970: row["at"]),
                    value: row["value"],
                    runID: runID.flatMap(UUID.init(uuidString:)),
                    body: row["body"],
                    source: row["source"]
                )
                return StoredSignal(
                    sequence: row["seq"], monitorID: monitorID, signal: signal, isProgress: row["progress"],
                    runDuration: row["duration"]
                )
            }
        }
    }

    public func journal(monitorID: UUID?, limit: Int) async throws(StoreError) -> [JournalEntry] {
        try await read { db in
            let rows: [Row]
            if let monitorID {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM journal WHERE monitor_id = ? ORDER BY seq DESC LIMIT ?",
                    arguments: [monitorID.uuidString, limit]
                )
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM journal ORDER BY seq DESC LIMIT ?", arguments: [limit])
            }
            return try rows.map { row in
                let from: String? = row["from_state"]
                let to: String? = row["to_state"]
                let incident: String? = row["incident_id"]
                guard let event = JournalEntry.Event(rawValue: row["event"]),
                    let monitorID = UUID(uuidString: row["monitor_id"])
                else { throw StoreError.corrupt("journal entry \(row["seq"] ?? 0) cannot be read") }
                return JournalEntry(
                    sequence: row["seq"], monitorID: monitorID, event: event,
                    at: Date(timeIntervalSince1970: row["at"]), noticedAt: Date(timeIntervalSince1970: row["noticed_at"]),
                    from: from.flatMap(MonitorStatus.init(rawValue:)), to: to.flatMap(MonitorStatus.init(rawValue:)),
                    incidentID: incident.flatMap(UUID.init(uuidString:)), detail: row["detail"]
                )
            }
        }
    }

    public func incidents(monitorID: UUID?, limit: Int) async throws(StoreError) -> [Incident] {
        try await read { db in
            let rows: [Row]
            if let monitorID {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM incident WHERE monitor_id = ? ORDER BY onset DESC LIMIT ?",
                    arguments: [monitorID.uuidString, limit]
                )
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM incident ORDER BY onset DESC LIMIT ?", arguments: [limit])
            }
            return try rows.map(Self.incident(from:))
        }
    }

    // MARK: - Outbox

    public func dueNotices(at now: Date, limit: Int) async throws(StoreError) -> [Notice] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM outbox WHERE delivered_at IS NULL AND next_attempt_at <= ?
                    ORDER BY next_attempt_at, id LIMIT ?
                    """,
                arguments: [now.timeIntervalSince1970, limit]
            ).map { row in
                Notice(
                    id: row["id"], idempotencyKey: row["idempotency_key"], channel: row["channel"],
                    target: row["target"], payload: row["payload"],
                    createdAt: Date(timeIntervalSince1970: row["created_at"]), attempts: row["attempts"],
                    nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"])
                )
            }
        }
    }

    public func nextNoticeAttempt() async throws(StoreError) -> Date? {
        try await read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(next_attempt_at) FROM outbox WHERE delivered_at IS NULL")
                .map(Date.init(timeIntervalSince1970:))
        }
    }

    public func recordAttempt(noticeID: Int64, outcome: NoticeOutcome) async throws(StoreError) {
        try await write { db in
            switch outcome {
            case .delivered(let at):
                try db.execute(
                    sql: "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                    arguments: [at.timeIntervalSince1970, noticeID]
                )
            case .failed(let error, let next):
                try db.execute(
                    sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                    arguments: [error, next.timeIntervalSince1970, noticeID]
                )
            }
        }
    }

    public func pendingNoticeCount() async throws(StoreError) -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL") ?? 0
        }
    }

    // MARK: - Plumbing

    /// Reads once every acknowledged step is in SQLite.
    func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(StoreError) -> T {
        await intakeCaughtUp()
        do {
            return try await pool.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unavailable("the database could not be read: \(Self.describe(error))")
        }
    }

    /// Writes after every acknowledged step is in SQLite, so that it follows them.
    func write<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws(StoreError) -> T {
        await intakeCaughtUp()
        do {
            return try await pool.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unavailable("the database could not be written: \(Self.describe(error))")
        }
    }

    /// A UUID's text as the tables hold it: uppercase, the same as `uuidString`.
    // Foundation's `uuidString` formats through C and copies twice; the group commit writes a few ids per change.
    static func text(_ id: UUID) -> String { id.uppercasedText }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode)"
        }
        return "\(error)"
    }
}
