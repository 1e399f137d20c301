import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import VigilCore
import VigilEngine
@testable import VigilServer
import VigilStore

/// An engine on a real SQLite file with a manual clock and the production router over it: `backup` is up,
/// `agent` stalled with a diagnosed incident and a recovery attempt, `fresh` has never pinged.
///
/// The production router reads the system clock, so the story starts five hours ago and the engine's clock
/// ends almost four hours before the pages' now.
struct DashboardHarness {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let secret = Array("dashboard-test-secret".utf8)
    static let hostileTag = "a&b<i>\"x\"</i>"
    static let hostileBody = "<script>alert('owned')</script>"

    let directory: URL
    let store: SQLiteStore
    let engine: Engine
    let recovery: RecoveryCoordinator
    let clock: DashboardClock
    let incident: Incident
    /// The agent's first and only progress.
    let t0: Date

    var now: Date { clock.now }

    static func start() async throws -> DashboardHarness {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-dashboard-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: directory.appendingPathComponent("vigil.sqlite").path)
        let t0 = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 - 5 * 3_600).rounded(.down))
        let clock = DashboardClock(t0)
        let engine = Engine(
            store: store,
            settings: Engine.Settings(
                baseURL: "http://127.0.0.1:8080", pingKey: nil, notify: [], defaultRateLimit: nil),
            now: { clock.now })
        try await engine.start(declaring: [
            MonitorDeclaration(slug: "backup", schedule: .every(3_600), grace: 600, tags: ["prod", hostileTag]),
            MonitorDeclaration(slug: "agent", schedule: .every(3_600), grace: 600, tags: ["bots"]),
            MonitorDeclaration(slug: "fresh", schedule: .every(3_600), grace: 600),
        ])
        let recovery = RecoveryCoordinator(
            engine: engine, settings: RecoverySettings(), configs: [:], now: { clock.now })
        let agent = try #require(engine.snapshot(slugOrKey: "agent")).monitor
        let backup = try #require(engine.snapshot(slugOrKey: "backup")).monitor
        _ = try await engine.receive(
            Signal(kind: .success, at: t0, body: hostileBody, source: "127.0.0.1"), for: .key(agent.key))
        // The agent misses its due time and its grace: stalled, with an incident.
        let stall = t0 + 3_600 + 600 + 1
        clock.set(stall)
        await engine.fireDeadlines(at: stall)
        _ = try await engine.receive(Signal(kind: .success, at: stall - 60, value: 42), for: .key(backup.key))
        let incident = try #require(try await store.incidents(monitorID: agent.id, limit: 10).first)
        try await store.saveDiagnosis(
            Diagnosis(
                blocked: [.init(capability: "x-api", reason: "token <expired>", blockedBy: nil)],
                available: ["disk"], rootCauses: ["x-api"], warnings: [:], at: stall),
            incidentID: incident.id)
        var attempt = RecoveryAttempt(number: 1, action: "restart", startedAt: stall, idempotencyKey: "\(incident.id).1")
        attempt.outcome = ActionOutcome(
            status: .succeeded, code: 0, output: "restarted <ok>", startedAt: stall, finishedAt: stall + 1)
        attempt.result = .noProgress
        try await store.saveAttempt(attempt, incidentID: incident.id, monitorID: agent.id)
        clock.set(stall + 120)
        return DashboardHarness(
            directory: directory, store: store, engine: engine, recovery: recovery, clock: clock, incident: incident,
            t0: t0)
    }

    /// Runs `body` against the production router in-process, with access open, then removes the database.
    static func test(
        gate: Gate = .open,
        _ body: @Sendable (DashboardHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let harness = try await start()
        defer { try? FileManager.default.removeItem(at: harness.directory) }
        let router = buildRouter(
            engine: harness.engine, recovery: harness.recovery, pingBodyLimit: 1_000, gate: gate,
            badgeSecret: secret)
        try await Application(router: router).test(.router) { client in try await body(harness, client) }
    }

    static func get(
        _ client: any TestClientProtocol,
        _ uri: String,
        headers: HTTPFields = [:],
        expect status: HTTPResponse.Status = .ok,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> (TestResponse, String) {
        let response = try await client.execute(uri: uri, method: .get, headers: headers)
        let text = String(buffer: response.body)
        #expect(response.status == status, "GET \(uri): \(text.prefix(400))", sourceLocation: sourceLocation)
        return (response, text)
    }
}

/// A clock that stands still until a test moves it.
final class DashboardClock: Sendable {
    private let time: Mutex<Date>

    init(_ start: Date) {
        time = Mutex(start)
    }

    var now: Date { time.withLock { $0 } }

    func set(_ date: Date) {
        time.withLock { $0 = date }
    }
}

/// Every dashboard page, rendered on the server as a person without JavaScript would get it.
@Suite struct DashboardPagesTests {
    @Test func theOverviewShowsEveryMonitorWorstFirstWithStateLastProgressAndSparkline() async throws {
        try await DashboardHarness.test { harness, client in
            let (response, html) = try await DashboardHarness.get(client, "/")
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'self'") == true)
            #expect(html.hasPrefix("<!doctype html>"))
            // Problems first: the stalled agent, then the up backup, then the new monitor.
            let agent = try #require(html.range(of: "<a href=\"/monitors/agent\">agent</a>"))
            let backup = try #require(html.range(of: "<a href=\"/monitors/backup\">backup</a>"))
            let fresh = try #require(html.range(of: "<a href=\"/monitors/fresh\">fresh</a>"))
            #expect(agent.lowerBound < backup.lowerBound && backup.lowerBound < fresh.lowerBound)
            #expect(html.contains("<span class=\"pill stalled\" data-field=\"state\">stalled</span>"))
            #expect(html.contains("<span class=\"pill up\" data-field=\"state\">up</span>"))
            #expect(html.contains("<span class=\"pill new\" data-field=\"state\">new</span>"))
            // Backup's progress, shown relative with the absolute time as its title.
            let progress = harness.now - 180
            #expect(html.contains(
                "<time datetime=\"\(VigilJSON.format(progress))\" title=\"\(DashboardFormat.absolute(progress))\" data-relative>"))
            #expect(html.contains(">3 h ago</time>"))
            #expect(html.contains("<svg class=\"spark\""))
            #expect(html.contains("data-count=\"stalled\">1</strong>"))
            // Semantics a screen reader and keyboard rely on.
            #expect(html.contains("<a class=\"skip\" href=\"#main\">"))
            #expect(html.contains("<th scope=\"col\">Last progress</th>"))
            #expect(html.contains("aria-live=\"polite\""))
            #expect(html.contains("<meta name=\"viewport\""))
            #expect(html.contains("<noscript><meta http-equiv=\"refresh\""))
            #expect(html.contains("data-live=\"overview\""))
            // Tags are escaped, never markup.
            #expect(html.contains("a&amp;b&lt;i&gt;&quot;x&quot;&lt;/i&gt;"))
            #expect(!html.contains("<i>"))
            // Assets come from Vigil itself, versioned.
            #expect(html.contains("<link rel=\"stylesheet\" href=\"/assets/vigil.css?v="))
            #expect(html.contains("<script src=\"/assets/vigil.js?v="))
            #expect(!html.contains("https://"))
        }
    }

    @Test func theOverviewFiltersByStateTagAndNameAndRefusesAnUnknownState() async throws {
        try await DashboardHarness.test { _, client in
            let (_, stalled) = try await DashboardHarness.get(client, "/?state=stalled")
            #expect(stalled.contains(">agent</a>") && !stalled.contains(">backup</a>"))
            let (_, tagged) = try await DashboardHarness.get(client, "/?tag=prod")
            #expect(tagged.contains(">backup</a>") && !tagged.contains(">agent</a>"))
            let (_, named) = try await DashboardHarness.get(client, "/?q=fre")
            #expect(named.contains(">fresh</a>") && !named.contains(">agent</a>"))
            let (_, none) = try await DashboardHarness.get(client, "/?state=paused")
            #expect(none.contains("No monitor matches these filters"))
            let (_, wrong) = try await DashboardHarness.get(client, "/?state=sleeping", expect: .badRequest)
            #expect(wrong.contains("state &quot;sleeping&quot; is not one of new, up, late"))
            let (_, page) = try await DashboardHarness.get(client, "/?page=0", expect: .badRequest)
            #expect(page.contains("is not a number from 1 up"))
        }
    }

    @Test func theMonitorPageShowsTheIncidentDiagnosisAttemptsCalibrationForecastTimelineAndBadge() async throws {
        try await DashboardHarness.test { harness, client in
            let (_, html) = try await DashboardHarness.get(client, "/monitors/agent")
            #expect(html.contains("<h1>agent</h1>"))
            #expect(html.contains("<h2 id=\"incident\">Open incident</h2>"))
            #expect(html.contains("href=\"/incidents/\(harness.incident.id.uuidString.lowercased())\""))
            #expect(html.contains("Root cause: <strong>x-api</strong>"))
            #expect(html.contains("<strong>x-api</strong>: token &lt;expired&gt;"))
            #expect(html.contains("<span class=\"pill up\">available</span> <strong>disk</strong>"))
            #expect(html.contains("<th scope=\"row\" data-label=\"Action\">restart</th>"))
            #expect(html.contains("no progress"))
            #expect(html.contains("<pre>restarted &lt;ok&gt;</pre>"))
            #expect(html.contains("Calibration is off"))
            #expect(html.contains("Stall risk now:"))
            // The timeline has the signal, its escaped body and the journaled state changes.
            #expect(html.contains("<span class=\"kind up\">success</span>"))
            #expect(html.contains("&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;"))
            #expect(!html.contains("<script>alert"))
            #expect(html.contains("<span class=\"pill late\">late</span> → <span class=\"pill stalled\">stalled</span>"))
            // The badge is signed, so it can be embedded without a login.
            let badge = BadgeSigner(secret: DashboardHarness.secret).path(monitor: "agent", format: "svg")
            #expect(html.contains("<img src=\"http://127.0.0.1:8080\(badge)\""))
            #expect(html.contains("data-live=\"monitor\""))

            let (_, backup) = try await DashboardHarness.get(client, "/monitors/backup")
            #expect(backup.contains("value <strong>42</strong>"))
            #expect(backup.contains("<h2 id=\"incident\">") == false)

            let (_, missing) = try await DashboardHarness.get(client, "/monitors/nothing-here", expect: .notFound)
            #expect(missing.contains("No monitor has the slug or key nothing-here."))
        }
    }

    @Test func theIncidentPagesListAndShowAnIncidentAndAcknowledgeItFromTheSameSiteOnly() async throws {
        try await DashboardHarness.test { harness, client in
            let id = harness.incident.id.uuidString.lowercased()
            let (_, list) = try await DashboardHarness.get(client, "/incidents")
            #expect(list.contains("<a href=\"/incidents/\(id)\"><code>\(id.prefix(8))</code></a>"))
            #expect(list.contains("<span class=\"pill stalled\">open</span> stall"))
            let (_, open) = try await DashboardHarness.get(client, "/incidents?status=open&monitor=agent")
            #expect(open.contains(id))
            let (_, other) = try await DashboardHarness.get(client, "/incidents?monitor=backup")
            #expect(!other.contains(id) && other.contains("No incidents."))
            _ = try await DashboardHarness.get(client, "/incidents?monitor=ghost", expect: .notFound)

            let (_, page) = try await DashboardHarness.get(client, "/incidents/\(id.prefix(8))")
            #expect(page.contains("Root cause: <strong>x-api</strong>"))
            #expect(page.contains("<form method=\"post\" action=\"/incidents/\(id)/ack\""))
            #expect(page.contains("incident.opened"))

            // A form posted from another site changes nothing.
            let forged = try await client.execute(
                uri: "/incidents/\(id)/ack", method: .post, headers: [.origin: "https://evil.example"])
            #expect(forged.status == .forbidden)
            let crossSite = try await client.execute(
                uri: "/incidents/\(id)/ack", method: .post, headers: [HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
            #expect(crossSite.status == .forbidden)
            #expect(try await harness.store.recoveryRecord(incidentID: harness.incident.id).acknowledgedAt == nil)

            let acknowledged = try await client.execute(
                uri: "/incidents/\(id)/ack", method: .post, headers: [HTTPField.Name("Sec-Fetch-Site")!: "same-origin"])
            #expect(acknowledged.status == .seeOther)
            #expect(acknowledged.headers[.location] == "/incidents/\(id)?acknowledged=1")
            #expect(try await harness.store.recoveryRecord(incidentID: harness.incident.id).acknowledgedBy == "dashboard")
            let (_, after) = try await DashboardHarness.get(client, "/incidents/\(id)?acknowledged=1")
            #expect(after.contains("Acknowledged: escalation stops"))
            #expect(after.contains("by dashboard"))
            #expect(!after.contains("<form method=\"post\""))
            let again = try await client.execute(uri: "/incidents/\(id)/ack", method: .post)
            #expect(again.status == .conflict)

            let (_, missing) = try await DashboardHarness.get(client, "/incidents/ffffffff", expect: .notFound)
            #expect(missing.contains("No incident has the id ffffffff"))
        }
    }

    @Test func theReportsPageDrawsTheMTTRTrendHeatmapAndBlockers() async throws {
        try await DashboardHarness.test { harness, client in
            // Progress resumes: the incident recovers after 4h10m.
            let agent = try #require(harness.engine.snapshot(slugOrKey: "agent")).monitor
            let resume = harness.t0 + 5 * 3_600
            harness.clock.set(resume)
            _ = try await harness.engine.receive(Signal(kind: .success, at: resume), for: .key(agent.key))
            let (_, html) = try await DashboardHarness.get(client, "/reports?since=7d")
            #expect(html.contains("<h2 id=\"trend\">MTTR trend</h2>"))
            #expect(html.contains("<svg class=\"trend\""))
            #expect(html.contains("<path class=\"trend-line\""))
            // Onset is the missed due time, an hour after the last progress: four hours to recover.
            #expect(html.contains("<td>1</td><td>4h</td>"))
            #expect(html.contains("<svg class=\"heatmap\""))
            #expect(html.contains("Hour-of-week heatmap of 1 stall onsets"))
            #expect(html.contains("<tr><th scope=\"row\">x-api</th><td>1"))
            #expect(html.contains("<a href=\"/reports?since=7d\" aria-current=\"true\">7d</a>"))
            #expect(html.contains("<h2 id=\"risk\">Stall risk now</h2>"))

            let (_, wrong) = try await DashboardHarness.get(client, "/reports?since=5x", expect: .badRequest)
            #expect(wrong.contains("since &quot;5x&quot;"))
        }
    }

    @Test func assetsAreServedByVigilWithCacheHeaders() async throws {
        try await DashboardHarness.test { _, client in
            let (_, page) = try await DashboardHarness.get(client, "/")
            let link = try #require(page.firstMatch(of: /href="(\/assets\/vigil\.css\?v=([0-9a-f]+))"/))
            let (css, text) = try await DashboardHarness.get(client, String(link.output.1))
            #expect(css.headers[.contentType] == "text/css; charset=utf-8")
            #expect(css.headers[.cacheControl] == "public, max-age=31536000, immutable")
            #expect(text.contains(".pill.stalled"))
            let etag = try #require(css.headers[.eTag])
            #expect(etag == "\"\(link.output.2)\"")

            let (plain, _) = try await DashboardHarness.get(client, "/assets/vigil.css")
            #expect(plain.headers[.cacheControl] == "no-cache")
            let revalidated = try await client.execute(
                uri: "/assets/vigil.css", method: .get, headers: [.ifNoneMatch: etag])
            #expect(revalidated.status == .notModified)
            #expect(revalidated.body.readableBytes == 0)

            let (script, js) = try await DashboardHarness.get(client, "/assets/vigil.js")
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            #expect(js.contains("new EventSource(\"/events\")"))
            let (icon, _) = try await DashboardHarness.get(client, "/assets/favicon.svg")
            #expect(icon.headers[.contentType] == "image/svg+xml")
            let (_, missing) = try await DashboardHarness.get(client, "/assets/evil.js", expect: .notFound)
            #expect(missing.contains("no asset evil.js"))
        }
    }

    @Test func pagesNeedALoginWhenAccessIsRequiredWhileAssetsStayPublic() async throws {
        let gate = Gate(settings: AccessSettings(required: true), store: nil)
        try await DashboardHarness.test(gate: gate) { _, client in
            for path in ["/", "/monitors/agent", "/incidents", "/reports", "/events"] {
                let response = try await client.execute(uri: path, method: .get)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers[.location]?.hasPrefix("/login?next=") == true, "\(path)")
            }
            let (_, _) = try await DashboardHarness.get(client, "/assets/vigil.css")
        }
    }
}
