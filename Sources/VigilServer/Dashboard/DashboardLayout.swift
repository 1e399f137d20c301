import Foundation
import VigilCore

/// The frame of every dashboard page: head, skip link, navigation, live indicator and footer.
enum DashboardLayout {
    enum Section: String {
        case monitors, incidents, reports
    }

    /// What the live script follows on this page: nothing, every monitor, or one monitor.
    enum Live {
        case off
        case overview
        case monitor(UUID)
    }

    static func page(title: String, section: Section?, live: Live = .off, now: Date, _ main: HTML) -> HTML {
        let links: [(Section, String, String)] = [
            (.monitors, "/", "Monitors"), (.incidents, "/incidents", "Incidents"), (.reports, "/reports", "Reports"),
        ]
        let navigation: [HTML] = links.map { item, href, name in
            item == section
                ? "<li><a href=\"\(href)\" aria-current=\"page\">\(name)</a></li>"
                : "<li><a href=\"\(href)\">\(name)</a></li>"
        }
        let liveAttributes: HTML = switch live {
        case .off: .empty
        case .overview: " data-live=\"overview\""
        case .monitor(let id): " data-live=\"monitor\" data-monitor-id=\"\(id.uuidString.lowercased())\""
        }
        return """
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) — Vigil</title>
            <link rel="stylesheet" href="\(DashboardAssets.url("vigil.css"))">
            <link rel="icon" href="\(DashboardAssets.url("favicon.svg"))" type="image/svg+xml">
            <script src="\(DashboardAssets.url("vigil.js"))" defer></script>
            <noscript><meta http-equiv="refresh" content="60"></noscript>
            </head>
            <body\(liveAttributes)>
            <a class="skip" href="#main">Skip to content</a>
            <header class="top">
            <nav aria-label="Main">
            <a class="brand" href="/"><svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" focusable="false"><circle cx="10" cy="10" r="8" class="brand-ring"/><path d="M5 10.5l3 3 7-7" class="brand-tick"/></svg>Vigil</a>
            <ul>\(navigation)</ul>
            <span id="live" class="live" hidden><span class="live-dot" aria-hidden="true"></span><span class="live-text">Live</span></span>
            </nav>
            </header>
            <main id="main" tabindex="-1">
            \(main)
            </main>
            <div id="announcer" class="visually-hidden" role="status" aria-live="polite" aria-atomic="true"></div>
            <footer class="foot">Rendered \(DashboardFormat.time(now, now: now)) · times in UTC on hover</footer>
            </body>
            </html>
            """
    }

    /// A coloured state pill with the state in words, so that colour is never the only cue.
    static func pill(_ status: MonitorStatus, running: Bool = false) -> HTML {
        let run: HTML = running ? " <span class=\"tag running\">running</span>" : .empty
        return "<span class=\"pill \(status.rawValue)\" data-field=\"state\">\(status.rawValue)</span>\(run)"
    }

    /// A pill for an incident: open (red) or resolved (green).
    static func incidentPill(resolved: Bool) -> HTML {
        resolved ? "<span class=\"pill up\">resolved</span>" : "<span class=\"pill stalled\">open</span>"
    }

    /// Tag chips that filter the overview.
    static func tags(_ tags: [String]) -> HTML {
        guard !tags.isEmpty else { return .empty }
        let chips: [HTML] = tags.map { tag in
            "<li><a class=\"tag\" href=\"/?tag=\(DashboardFormat.query(tag))\">\(tag)</a></li>"
        }
        return "<ul class=\"tags\" aria-label=\"Tags\">\(chips)</ul>"
    }

    /// The link to a monitor's page: by slug when the slug names only it, else by its id (never by its ping key,
    /// which read-only access may not see).
    static func monitorPath(slug: String, id: UUID, unique: Bool) -> String {
        "/monitors/" + DashboardFormat.segment(unique ? slug : id.uuidString.lowercased())
    }

    /// A page that says what went wrong and where to go next.
    static func problem(title: String, message: String, now: Date) -> HTML {
        page(title: title, section: nil, now: now, """
            <h1>\(title)</h1>
            <p class="notice">\(message)</p>
            <p><a href="/">Back to all monitors</a></p>
            """)
    }
}
