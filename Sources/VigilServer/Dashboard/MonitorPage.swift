import Foundation
import VigilCore
import VigilEngine
import VigilStore

/// `/monitors/{slug}`: one monitor's facts, open incident with diagnosis and attempts, calibration and forecast,
/// timeline of signals and journal lines, incidents, figures and badge.
struct MonitorPage {
    var snapshot: Engine.Snapshot
    var signals: [StoredSignal]
    var journal: [JournalEntry]
    var incidents: [Incident]
    /// The open incident, or else the newest one, with what was tried.
    var focus: (incident: Incident, record: RecoveryRecord)?
    var report: EngineReport?
    var reportDays: Int
    var calibrationMode: CalibrationMode
    var calibrated: CalibratedDeadline?
    var badgeURL: String
    /// This page's own path.
    var path: String
    /// Whether the viewer may see the ping URL, which carries the monitor's ping key: read-write access only.
    var showsPingURL: Bool
    var now: Date

    func render() -> HTML {
        let monitor = snapshot.monitor
        let view = MonitorView(snapshot)
        let main: HTML = """
            <nav class="crumbs" aria-label="Breadcrumb"><a href="/">Monitors</a> / <span aria-current="page">\(monitor.slug)</span></nav>
            <div class="heading monitor-head" data-monitor-id="\(monitor.id.uuidString.lowercased())" data-state="\(snapshot.state.status.rawValue)">\
            <h1>\(monitor.slug)</h1> \(DashboardLayout.pill(snapshot.state.status, running: snapshot.state.isRunning))</div>
            \(DashboardLayout.tags(monitor.tags))
            <dl class="facts">
            <div><dt>Schedule</dt><dd>\(view.schedule) · grace \(view.grace)</dd></div>
            <div><dt>Last progress</dt><dd data-field="last_progress">\(DashboardFormat.time(snapshot.state.lastProgressAt, now: now))</dd></div>
            <div><dt>Last signal</dt><dd data-field="last_signal">\(DashboardFormat.time(snapshot.state.lastSignalAt, now: now))</dd></div>
            <div><dt>Next deadline</dt><dd data-field="next_deadline">\(DashboardFormat.time(snapshot.deadline, now: now, none: "none"))</dd></div>
            <div><dt>In this state since</dt><dd data-field="since">\(DashboardFormat.time(snapshot.state.since, now: now))</dd></div>
            <div><dt>Progress counts</dt><dd>\(progressKinds())</dd></div>
            </dl>
            \(showsPingURL ? HTML("<p class=\"ping\">Ping URL: <code>\(snapshot.pingURL)</code></p>") : "<p class=\"ping muted\">The ping URL is shown to read-write access only.</p>")
            \(incidentSection())
            <section aria-labelledby="learning"><h2 id="learning">Calibration and forecast</h2>
            \(calibration())
            \(forecast())
            </section>
            <section aria-labelledby="timeline"><h2 id="timeline">Timeline</h2>
            <p class="muted">Signals and journal lines, newest first. New ones appear here as they arrive.</p>
            \(timeline())
            </section>
            <section aria-labelledby="history"><h2 id="history">Incidents</h2>
            \(IncidentSections.list(incidents, slugs: { [path] _ in (monitor.slug, path) }, now: now))
            <p><a href="/incidents?monitor=\(DashboardFormat.query(monitor.slug))">All incidents of \(monitor.slug)</a></p>
            </section>
            \(figures())
            <section aria-labelledby="badge"><h2 id="badge">Status badge</h2>
            <p><img src="\(badgeURL)" alt="\(monitor.slug) status badge" height="20"></p>
            <label for="badge-md">Markdown</label>
            <input id="badge-md" class="copy" readonly value="![\(monitor.slug)](\(badgeURL))">
            <p class="muted">The URL is signed, so it works without a login; add <code>.json</code> instead of \
            <code>.svg</code> for a shields.io endpoint.</p>
            </section>
            """
        return DashboardLayout.page(
            title: monitor.slug, section: .monitors, live: .monitor(monitor.id), now: now, main)
    }

    private func progressKinds() -> HTML {
        let monitor = snapshot.monitor
        var kinds: [HTML] = monitor.progressKinds.sorted().map { "<code>\($0)</code>" }
        kinds += monitor.advancingKinds.sorted().map { "<code>\($0)</code> when it grows" }
        return kinds.joined(separator: ", ")
    }

    private func incidentSection() -> HTML {
        guard let focus else { return .empty }
        let incident = focus.incident
        let open = incident.resolvedAt == nil
        let title: HTML = open ? "Open incident" : "Latest incident"
        let id = incident.id.uuidString.lowercased()
        let status: HTML = open
            ? "began \(DashboardFormat.time(incident.onset, now: now)), detected \(DashboardFormat.duration(incident.detectedAt.timeIntervalSince(incident.onset))) later"
            : "\(DashboardFormat.time(incident.onset, now: now)), recovered in \(DashboardFormat.duration(incident.resolvedAt.map { $0.timeIntervalSince(incident.onset) }))"
        return """
            <section aria-labelledby="incident" class="\(open ? "panel alert" : "panel")"><h2 id="incident">\(title)</h2>
            <p>\(DashboardLayout.incidentPill(resolved: !open)) <a href="/incidents/\(id)">Incident <code>\(DashboardFormat.shortID(incident.id))</code></a> · \(incident.cause.rawValue) · \(status)</p>
            <h3>Diagnosis</h3>
            \(IncidentSections.diagnosis(focus.record.diagnoses.last, now: now))
            <h3>Recovery attempts</h3>
            \(IncidentSections.attempts(focus.record.attempts, now: now))
            </section>
            """
    }

