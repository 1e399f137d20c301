import Foundation
import GRDB
import VigilCore

// Converting between rows and values; a row that cannot be read is reported, never guessed.
extension SQLiteStore {
    static func monitor(from row: Row) throws -> Monitor {
        let idText: String = row["id"]
        let keyText: String = row["key"]
        let slug: String = row["slug"]
        guard let id = UUID(uuidString: idText), let key = UUID(uuidString: keyText),
            let origin = Monitor.Origin(rawValue: row["origin"])
        else { throw StoreError.corrupt("monitor \(slug) has an unreadable id, key or origin") }
        let schedule: Schedule
        if let every: Double = row["schedule_every"] {
            schedule = .every(every)
        } else if let cron: String = row["schedule_cron"] {
            let zoneName: String = row["schedule_tz"] ?? "UTC"
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
        let rateCount: Int? = row["rate_count"]
        let rateWindow: Double? = row["rate_window"]
        return Monitor(
            id: id,
            key: key,
            slug: slug,
            schedule: schedule,
            grace: row["grace"],
            maxRuntime: row["max_runtime"],
            progressKinds: kinds(row["progress_kinds"]),
            advancingKinds: Set(items(row["advancing_kinds"])),
            rateLimit: rateCount.flatMap { count in rateWindow.map { RateLimit(count: count, window: $0) } },
            tags: items(row["tags"]),
            origin: origin,
            name: row["name"] ?? "",
            desc: row["description"] ?? ""
        )
    }

    static func state(from row: Row, incidents: [String: Incident], createdAt: Date) throws -> MonitorState {
        guard let statusText: String = row["status"] else { return .new(at: createdAt) }
        guard let status = MonitorStatus(rawValue: statusText) else {
            throw StoreError.corrupt("a monitor state has an unknown status \(statusText)")
        }
        let incidentID: String? = row["incident_id"]
        let runs: [String: Double] = try decode(row["runs"]) ?? [:]
        return MonitorState(
            status: status,
            since: Date(timeIntervalSince1970: row["since"]),
            lastSignalAt: (row["last_signal_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            lastProgressAt: (row["last_progress_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            lastValues: try decode(row["last_values"]) ?? [:],
            runs: runs.mapValues(Date.init(timeIntervalSince1970:)),
            incident: incidentID.flatMap { incidents[$0] },
            revision: row["revision"]
        )
    }

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
