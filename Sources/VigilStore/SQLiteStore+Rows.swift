import Foundation
import GRDB
import GRDBSQLite
import VigilCore

// Converting between rows and values; a row that cannot be read is reported, never guessed.
extension SQLiteStore {
    /// Monitors that are not archived with their states, in the columns that `storedMonitor(from:incidents:)` reads
    /// by position: naming them per row cost more than reading them when a million monitors load.
    ///
    /// A monitor and its state are nearly always added together, so their rowids pair up: the state is looked up by
    /// rowid (`s1`, checked against the id) and only where that misses by id through the index (`s2`, whose key is
    /// NULL, so no lookup, when `s1` matched). Probing the id index for every monitor was most of a million's load.
    /// The default progress kind and empty texts come as NULL, which costs no string to read.
    static let monitorQuery = """
        SELECT m.id, m.key, m.slug, m.origin, m.schedule_every, m.schedule_cron, m.schedule_tz, m.grace,
            m.max_runtime, nullif(m.progress_kinds, 'success'), nullif(m.advancing_kinds, ''), m.rate_count,
            m.rate_window, nullif(m.tags, ''), nullif(m.name, ''), nullif(m.description, ''), m.created_at, coalesce(s1.revision, s2.revision), coalesce(s1.status, s2.status),
            coalesce(s1.since, s2.since), coalesce(s1.last_signal_at, s2.last_signal_at),
            coalesce(s1.last_progress_at, s2.last_progress_at), coalesce(s1.last_values, s2.last_values),
            coalesce(s1.runs, s2.runs), coalesce(s1.incident_id, s2.incident_id)
        FROM monitor m
        LEFT JOIN monitor_state s1 ON s1.rowid = m.rowid AND s1.monitor_id = m.id
        LEFT JOIN monitor_state s2 ON s2.monitor_id = CASE WHEN s1.rowid IS NULL THEN m.id END
        WHERE m.archived = 0
        """

    /// Every row of `monitorQuery` (with `suffix` appended, e.g. an ORDER BY; rowid order without) as a monitor and
    /// its state, handed to `body` one at a time, never all held at once; `incidents` are the open ones by id.
    static func eachStoredMonitor(
        in db: Database, incidents: [String: Incident], suffix: String = "", _ body: (StoredMonitor) throws -> Void
    ) throws {
        let statement = try db.makeStatement(sql: monitorQuery + suffix)
        let rows = try Row.fetchCursor(statement)
        let columns = Columns(statement.sqliteStatement)
        while try rows.next() != nil {
            try body(try storedMonitor(from: columns, incidents: incidents))
        }
    }

    private static func storedMonitor(from row: Columns, incidents: [String: Incident]) throws -> StoredMonitor {
        let monitor = try monitor(from: row)
        let createdAt = Date(timeIntervalSince1970: row.double(16))
        return StoredMonitor(monitor: monitor, state: try state(from: row, incidents: incidents, createdAt: createdAt))
    }

    private static func monitor(from row: Columns) throws -> Monitor {
        let slug = row.string(2) ?? ""
        guard let id = row.uuid(0), let key = row.uuid(1), let origin = row.origin(3) else {
            throw StoreError.corrupt("monitor \(slug) has an unreadable id, key or origin")
        }
        let schedule: Schedule
        if let every = row.optionalDouble(4) {
            schedule = .every(every)
        } else if let cron = row.string(5) {
            let zoneName = row.string(6) ?? "UTC"
            guard let zone = TimeZone(identifier: zoneName) else {
                throw StoreError.corrupt("monitor \(slug) names an unknown time zone \(zoneName)")
            }
            do {
                schedule = .cron(try CronExpression(parsing: cron), zone)
            } catch {
                throw StoreError.corrupt("monitor \(slug) has an unreadable schedule: \(error.message)")
            }
        } else {
            throw StoreError.corrupt("monitor \(slug) has no schedule")
        }
        let rateCount = row.optionalInt(11)
        let rateWindow = row.optionalDouble(12)
        return Monitor(
            id: id,
            key: key,
            slug: slug,
            schedule: schedule,
            grace: row.double(7),
            maxRuntime: row.optionalDouble(8),
            progressKinds: row.string(9).map(kinds) ?? Monitor.defaultProgressKinds,
            advancingKinds: Set(items(row.string(10))),
            rateLimit: rateCount.flatMap { count in rateWindow.map { RateLimit(count: count, window: $0) } },
            tags: items(row.string(13)),
            origin: origin,
            name: row.string(14) ?? "",
            desc: row.string(15) ?? ""
        )
    }

