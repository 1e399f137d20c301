import Foundation
import VigilCore
import VigilEngine

/// `/`: every monitor at a glance, worst first, with filters by state, tag and name.
struct OverviewPage {
    /// At most this many rows on one page; filters or `?page=` reach the rest.
    static let pageSize = 500
    /// Problems first: open incidents, then late, then the rest by name.
    static let severity: [MonitorStatus: Int] = [
        .stalled: 0, .failing: 0, .recovering: 1, .late: 2, .up: 3, .new: 4, .paused: 5,
    ]

    var snapshots: [Engine.Snapshot]
    /// Progress per day for each slug, oldest day first; nil when there are too many monitors to count.
    var sparklines: [String: [Int]]?
    var sparklineDays: Int
    var state: MonitorStatus?
    var tag: String?
    var search: String?
    var page: Int
    var now: Date

    func render() -> HTML {
        var counts: [MonitorStatus: Int] = [:]
        for snapshot in snapshots { counts[snapshot.state.status, default: 0] += 1 }
        let slugCounts = Dictionary(snapshots.map { ($0.monitor.slug, 1) }, uniquingKeysWith: +)
        let matching = snapshots.filter { snapshot in
            (state == nil || snapshot.state.status == state)
                && (tag == nil || snapshot.monitor.tags.contains(tag!))
                && (search == nil || search!.isEmpty || snapshot.monitor.slug.localizedCaseInsensitiveContains(search!))
        }.sorted { a, b in
            let (left, right) = (Self.severity[a.state.status] ?? 9, Self.severity[b.state.status] ?? 9)
            return left != right ? left < right : a.monitor.slug < b.monitor.slug
        }
        let pages = max(1, (matching.count + Self.pageSize - 1) / Self.pageSize)
        let current = min(max(1, page), pages)
        let shown = matching.dropFirst((current - 1) * Self.pageSize).prefix(Self.pageSize)
        let rows: [HTML] = shown.map { row($0, unique: slugCounts[$0.monitor.slug] == 1) }
        let body: HTML
        if snapshots.isEmpty {
            body = """
                <p class="notice">No monitors yet. Declare them under <code>monitors:</code> in <code>vigil.yml</code>, \
                or create one by pinging <code>/ping/&lt;ping_key&gt;/&lt;slug&gt;?create=1</code>.</p>
                """
        } else if matching.isEmpty {
            body = "<p class=\"notice\">No monitor matches these filters. <a href=\"/\">Show all monitors</a>.</p>"
        } else {
            body = """
                <div class="table-wrap">
                <table class="monitors">
                <caption class="visually-hidden">Monitors, problems first</caption>
                <thead><tr><th scope="col">Monitor</th><th scope="col">State</th><th scope="col">Last progress</th>\
                <th scope="col">Next deadline</th><th scope="col">Schedule</th>\
                <th scope="col">Progress, \(sparklineDays) days</th></tr></thead>
                <tbody>\(rows)</tbody>
                </table>
                </div>
                \(pager(current: current, pages: pages, total: matching.count))
                """
        }
        let main: HTML = """
            <div class="heading"><h1>Monitors</h1>\(searchForm())</div>
            \(summary(counts))
            \(filterNote())
            \(body)
            """
        return DashboardLayout.page(title: "Monitors", section: .monitors, live: .overview, now: now, main)
    }

    private func row(_ snapshot: Engine.Snapshot, unique: Bool) -> HTML {
        let monitor = snapshot.monitor
        let href = DashboardLayout.monitorPath(slug: monitor.slug, id: monitor.id, unique: unique)
        let schedule = MonitorView(snapshot).schedule
        let spark: HTML = sparklines.map { lines in
            Chart.sparkline(
                lines[monitor.slug] ?? Array(repeating: 0, count: sparklineDays),
                label: "Progress per day over \(sparklineDays) days")
        } ?? "<span class=\"muted\" title=\"too many monitors to count\">—</span>"
        return """
            <tr data-monitor-id="\(monitor.id.uuidString.lowercased())" data-state="\(snapshot.state.status.rawValue)">\
            <th scope="row" data-label="Monitor"><a href="\(href)">\(monitor.slug)</a>\(DashboardLayout.tags(monitor.tags))</th>\
            <td data-label="State">\(DashboardLayout.pill(snapshot.state.status, running: snapshot.state.isRunning))</td>\
            <td data-label="Last progress" data-field="last_progress">\(DashboardFormat.time(snapshot.state.lastProgressAt, now: now))</td>\
            <td data-label="Next deadline" data-field="next_deadline">\(deadline(snapshot))</td>\
            <td data-label="Schedule">\(schedule)<span class="muted"> · grace \(DashboardFormat.duration(monitor.grace))</span></td>\
            <td data-label="Progress">\(spark)</td></tr>
            """
    }

