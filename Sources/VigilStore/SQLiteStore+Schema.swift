import GRDB

extension SQLiteStore {
    /// The migrations, by name; a shipped migration is never edited, only followed by a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("2026-11-29 foundation") { db in
            try db.execute(
                sql: """
                    CREATE TABLE monitor (
                        id TEXT PRIMARY KEY,
                        key TEXT NOT NULL UNIQUE,
                        slug TEXT NOT NULL,
                        origin TEXT NOT NULL,
                        schedule_every REAL,
                        schedule_cron TEXT,
                        schedule_tz TEXT,
                        grace REAL NOT NULL,
                        max_runtime REAL,
                        progress_kinds TEXT NOT NULL,
                        advancing_kinds TEXT NOT NULL,
                        rate_count INTEGER,
                        rate_window REAL,
                        tags TEXT NOT NULL,
                        archived INTEGER NOT NULL DEFAULT 0,
                        created_at REAL NOT NULL
                    );
                    CREATE INDEX monitor_slug ON monitor(slug);
                    CREATE TABLE monitor_state (
                        monitor_id TEXT PRIMARY KEY,
                        revision INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        since REAL NOT NULL,
                        last_signal_at REAL,
                        last_progress_at REAL,
                        last_values TEXT,
                        runs TEXT,
                        incident_id TEXT
                    );
                    CREATE TABLE signal (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        monitor_id TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        at REAL NOT NULL,
                        value REAL,
                        run_id TEXT,
                        body TEXT,
                        source TEXT,
                        progress INTEGER NOT NULL,
                        duration REAL
                    );
                    CREATE INDEX signal_monitor ON signal(monitor_id, seq);
                    CREATE TABLE journal (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        monitor_id TEXT NOT NULL,
                        event TEXT NOT NULL,
                        at REAL NOT NULL,
                        noticed_at REAL NOT NULL,
                        from_state TEXT,
                        to_state TEXT,
                        incident_id TEXT,
                        detail TEXT NOT NULL
                    );
                    CREATE INDEX journal_monitor ON journal(monitor_id, seq);
                    CREATE TABLE incident (
                        id TEXT PRIMARY KEY,
                        monitor_id TEXT NOT NULL,
                        cause TEXT NOT NULL,
                        onset REAL NOT NULL,
                        detected_at REAL NOT NULL,
                        resolved_at REAL,
                        resolution TEXT
                    );
                    CREATE INDEX incident_monitor ON incident(monitor_id, onset);
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        idempotency_key TEXT NOT NULL UNIQUE,
                        channel TEXT NOT NULL,
                        target TEXT NOT NULL,
                        payload BLOB NOT NULL,
                        created_at REAL NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at REAL NOT NULL,
                        delivered_at REAL,
                        last_error TEXT
                    );
                    CREATE INDEX outbox_due ON outbox(next_attempt_at) WHERE delivered_at IS NULL;
                    """
            )
        }
        registerProgressHistory(in: &migrator)
        registerRecovery(in: &migrator)
        registerManagement(in: &migrator)
        createIntakeMark(in: &migrator)
        return migrator
    }
}
