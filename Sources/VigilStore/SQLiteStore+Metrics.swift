import Foundation
import GRDB

extension SQLiteStore {
    public func metrics(lagBounds: [Double]) async throws(StoreError) -> StoreMetrics {
        try await read { db in
            var metrics = StoreMetrics()
            for row in try Row.fetchAll(db, sql: "SELECT cause, count(*) AS n FROM incident GROUP BY cause") {
                metrics.incidentsByCause[row["cause"]] = row["n"]
            }
            metrics.openIncidents = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM incident WHERE resolved_at IS NULL") ?? 0
            // Cumulative buckets in one pass: SUM over each bound.
            let sums = lagBounds.enumerated().map { "SUM(lag <= ?) AS b\($0.offset)" }.joined(separator: ", ")
            let lagSQL = "SELECT count(*) AS n, COALESCE(SUM(lag), 0) AS total"
                + (sums.isEmpty ? "" : ", " + sums)
                + " FROM (SELECT MAX(detected_at - onset, 0) AS lag FROM incident)"
            if let row = try Row.fetchOne(db, sql: lagSQL, arguments: StatementArguments(lagBounds)) {
                metrics.detectionLagCount = row["n"]
                metrics.detectionLagSum = row["total"]
                metrics.detectionLagBuckets = lagBounds.enumerated().map { index, bound in
                    (bound, (row["b\(index)"] as Int?) ?? 0)
                }
            }
            if let row = try Row.fetchOne(
                db,
                sql: "SELECT count(*) AS n, COALESCE(SUM(resolved_at - onset), 0) AS total FROM incident"
                    + " WHERE resolved_at IS NOT NULL"
            ) {
                metrics.timeToRecoverCount = row["n"]
                metrics.timeToRecoverSum = row["total"]
            }
            metrics.recentTimesToRecover = try Double.fetchAll(
                db,
                sql: "SELECT resolved_at - onset FROM incident WHERE resolved_at IS NOT NULL"
                    + " ORDER BY resolved_at DESC LIMIT 1000"
            )
            metrics.attempts = try Row.fetchAll(
                db, sql: "SELECT action, result, count(*) AS n FROM attempt GROUP BY action, result ORDER BY action, result"
            ).map { AttemptCount(action: $0["action"], result: $0["result"], count: $0["n"]) }
            metrics.outboxDepth = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM outbox WHERE delivered_at IS NULL") ?? 0
            return metrics
        }
    }
}
