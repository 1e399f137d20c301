import Foundation
import VigilCore
import VigilEngine
import VigilStore

/// The parts of an incident that both the monitor page and the incident page show.
enum IncidentSections {
    /// What is blocked and why, what still works, and the root cause.
    static func diagnosis(_ diagnosis: Diagnosis?, now: Date) -> HTML {
        guard let diagnosis else {
            return "<p class=\"muted\">No diagnosis yet: Vigil diagnoses when a monitor that declares capabilities stalls.</p>"
        }
        if diagnosis.blocked.isEmpty && diagnosis.available.isEmpty {
            return "<p>\(diagnosis.summary.prefix(1).uppercased() + diagnosis.summary.dropFirst()).</p>"
        }
        let roots: HTML = diagnosis.rootCauses.isEmpty
            ? "<p>No root cause: nothing the monitor depends on is blocked.</p>"
            : "<p class=\"root\">Root cause: \(diagnosis.rootCauses.map { HTML("<strong>\($0)</strong>") }.joined(separator: ", "))</p>"
        let blocked: [HTML] = diagnosis.blocked.map { item in
            let by: HTML = item.blockedBy.map { " <span class=\"muted\">(because \($0) is blocked)</span>" } ?? .empty
            return "<li><span class=\"pill stalled\">blocked</span> <strong>\(item.capability)</strong>: \(item.reason)\(by)</li>"
        }
        let available: [HTML] = diagnosis.available.map { name in
            let warning: HTML = diagnosis.warnings[name].map { " <span class=\"warn\">— \($0)</span>" } ?? .empty
            return "<li><span class=\"pill up\">available</span> <strong>\(name)</strong>\(warning)</li>"
        }
        return """
            \(roots)
            <ul class="capabilities">\(blocked)\(available)</ul>
            <p class="muted">Diagnosed \(DashboardFormat.time(diagnosis.at, now: now)).</p>
            """
    }

    /// Each recovery attempt: the action, when, the result and the action's output.
    static func attempts(_ attempts: [RecoveryAttempt], now: Date) -> HTML {
        guard !attempts.isEmpty else { return "<p class=\"muted\">No recovery action ran.</p>" }
        let rows: [HTML] = attempts.map { attempt in
            let result = attempt.result.rawValue.replacingOccurrences(of: "_", with: " ")
            let tone = switch attempt.result {
            case .recovered: "up"
            case .pending: "recovering"
            case .noProgress: "late"
            case .failed: "stalled"
            }
            var outcome = ""
            if let found = attempt.outcome {
                outcome = found.status.rawValue + (found.code.map { " (\($0))" } ?? "")
            }
            let output: HTML = attempt.outcome.flatMap { found in
                found.output.isEmpty ? nil : HTML("<details><summary>Output</summary><pre>\(found.output)</pre></details>")
            } ?? .empty
            return """
                <tr><td data-label="#">\(attempt.number)</td><th scope="row" data-label="Action">\(attempt.action)</th>\
                <td data-label="Started">\(DashboardFormat.time(attempt.startedAt, now: now))</td>\
                <td data-label="Result"><span class="pill \(tone)">\(result)</span> <span class="muted">\(outcome)</span>\(output)</td></tr>
                """
        }
        return """
            <div class="table-wrap"><table class="attempts">
            <caption class="visually-hidden">Recovery attempts, oldest first</caption>
            <thead><tr><th scope="col">#</th><th scope="col">Action</th><th scope="col">Started</th><th scope="col">Result</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    /// A table of incidents, newest first.
    static func list(_ incidents: [Incident], slugs: (UUID) -> (slug: String, href: String)?, now: Date) -> HTML {
        guard !incidents.isEmpty else { return "<p class=\"notice\">No incidents. Everything has kept moving.</p>" }
        let rows: [HTML] = incidents.map { incident in
            let monitor: HTML = slugs(incident.monitorID).map { "<a href=\"\($0.href)\">\($0.slug)</a>" }
                ?? "<span class=\"muted\">removed monitor</span>"
            let id = incident.id.uuidString.lowercased()
            let recovered: HTML = incident.resolvedAt.map { resolved in
                "\(DashboardFormat.duration(resolved.timeIntervalSince(incident.onset))) <span class=\"muted\">(\(incident.resolution ?? "resolved"))</span>"
            } ?? "<span class=\"muted\">open for \(DashboardFormat.duration(now.timeIntervalSince(incident.onset)))</span>"
            return """
                <tr data-incident-id="\(id)"><th scope="row" data-label="Incident"><a href="/incidents/\(id)"><code>\(DashboardFormat.shortID(incident.id))</code></a></th>\
                <td data-label="Monitor">\(monitor)</td>\
                <td data-label="Status">\(DashboardLayout.incidentPill(resolved: incident.resolvedAt != nil)) \(incident.cause.rawValue)</td>\
                <td data-label="Onset">\(DashboardFormat.time(incident.onset, now: now))</td>\
                <td data-label="Detected after">\(DashboardFormat.duration(incident.detectedAt.timeIntervalSince(incident.onset)))</td>\
                <td data-label="Recovered in">\(recovered)</td></tr>
                """
        }
        return """
            <div class="table-wrap"><table class="incidents">
            <caption class="visually-hidden">Incidents, newest first</caption>
            <thead><tr><th scope="col">Incident</th><th scope="col">Monitor</th><th scope="col">Status</th>\
            <th scope="col">Onset</th><th scope="col">Detected after</th><th scope="col">Recovered in</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }

    /// Journal lines, newest first.
    static func journal(_ entries: [JournalEntry], now: Date) -> HTML {
        guard !entries.isEmpty else { return "<p class=\"muted\">Nothing journaled yet.</p>" }
        let rows: [HTML] = entries.map { entry in
            let change: HTML = if let from = entry.from, let to = entry.to {
                "<span class=\"pill \(from.rawValue)\">\(from.rawValue)</span> → <span class=\"pill \(to.rawValue)\">\(to.rawValue)</span> "
            } else {
                .empty
            }
            return """
                <tr><td data-label="Time">\(DashboardFormat.time(entry.at, now: now))</td>\
                <th scope="row" data-label="Event">\(entry.event.rawValue)</th>\
                <td data-label="Detail">\(change)\(entry.detail)</td></tr>
                """
        }
        return """
            <div class="table-wrap"><table class="timeline">
            <caption class="visually-hidden">Journal, newest first</caption>
            <thead><tr><th scope="col">Time</th><th scope="col">Event</th><th scope="col">Detail</th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """
    }
}