    private func calibration() -> HTML {
        switch calibrationMode {
        case .off:
            return "<p>Calibration is off: the deadline is the configured schedule plus grace. Set <code>calibrate: suggest</code> to learn one from this monitor's history.</p>"
        case .suggest, .auto:
            let mode: HTML = calibrationMode == .auto ? "applied (<code>calibrate: auto</code>)" : "suggested (<code>calibrate: suggest</code>)"
            guard let calibrated else { return "<p>Calibration is \(mode), but no deadline has been learned yet.</p>" }
            return "<p class=\"calibration\">Learned deadline \(DashboardFormat.duration(calibrated.silence)), \(mode): \(calibrated.explanation)</p>"
        }
    }

    private func forecast() -> HTML {
        guard let risk = report?.forecasts.first?.risk else { return .empty }
        let percent = DashboardFormat.percent(risk.probability)
        let level = risk.probability >= 0.6 ? "high" : risk.probability >= 0.3 ? "medium" : "low"
        let reasons: [HTML] = risk.reasons.map { "<li>\($0)</li>" }
        return """
            <div class="risk risk-\(level)"><p><strong>Stall risk now: \(percent)</strong> \
            <meter min="0" max="1" low="0.3" high="0.6" optimum="0" value="\(String(format: "%.3f", risk.probability))">\(percent)</meter></p>
            <ul>\(reasons)</ul></div>
            """
    }

    private func timeline() -> HTML {
        enum Line {
            case signal(StoredSignal)
            case journal(JournalEntry)
            var at: Date {
                switch self {
                case .signal(let stored): stored.signal.at
                case .journal(let entry): entry.at
                }
            }
        }
        let lines = (signals.map(Line.signal) + journal.map(Line.journal)).sorted { $0.at > $1.at }.prefix(80)
        let rows: [HTML] = lines.map { line in
            switch line {
            case .signal(let stored): Self.signalRow(stored, now: now)
            case .journal(let entry):
                """
                <tr class="journal-line"><td data-label="Time">\(DashboardFormat.time(entry.at, now: now))</td>\
                <th scope="row" data-label="Event">\(entry.event.rawValue)</th>\
                <td data-label="Detail">\(Self.change(entry.from, entry.to))\(entry.detail)</td></tr>
                """
            }
        }
        return """
            <div class="table-wrap"><table class="timeline" id="timeline-table">
            <caption class="visually-hidden">Signals and journal lines, newest first</caption>
            <thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Detail</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            \(rows.isEmpty ? HTML("<p class=\"muted\" data-empty-timeline>No signals yet.</p>") : .empty)
            """
    }

    static func change(_ from: MonitorStatus?, _ to: MonitorStatus?) -> HTML {
        guard let from, let to else { return .empty }
        return "<span class=\"pill \(from.rawValue)\">\(from.rawValue)</span> → <span class=\"pill \(to.rawValue)\">\(to.rawValue)</span> "
    }

    /// A signal: its kind, whether it was progress, its value, run duration, source and body.
    static func signalRow(_ stored: StoredSignal, now: Date) -> HTML {
        let signal = stored.signal
        var details: [HTML] = []
        if stored.isProgress { details.append("<span class=\"tag progress\">progress</span>") }
        if let value = signal.value { details.append("value <strong>\(Self.number(value))</strong>") }
        if let duration = stored.runDuration { details.append("run took \(DashboardFormat.duration(duration))") }
        if let source = signal.source { details.append("<span class=\"muted\">from \(source)</span>") }
        if let body = signal.body, !body.isEmpty {
            details.append(
                body.count > 120 || body.contains("\n")
                    ? "<details><summary>\(String(body.prefix(60)).replacingOccurrences(of: "\n", with: " "))…</summary><pre>\(body)</pre></details>"
                    : "<code class=\"body\">\(body)</code>")
        }
        let tone = signal.kind.isFailure ? "failing" : stored.isProgress ? "up" : "neutral"
        return """
            <tr class="signal-line"><td data-label="Time">\(DashboardFormat.time(signal.at, now: now))</td>\
            <th scope="row" data-label="Event"><span class="kind \(tone)">\(signal.kind.rawValue)</span></th>\
            <td data-label="Detail">\(details.joined(separator: " · "))</td></tr>
            """
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    private func figures() -> HTML {
        guard let report else { return .empty }
        let metrics = report.journal.overall
        let spark = report.journal.sparklines[snapshot.monitor.slug] ?? []
        return """
            <section aria-labelledby="figures"><h2 id="figures">Last \(reportDays) days</h2>
            <dl class="cards">
            <div><dt>Incidents</dt><dd>\(metrics.incidents)</dd></div>
            <div><dt>MTTD (median)</dt><dd>\(DashboardFormat.duration(metrics.timeToDetect?.p50))</dd></div>
            <div><dt>MTTR (median)</dt><dd>\(DashboardFormat.duration(metrics.timeToRecover?.p50))</dd></div>
            <div><dt>Availability</dt><dd>\(DashboardFormat.availability(metrics.availability))</dd></div>
            </dl>
            <p>Progress per day: \(Chart.sparkline(spark, label: "Progress per day over \(reportDays) days", width: 280, height: 40))</p>
            </section>
            """
    }
}
