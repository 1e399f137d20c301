import Foundation
import Testing

@testable import VigilCore

struct AnalyticsTests {
    let hour = Synthetic.hour
    let day = Synthetic.day
    let monitorID = UUID(uuidString: "00000000-0000-0000-0000-0000000000aa")!
    let utc = TimeZone(identifier: "UTC")!

    func record(
        _ number: Int, onset: TimeInterval, detectedAfter: TimeInterval, resolvedAfter: TimeInterval?,
        resolution: String? = "progress", cause: IncidentCause = .stall, slug: String = "backup",
        blocker: String? = nil, action: String? = nil
    ) -> IncidentRecord {
        let start = Synthetic.t0 + onset
        let incident = Incident(
            id: UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", number))!, monitorID: monitorID,
            cause: cause, onset: start, detectedAt: start + detectedAfter,
            resolvedAt: resolvedAfter.map { start + $0 }, resolution: resolvedAfter == nil ? nil : resolution)
        return IncidentRecord(
            incident: incident, monitorSlug: slug, tags: ["prod"], blocker: blocker, action: action, timeZone: utc)
    }

    @Test func metricsSplitAutomaticAndHumanRecoveriesWithPercentiles() {
        let range = TimeRange(start: Synthetic.t0, end: Synthetic.t0 + 10 * day)
        let records = [
            record(1, onset: day, detectedAfter: 600, resolvedAfter: 2 * hour, blocker: "x-api", action: "restart"),
            record(2, onset: 3 * day, detectedAfter: 300, resolvedAfter: 4 * hour, resolution: "human"),
            record(3, onset: 5 * day, detectedAfter: 60, resolvedAfter: 6 * hour, blocker: "x-api", action: "restart"),
            record(4, onset: 9 * day, detectedAfter: 60, resolvedAfter: nil),
        ]
        let metrics = IncidentMetrics(records, monitors: 1, range: range)
        #expect(metrics.incidents == 4)
        #expect(metrics.open == 1)
        #expect(metrics.recoveredAutomatically == 2)
        #expect(metrics.recoveredByHuman == 1)
        #expect(metrics.timeToDetect?.p50 == 180)
        #expect(metrics.timeToRecover?.count == 3)
        #expect(metrics.timeToRecover?.p50 == 4 * hour)
        #expect(metrics.timeToRecover?.mean == 4 * hour)
        #expect(metrics.timeToRecoverAutomatically?.p50 == 4 * hour)
        #expect(metrics.timeToRecoverByHuman?.p50 == 4 * hour)
        #expect(abs(metrics.timeToRecover!.p99 - 5.96 * hour) < 1)
        // Down 2 + 4 + 6 h, plus the open incident's last day of the range.
        #expect(metrics.downtime == 36 * hour)
        #expect(abs(metrics.availability - (1 - 36.0 / 240)) < 1e-9)
        #expect(metrics.meanTimeBetweenFailures == (240 - 36) * hour / 4)
    }

    @Test func theReportGroupsRanksAndDigests() {
        let range = TimeRange(start: Synthetic.t0, end: Synthetic.t0 + 14 * day)
        let records = [
            record(1, onset: day + 18 * hour, detectedAfter: 60, resolvedAfter: 2 * hour, blocker: "x-api",
                   action: "restart"),
            record(2, onset: 8 * day + 18 * hour, detectedAfter: 60, resolvedAfter: 5 * hour, blocker: "x-api",
                   action: "restart"),
            record(3, onset: 2 * day, detectedAfter: 60, resolvedAfter: hour, cause: .failure, slug: "agent",
                   blocker: "disk"),
        ]
        let agentID = UUID()
        let progress = (0..<14).flatMap { day in
            (0..<(day % 3)).map { _ in
                ProgressEvent(monitorID: monitorID, at: Synthetic.t0 + Double(day) * self.day + 3_600, kind: "commit")
            }
        } + [ProgressEvent(monitorID: agentID, at: Synthetic.t0 + 7 * day + 10, kind: "post.published")]
        let report = JournalReport(
            records: records, monitors: [("backup", ["prod"]), ("agent", [])], progress: progress,
            slugs: [monitorID: "backup", agentID: "agent"], range: range)
        #expect(report.overall.incidents == 3)
        #expect(report.byMonitor.map(\.key) == ["backup", "agent"])
        #expect(report.byMonitor[0].metrics.incidents == 2)
        #expect(report.byTag.map(\.key) == ["prod"])
        #expect(report.byCause.map(\.key) == ["failure", "stall"])
        #expect(report.topBlockers.first?.blocker == "x-api")
        #expect(report.topBlockers.first?.incidents == 2)
        #expect(report.byAction.first?.key == "restart")
        #expect(report.byAction.first?.shareOfRecoveries.map { abs($0 - 2.0 / 3) < 1e-9 } == true)
        // Tuesday 18:00 UTC, twice.
        #expect(report.heatmap.counts[1][18] == 2)
        #expect(report.stalledRanking.map(\.monitor) == ["backup"])
        #expect(report.stalledRanking.first?.stalled == 7 * hour)
        #expect(report.sparklines["backup"]?.prefix(4) == [0, 1, 2, 0])
        #expect(report.digestByWeek.first { $0.kind == "commit" }?.period == "2026-01-05")
        #expect(report.digestByWeek.contains { $0.period == "2026-01-12" && $0.kind == "post.published" && $0.count == 1 })
        #expect(report.digestByDay.first?.period == "2026-01-06")
    }

    @Test func resolutionsSayWhoRecovered() {
        #expect(RecoveredBy(resolution: "progress", resolved: true) == .automatic)
        #expect(RecoveredBy(resolution: nil, resolved: true) == .automatic)
        #expect(RecoveredBy(resolution: "human: restarted by hand", resolved: true) == .human)
        #expect(RecoveredBy(resolution: "paused", resolved: true) == .none)
        #expect(RecoveredBy(resolution: nil, resolved: false) == .open)
    }
}
