import Foundation
import VigilCore
import VigilEngine

/// `/reports`: MTTD, MTTR and availability, the MTTR trend, the hour-of-week heatmap, top blockers, the monitors
/// that stalled longest and the stall risk of each monitor now.
struct ReportsPage {
    static let ranges = ["7d", "30d", "90d"]

    var report: EngineReport
    var since: String
    /// Recovered incidents in the range, for the weekly MTTR trend.
    var incidents: [Incident]
    var slugs: (String) -> String?
    var now: Date

    func render() -> HTML {
        let metrics = report.journal.overall
        let rangeLinks: [HTML] = Self.ranges.map { range in
            range == since
                ? "<a href=\"/reports?since=\(range)\" aria-current=\"true\">\(range)</a>"
                : "<a href=\"/reports?since=\(range)\">\(range)</a>"
        }
        let main: HTML = """
            <div class="heading"><h1>Reports</h1><nav class="segmented" aria-label="Range">\(rangeLinks.joined(separator: " "))</nav></div>
            <p class="muted">From \(DashboardFormat.time(report.journal.range.start, now: now)) to now, over every monitor.</p>
            <dl class="cards">
            <div><dt>Incidents</dt><dd>\(metrics.incidents)</dd></div>
            <div><dt>Open</dt><dd>\(metrics.open)</dd></div>
            <div><dt>MTTD (median)</dt><dd>\(DashboardFormat.duration(metrics.timeToDetect?.p50))</dd></div>
            <div><dt>MTTR (median · p90)</dt><dd>\(DashboardFormat.duration(metrics.timeToRecover?.p50)) · \(DashboardFormat.duration(metrics.timeToRecover?.p90))</dd></div>
            <div><dt>MTBF</dt><dd>\(DashboardFormat.duration(metrics.meanTimeBetweenFailures))</dd></div>
            <div><dt>Availability</dt><dd>\(DashboardFormat.availability(metrics.availability))</dd></div>
            <div><dt>Recovered by Vigil</dt><dd>\(metrics.recoveredAutomatically) of \(metrics.incidents)</dd></div>
            </dl>
            <section aria-labelledby="trend"><h2 id="trend">MTTR trend</h2>
            <p class="muted">Median time to recover of the incidents that began each week.</p>
            \(trend())
            </section>
            <section aria-labelledby="heatmap"><h2 id="heatmap">When stalls begin</h2>
            <p class="muted">Stall onsets by hour of week, each in its monitor's time zone.</p>
            <figure>\(Chart.heatmap(report.journal.heatmap.counts))</figure>
            </section>
            <section aria-labelledby="blockers"><h2 id="blockers">Top blockers</h2>
            \(blockers())
            </section>
            <section aria-labelledby="monitors"><h2 id="monitors">By monitor</h2>
            \(byMonitor())
            </section>
            <section aria-labelledby="risk"><h2 id="risk">Stall risk now</h2>
            \(risks())
            </section>
            """
        return DashboardLayout.page(title: "Reports", section: .reports, now: now, main)
    }

    /// The weekly median MTTR from the range's start to now; weeks without a recovery leave a gap.
    private func trend() -> HTML {
        let start = report.journal.range.start
        let end = report.journal.range.end
        let week: TimeInterval = 7 * 86_400
        let weeks = max(1, Int((end.timeIntervalSince(start) / week).rounded(.up)))
        var buckets = Array(repeating: [TimeInterval](), count: weeks)
        for incident in incidents {
            guard let resolved = incident.resolvedAt, incident.onset >= start, incident.onset < end else { continue }
            let index = min(weeks - 1, Int(incident.onset.timeIntervalSince(start) / week))
            buckets[index].append(resolved.timeIntervalSince(incident.onset))
        }
        guard buckets.contains(where: { !$0.isEmpty }) else {
            return "<p class=\"notice\">No incident recovered in this range.</p>"
        }
        let points = buckets.enumerated().map { index, times in
            let label = String(DashboardFormat.day(start.addingTimeInterval(Double(index) * week)).dropFirst(5))
            return (label: label, value: times.isEmpty ? nil : Backtest.quantile(times.sorted(), 0.5))
        }
        let rows: [HTML] = zip(points, buckets).map { point, times in
            "<tr><th scope=\"row\">week of \(point.label)</th><td>\(times.count)</td><td>\(DashboardFormat.duration(point.value))</td></tr>"
        }
        return """
            <figure>\(Chart.trend(points, label: "Median time to recover by week"))</figure>
            <details><summary>As a table</summary><div class="table-wrap"><table>
            <thead><tr><th scope="col">Week</th><th scope="col">Recovered</th><th scope="col">Median MTTR</th></tr></thead>
            <tbody>\(rows)</tbody></table></div></details>
            """
    }

