import Foundation
import GRDB
import VigilCore

// What the self-healing loop keeps: diagnoses, attempts, acknowledgements, and journal lines besides status changes.
extension SQLiteStore {
    static func registerRecovery(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("2026-11-29 recovery") { db in
            try db.execute(
                sql: """
                    CREATE TABLE attempt (
                        incident_id TEXT NOT NULL,
                        number INTEGER NOT NULL,
                        monitor_id TEXT NOT NULL,
                        action TEXT NOT NULL,
                        started_at REAL NOT NULL,
                        finished_at REAL,
                        status TEXT,
                        code INTEGER,
                        output TEXT,
                        result TEXT NOT NULL,
                        idempotency_key TEXT NOT NULL,
                        PRIMARY KEY (incident_id, number)
                    );
                    CREATE INDEX attempt_monitor ON attempt(monitor_id, started_at);
                    CREATE TABLE diagnosis (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        incident_id TEXT NOT NULL,
                        at REAL NOT NULL,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX diagnosis_incident ON diagnosis(incident_id, seq);
                    ALTER TABLE incident ADD COLUMN root_causes TEXT;
                    ALTER TABLE incident ADD COLUMN acknowledged_at REAL;
                    ALTER TABLE incident ADD COLUMN acknowledged_by TEXT;
                    """
            )
        }
    }

    public func appendJournal(_ records: [JournalRecord], notices: [Notice]) async throws(StoreError) {
        try await appendJournal(records, notices: notices, diagnoses: [])
    }