    /// The next deadline, or why there is none.
    private func deadline(_ snapshot: Engine.Snapshot) -> HTML {
        if let deadline = snapshot.deadline { return DashboardFormat.time(deadline, now: now) }
        return switch snapshot.state.status {
        case .paused: "<span class=\"muted\">paused</span>"
        case .stalled, .failing, .recovering: "<span class=\"muted\">waiting for progress</span>"
        default: "<span class=\"muted\">none</span>"
        }
    }

    private func summary(_ counts: [MonitorStatus: Int]) -> HTML {
        let order: [MonitorStatus] = [.stalled, .failing, .recovering, .late, .up, .new, .paused]
        var items: [HTML] = [
            "<li><a href=\"/\"\(state == nil ? HTML(" aria-current=\"true\"") : .empty)>All <strong data-count=\"all\">\(snapshots.count)</strong></a></li>"
        ]
        for status in order {
            let count = counts[status] ?? 0
            // States that nobody is in stay hidden until a live update needs them.
            let hidden: HTML = count == 0 && status != .up ? " hidden" : .empty
            let current: HTML = state == status ? " aria-current=\"true\"" : .empty
            items.append(
                "<li\(hidden) data-summary=\"\(status.rawValue)\"><a href=\"/?state=\(status.rawValue)\"\(current)><span class=\"pill \(status.rawValue)\">\(status.rawValue)</span> <strong data-count=\"\(status.rawValue)\">\(count)</strong></a></li>")
        }
        return "<ul class=\"summary\" aria-label=\"Monitors by state\">\(items)</ul>"
    }

    private func filterNote() -> HTML {
        var parts: [HTML] = []
        if let state { parts.append("state <strong>\(state.rawValue)</strong>") }
        if let tag { parts.append("tag <strong>\(tag)</strong>") }
        if let search, !search.isEmpty { parts.append("name containing <strong>\(search)</strong>") }
        guard !parts.isEmpty else { return .empty }
        return "<p class=\"filters\">Showing monitors with \(parts.joined(separator: ", ")). <a href=\"/\">Clear filters</a></p>"
    }

    private func searchForm() -> HTML {
        let tagField: HTML = tag.map { "<input type=\"hidden\" name=\"tag\" value=\"\($0)\">" } ?? .empty
        let stateField: HTML = state.map { "<input type=\"hidden\" name=\"state\" value=\"\($0.rawValue)\">" } ?? .empty
        return """
            <form class="search" method="get" action="/" role="search">\(tagField)\(stateField)\
            <label for="q" class="visually-hidden">Find a monitor</label>\
            <input id="q" name="q" type="search" placeholder="Find a monitor" value="\(search ?? "")">\
            <button type="submit">Find</button></form>
            """
    }

    private func pager(current: Int, pages: Int, total: Int) -> HTML {
        guard pages > 1 else { return .empty }
        var query = ""
        if let state { query += "&state=\(state.rawValue)" }
        if let tag { query += "&tag=\(DashboardFormat.query(tag))" }
        if let search { query += "&q=\(DashboardFormat.query(search))" }
        let previous: HTML = current > 1 ? "<a href=\"/?page=\(current - 1)\(query)\" rel=\"prev\">Previous</a>" : .empty
        let next: HTML = current < pages ? "<a href=\"/?page=\(current + 1)\(query)\" rel=\"next\">Next</a>" : .empty
        return """
            <nav class="pager" aria-label="Pages">\(previous) <span>Page \(current) of \(pages) · \(total) monitors</span> \(next)</nav>
            """
    }
}