    private func blockers() -> HTML {
        let top = report.journal.topBlockers.prefix(10)
        guard !top.isEmpty else {
            return "<p class=\"muted\">No blocker named: diagnoses name one when a monitor's capabilities are blocked.</p>"
        }
        let groups = Dictionary(report.journal.byBlocker.map { ($0.key, $0.metrics) }, uniquingKeysWith: { a, _ in a })
        let peak = max(1, top.first?.incidents ?? 1)
        let rows: [HTML] = top.map { blocker in
            let share = Double(blocker.incidents) / Double(peak)
            return """
                <tr><th scope="row">\(blocker.blocker)</th><td>\(blocker.incidents) \
                <meter min="0" max="1" value="\(String(format: "%.3f", share))">\(blocker.incidents)</meter></td>\
                <td>\(DashboardFormat.duration(groups[blocker.blocker]?.timeToRecover?.p50))</td></tr>
                """
        }
        return """
            <div class="table-wrap"><table>
            <thead><tr><th scope="col">Blocker</th><th scope="col">Incidents</th><th scope="col">MTTR (median)</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    private func byMonitor() -> HTML {
        let stalled = Dictionary(report.journal.stalledRanking.map { ($0.monitor, $0.stalled) }, uniquingKeysWith: { a, _ in a })
        let groups = report.journal.byMonitor.sorted { a, b in
            (a.metrics.incidents, b.key) > (b.metrics.incidents, a.key)
        }.prefix(200)
        guard !groups.isEmpty else { return "<p class=\"muted\">No monitors.</p>" }
        let rows: [HTML] = groups.map { group in
            let name: HTML = slugs(group.key).map { "<a href=\"\($0)\">\(group.key)</a>" } ?? "\(group.key)"
            return """
                <tr><th scope="row" data-label="Monitor">\(name)</th><td data-label="Incidents">\(group.metrics.incidents)</td>\
                <td data-label="MTTD">\(DashboardFormat.duration(group.metrics.timeToDetect?.p50))</td>\
                <td data-label="MTTR">\(DashboardFormat.duration(group.metrics.timeToRecover?.p50))</td>\
                <td data-label="Stalled for">\(DashboardFormat.duration(stalled[group.key] ?? 0))</td>\
                <td data-label="Availability">\(DashboardFormat.availability(group.metrics.availability))</td></tr>
                """
        }
        return """
            <div class="table-wrap"><table class="by-monitor">
            <thead><tr><th scope="col">Monitor</th><th scope="col">Incidents</th><th scope="col">MTTD (median)</th>\
            <th scope="col">MTTR (median)</th><th scope="col">Stalled for</th><th scope="col">Availability</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    private func risks() -> HTML {
        let forecasts = report.forecasts.sorted { ($0.risk.probability, $1.monitor) > ($1.risk.probability, $0.monitor) }
            .prefix(50)
        guard !forecasts.isEmpty else { return "<p class=\"muted\">No monitors.</p>" }
        let rows: [HTML] = forecasts.map { forecast in
            let name: HTML = slugs(forecast.monitor).map { "<a href=\"\($0)\">\(forecast.monitor)</a>" } ?? "\(forecast.monitor)"
            let reasons: [HTML] = forecast.risk.reasons.map { "<li>\($0)</li>" }
            return """
                <tr><th scope="row" data-label="Monitor">\(name)</th>\
                <td data-label="Risk"><strong>\(DashboardFormat.percent(forecast.risk.probability))</strong></td>\
                <td data-label="Why"><ul class="reasons">\(reasons)</ul></td></tr>
                """
        }
        return """
            <div class="table-wrap"><table class="risks">
            <thead><tr><th scope="col">Monitor</th><th scope="col">Risk</th><th scope="col">Why</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }
}