    private static func state(from row: Columns, incidents: [String: Incident], createdAt: Date) throws -> MonitorState {
        guard let status = row.status(18) else {
            guard let text = row.string(18) else { return .new(at: createdAt) }
            throw StoreError.corrupt("a monitor state has an unknown status \(text)")
        }
        let runs: [String: Double] = try decode(row.string(23)) ?? [:]
        return MonitorState(
            status: status,
            since: Date(timeIntervalSince1970: row.double(19)),
            lastSignalAt: row.optionalDouble(20).map(Date.init(timeIntervalSince1970:)),
            lastProgressAt: row.optionalDouble(21).map(Date.init(timeIntervalSince1970:)),
            lastValues: try decode(row.string(22)) ?? [:],
            // mapValues allocates even for an empty dictionary, and the result lives as long as the monitor.
            runs: runs.isEmpty ? [:] : runs.mapValues(Date.init(timeIntervalSince1970:)),
            incident: row.string(24).flatMap { incidents[$0] },
            revision: row.int64(17)
        )
    }

    /// The columns of a statement's current row, by position, read straight from SQLite: loading a million monitors
    /// went through GRDB's typed row access for every column and made two Swift strings per row only to parse UUIDs.
    struct Columns {
        let statement: SQLiteStatement

        init(_ statement: SQLiteStatement) {
            self.statement = statement
        }

        func isNull(_ index: CInt) -> Bool { sqlite3_column_type(statement, index) == SQLITE_NULL }
        func double(_ index: CInt) -> Double { sqlite3_column_double(statement, index) }
        func int64(_ index: CInt) -> Int64 { sqlite3_column_int64(statement, index) }
        func optionalDouble(_ index: CInt) -> Double? { isNull(index) ? nil : double(index) }
        func optionalInt(_ index: CInt) -> Int? { isNull(index) ? nil : Int(int64(index)) }

        /// The column's text bytes, valid only inside `body`; nil when it is NULL.
        func withText<T>(_ index: CInt, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
            guard let text = sqlite3_column_text(statement, index) else { return nil }
            return body(UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(statement, index))))
        }

        func string(_ index: CInt) -> String? { withText(index) { String(decoding: $0, as: UTF8.self) } }
        func uuid(_ index: CInt) -> UUID? { withText(index) { SQLiteStore.uuid(utf8: $0) } ?? nil }

        // Their names are short enough for Swift to keep without allocating.
        func origin(_ index: CInt) -> Monitor.Origin? { string(index).flatMap(Monitor.Origin.init(rawValue:)) }
        func status(_ index: CInt) -> MonitorStatus? { string(index).flatMap(MonitorStatus.init(rawValue:)) }
    }

    /// A UUID from its text; nil when there is none or it is not one.
    static func uuid(_ text: String?) -> UUID? {
        guard var text else { return nil }
        return text.withUTF8 { uuid(utf8: $0) }
    }

    /// A UUID from the bytes of its text; nil when they are not one.
    static func uuid(utf8 bytes: UnsafeBufferPointer<UInt8>) -> UUID? { UUID.parse(utf8: bytes) }

    static func incident(from row: Row) throws -> Incident {
        guard let id = UUID(uuidString: row["id"]), let monitorID = UUID(uuidString: row["monitor_id"]),
            let cause = IncidentCause(rawValue: row["cause"])
        else { throw StoreError.corrupt("an incident row cannot be read") }
        return Incident(
            id: id,
            monitorID: monitorID,
            cause: cause,
            onset: Date(timeIntervalSince1970: row["onset"]),
            detectedAt: Date(timeIntervalSince1970: row["detected_at"]),
            resolvedAt: (row["resolved_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            resolution: row["resolution"]
        )
    }

    /// Kind and tag names never hold spaces, so a space-separated list is unambiguous.
    static func list(_ items: [String]) -> String {
        items.joined(separator: " ")
    }

    /// A kind set; the default one is shared, so that a million monitors do not hold a million copies of it.
    static func kinds(_ text: String?) -> Set<String> {
        text == SignalKind.success.rawValue ? Monitor.defaultProgressKinds : Set(items(text))
    }

    static func items(_ text: String?) -> [String] {
        (text ?? "").split(separator: " ").map(String.init)
    }

    static func json<T: Encodable & Collection>(_ value: T) -> String? {
        guard !value.isEmpty, let data = try? JSONEncoder().encode(value) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode<T: Decodable>(_ text: String?) throws -> T? {
        guard let text else { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch {
            throw StoreError.corrupt("a monitor state holds unreadable JSON: \(text.prefix(80))")
        }
    }
}

extension Schedule {
    var every: Double? {
        if case .every(let period) = self { period } else { nil }
    }

    var cronSource: String? {
        if case .cron(let expression, _) = self { expression.source } else { nil }
    }

    var timeZoneIdentifier: String? {
        if case .cron(_, let zone) = self { zone.identifier } else { nil }
    }
}