    public func appendJournal(
        _ records: [JournalRecord], notices: [Notice], diagnoses: [IncidentDiagnosis]
    ) async throws(StoreError) {
        guard !records.isEmpty || !notices.isEmpty || !diagnoses.isEmpty else { return }
        // Encoded before the transaction, so that the writer is held only for the statements.
        let bodies = diagnoses.map { Self.body(of: $0.diagnosis) }
        try await write { db in
            for (item, body) in zip(diagnoses, bodies) {
                try Self.insert(item.diagnosis, body: body, incidentID: item.incidentID, in: db)
            }
            for record in records {
                try db.executeCached(
                    sql: """
                        INSERT INTO journal (monitor_id, event, at, noticed_at, incident_id, detail)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        record.monitorID.uuidString, record.event.rawValue, record.at.timeIntervalSince1970,
                        record.at.timeIntervalSince1970, record.incidentID?.uuidString, record.detail,
                    ]
                )
            }
            for notice in notices {
                try Self.enqueue(notice, in: db)
            }
        }
    }

    public func saveAttempt(_ attempt: RecoveryAttempt, incidentID: UUID, monitorID: UUID) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO attempt (incident_id, number, monitor_id, action, started_at, finished_at, status, code,
                        output, result, idempotency_key)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(incident_id, number) DO UPDATE SET
                        -- Progress may resolve the incident while the action still runs, and the two writes may land
                        -- in either order: an outcome once written stays, and recovered stays recovered.
                        finished_at = CASE WHEN excluded.status IS NULL THEN attempt.finished_at ELSE excluded.finished_at END,
                        status = COALESCE(excluded.status, attempt.status),
                        code = CASE WHEN excluded.status IS NULL THEN attempt.code ELSE excluded.code END,
                        output = CASE WHEN excluded.status IS NULL THEN attempt.output ELSE excluded.output END,
                        result = CASE WHEN attempt.result = 'recovered' THEN attempt.result ELSE excluded.result END
                    """,
                arguments: [
                    incidentID.uuidString, attempt.number, monitorID.uuidString, attempt.action,
                    attempt.startedAt.timeIntervalSince1970, attempt.outcome?.finishedAt.timeIntervalSince1970,
                    attempt.outcome?.status.rawValue, attempt.outcome?.code, attempt.outcome?.output,
                    attempt.result.rawValue, attempt.idempotencyKey,
                ]
            )
        }
    }

    public func saveDiagnosis(_ diagnosis: Diagnosis, incidentID: UUID) async throws(StoreError) {
        let body = Self.body(of: diagnosis)
        try await write { db in try Self.insert(diagnosis, body: body, incidentID: incidentID, in: db) }
    }

    private static func body(of diagnosis: Diagnosis) -> String {
        String(decoding: (try? diagnosisEncoder.encode(diagnosis)) ?? Data("{}".utf8), as: UTF8.self)
    }

    // One encoder for all diagnoses: a storm stores thousands, and making an encoder for each cost as much as using it.
    private static let diagnosisEncoder = JSONEncoder()

    private static func insert(_ diagnosis: Diagnosis, body: String, incidentID: UUID, in db: Database) throws {
        try db.executeCached(
            sql: "INSERT INTO diagnosis (incident_id, at, body) VALUES (?, ?, ?)",
            arguments: [incidentID.uuidString, diagnosis.at.timeIntervalSince1970, body]
        )
        try db.executeCached(
            sql: "UPDATE incident SET root_causes = ? WHERE id = ?",
            arguments: [diagnosis.rootCauses.joined(separator: " "), incidentID.uuidString]
        )
    }

    public func recoveryRecord(incidentID: UUID) async throws(StoreError) -> RecoveryRecord {
        try await read { db in
            let attempts = try Row.fetchAll(
                db, sql: "SELECT * FROM attempt WHERE incident_id = ? ORDER BY number", arguments: [incidentID.uuidString]
            ).map { row -> RecoveryAttempt in
                var attempt = RecoveryAttempt(
                    number: row["number"], action: row["action"], startedAt: Date(timeIntervalSince1970: row["started_at"]),
                    idempotencyKey: row["idempotency_key"]
                )
                attempt.result = RecoveryAttempt.Result(rawValue: row["result"]) ?? .pending
                if let finished: Double = row["finished_at"], let statusText: String = row["status"],
                    let status = ActionOutcome.Status(rawValue: statusText)
                {
                    attempt.outcome = ActionOutcome(
                        status: status, code: row["code"], output: row["output"] ?? "",
                        startedAt: attempt.startedAt, finishedAt: Date(timeIntervalSince1970: finished)
                    )
                }
                return attempt
            }
            let diagnoses = try String.fetchAll(
                db, sql: "SELECT body FROM diagnosis WHERE incident_id = ? ORDER BY seq", arguments: [incidentID.uuidString]
            ).compactMap { try? JSONDecoder().decode(Diagnosis.self, from: Data($0.utf8)) }
            let ack = try Row.fetchOne(
                db, sql: "SELECT acknowledged_at, acknowledged_by FROM incident WHERE id = ?",
                arguments: [incidentID.uuidString]
            )
            return RecoveryRecord(
                attempts: attempts, diagnoses: diagnoses,
                acknowledgedAt: (ack?["acknowledged_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
                acknowledgedBy: ack?["acknowledged_by"]
            )
        }
    }

    public func acknowledge(incidentID: UUID, at: Date, by who: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE incident SET acknowledged_at = ?, acknowledged_by = ?
                    WHERE id = ? AND resolved_at IS NULL AND acknowledged_at IS NULL
                    """,
                arguments: [at.timeIntervalSince1970, who, incidentID.uuidString]
            )
            return db.changesCount > 0
        }
    }

    public func incident(matching idOrPrefix: String) async throws(StoreError) -> Incident? {
        let text = idOrPrefix.lowercased()
        guard text.count >= 6, text.allSatisfy({ $0.isHexDigit || $0 == "-" }) else { return nil }
        return try await read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM incident WHERE lower(id) LIKE ? LIMIT 2", arguments: [text + "%"]
            )
            guard rows.count == 1 else { return nil }
            return try Self.incident(from: rows[0])
        }
    }

    public func recordAttempts(_ outcomes: [Int64: NoticeOutcome]) async throws(StoreError) {
        guard !outcomes.isEmpty else { return }
        try await write { db in
            for (id, outcome) in outcomes {
                switch outcome {
                case .delivered(let at):
                    try db.executeCached(
                        sql: "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                        arguments: [at.timeIntervalSince1970, id]
                    )
                case .failed(let error, let next):
                    try db.executeCached(
                        sql: "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ?",
                        arguments: [error, next.timeIntervalSince1970, id]
                    )
                }
            }
        }
    }

    static func enqueue(_ notice: Notice, in db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO outbox (idempotency_key, channel, target, payload, created_at, attempts,
                    next_attempt_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).run { values in
            values.add(notice.idempotencyKey)
            values.add(notice.channel)
            values.add(notice.target)
            values.add(notice.payload)
            values.add(notice.createdAt.timeIntervalSince1970)
            values.add(notice.attempts)
            values.add(notice.nextAttemptAt.timeIntervalSince1970)
        }
    }
}
