import Foundation
import VigilCore
import VigilEngine
import VigilStore

/// `/incidents`: the newest incidents of every monitor, or of one.
struct IncidentsPage {
    var incidents: [Incident]
    var monitor: String?
    var openOnly: Bool
    var slugs: (UUID) -> (slug: String, href: String)?
    var now: Date

    func render() -> HTML {
        var filters: [HTML] = []
        let monitorQuery = monitor.map { "monitor=\(DashboardFormat.query($0))" }
        let all = "/incidents" + (monitorQuery.map { "?\($0)" } ?? "")
        let open = "/incidents?status=open" + (monitorQuery.map { "&\($0)" } ?? "")
        filters.append(openOnly ? "<a href=\"\(all)\">All</a>" : "<a href=\"\(all)\" aria-current=\"true\">All</a>")
        filters.append(openOnly ? "<a href=\"\(open)\" aria-current=\"true\">Open</a>" : "<a href=\"\(open)\">Open</a>")
        let scope: HTML = monitor.map { "<p class=\"filters\">Incidents of <strong>\($0)</strong>. <a href=\"/incidents\">All monitors</a></p>" } ?? .empty
        let shown = openOnly ? incidents.filter { $0.resolvedAt == nil } : incidents
        let main: HTML = """
            <div class="heading"><h1>Incidents</h1><nav class="segmented" aria-label="Which incidents">\(filters.joined(separator: " "))</nav></div>
            \(scope)
            \(IncidentSections.list(shown, slugs: slugs, now: now))
            """
        return DashboardLayout.page(title: "Incidents", section: .incidents, now: now, main)
    }
}

/// `/incidents/{id}`: one incident with its diagnosis, attempts, acknowledgement and timeline.
struct IncidentPage {
    var incident: Incident
    var monitor: (slug: String, href: String)?
    var record: RecoveryRecord
    var timeline: [JournalEntry]
    /// True when this server runs recovery, so the incident can be acknowledged here.
    var canAcknowledge: Bool
    /// A message after an acknowledgement, or why it failed.
    var flash: String?
    var now: Date

    func render() -> HTML {
        let id = incident.id.uuidString.lowercased()
        let short = DashboardFormat.shortID(incident.id)
        let open = incident.resolvedAt == nil
        let monitorLink: HTML = monitor.map { "<a href=\"\($0.href)\">\($0.slug)</a>" } ?? "a removed monitor"
        let resolved: HTML = incident.resolvedAt.map { at in
            "<div><dt>Resolved</dt><dd>\(DashboardFormat.time(at, now: now)) · \(incident.resolution ?? "resolved")</dd></div><div><dt>Time to recover</dt><dd>\(DashboardFormat.duration(at.timeIntervalSince(incident.onset)))</dd></div>"
        } ?? "<div><dt>Open for</dt><dd>\(DashboardFormat.duration(now.timeIntervalSince(incident.onset)))</dd></div>"
        let acknowledged: HTML = record.acknowledgedAt.map { at in
            "<div><dt>Acknowledged</dt><dd>\(DashboardFormat.time(at, now: now)) by \(record.acknowledgedBy ?? "someone")</dd></div>"
        } ?? .empty
        var acknowledge: HTML = .empty
        if open, record.acknowledgedAt == nil, canAcknowledge {
            acknowledge = """
                <form method="post" action="/incidents/\(id)/ack" class="ack">\
                <button type="submit">Acknowledge</button> <span class="muted">Stops escalation; Vigil keeps watching for progress.</span></form>
                """
        }
        let flashLine: HTML = flash.map { "<p class=\"notice\" role=\"status\">\($0)</p>" } ?? .empty
        let main: HTML = """
            <nav class="crumbs" aria-label="Breadcrumb"><a href="/incidents">Incidents</a> / <span aria-current="page">\(short)</span></nav>
            <div class="heading"><h1>Incident <code>\(short)</code></h1> \(DashboardLayout.incidentPill(resolved: !open))</div>
            \(flashLine)
            <dl class="facts">
            <div><dt>Monitor</dt><dd>\(monitorLink)</dd></div>
            <div><dt>Cause</dt><dd>\(incident.cause.rawValue)</dd></div>
            <div><dt>Onset</dt><dd>\(DashboardFormat.time(incident.onset, now: now))</dd></div>
            <div><dt>Detected</dt><dd>\(DashboardFormat.time(incident.detectedAt, now: now)) · after \(DashboardFormat.duration(incident.detectedAt.timeIntervalSince(incident.onset)))</dd></div>
            \(resolved)
            \(acknowledged)
            <div><dt>Id</dt><dd><code>\(id)</code></dd></div>
            </dl>
            \(acknowledge)
            <section aria-labelledby="diagnosis"><h2 id="diagnosis">Diagnosis</h2>
            \(IncidentSections.diagnosis(record.diagnoses.last, now: now))
            </section>
            <section aria-labelledby="attempts"><h2 id="attempts">Recovery attempts</h2>
            \(IncidentSections.attempts(record.attempts, now: now))
            </section>
            <section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>
            \(IncidentSections.journal(timeline, now: now))
            </section>
            """
        return DashboardLayout.page(title: "Incident \(short)", section: .incidents, now: now, main)
    }
}
