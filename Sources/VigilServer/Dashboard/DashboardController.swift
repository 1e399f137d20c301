import Foundation
import HTTPTypes
import Hummingbird
import Synchronization
import VigilCore
import VigilEngine
import VigilStore

/// The live web dashboard: overview, monitor, incident and report pages, and the `/events` stream that keeps
/// them current.
///
/// Pages are rendered on the server and complete without JavaScript. Register them on whatever router group
/// the access rules guard; the assets (`DashboardAssets`) and badges (`BadgeController`) stay public.
struct DashboardController: Sendable {
    /// Days in the overview's progress sparklines.
    static let sparklineDays = 14
    /// Above this many monitors the overview leaves sparklines out: counting them would slow every page.
    static let sparklineMonitorLimit = 1_000
    /// Days of figures on a monitor's page.
    static let monitorReportDays = 30

    let engine: Engine
    let recovery: RecoveryCoordinator?
    let badges: BadgeSigner
    let now: @Sendable () -> Date
    let live: LiveEvents
    private let sparklines = SparklineCache()

    /// - Parameters:
    ///   - recovery: the recovery loop, for acknowledging incidents; without it, pages offer no acknowledgement.
    ///   - keepAlive: how often `/events` sends a comment when nothing happens; default 15 seconds.
    ///   - now: the clock; default the system's.
    init(
        engine: Engine,
        recovery: RecoveryCoordinator?,
        badges: BadgeSigner,
        keepAlive: Duration = .seconds(15),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.engine = engine
        self.recovery = recovery
        self.badges = badges
        self.now = now
        self.live = LiveEvents(engine: engine, keepAlive: keepAlive)
    }

    func addRoutes(to router: some RouterMethods<VigilRequestContext>) {
        router.get("/") { request, _ in try await overview(request) }
        router.get("/monitors/{monitor}") { _, context in try await monitor(context) }
        router.get("/incidents") { request, _ in try await incidents(request) }
        router.get("/incidents/{id}") { request, context in try await incident(request, context) }
        router.post("/incidents/{id}/ack") { request, context in try await acknowledge(request, context) }
        router.get("/reports") { request, _ in try await reports(request) }
        router.get("/events") { _, _ in try live.response() }
    }

    // MARK: - Pages

    private func overview(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        let now = now()
        var state: MonitorStatus?
        if let text = query["state"].map(String.init), !text.isEmpty {
            guard let status = MonitorStatus(rawValue: text) else {
                return problem(
                    .badRequest, "Unknown state",
                    "state \"\(text)\" is not one of \(MonitorStatus.allCases.map(\.rawValue).joined(separator: ", ")).",
                    now: now)
            }
            state = status
        }
        let pageText = query["page"].map(String.init) ?? "1"
        guard let page = Int(pageText), page >= 1 else {
            return problem(.badRequest, "Unknown page", "page \"\(pageText)\" is not a number from 1 up.", now: now)
        }
        let snapshots = engine.snapshots()
        let tag = query["tag"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        let lines = await sparklines.lines(engine: engine, monitors: snapshots.count, now: now)
        let view = OverviewPage(
            snapshots: snapshots, sparklines: lines, sparklineDays: Self.sparklineDays, state: state, tag: tag,
            search: query["q"].map(String.init), page: page, now: now)
        return DashboardResponse.page(view.render())
    }

    private func monitor(_ context: VigilRequestContext) async throws -> Response {
        let now = now()
        let slugOrKey = DashboardFormat.decoded(try context.parameters.require("monitor"))
        guard let snapshot = find(slugOrKey) else {
            let namesakes = engine.snapshots().filter { $0.monitor.slug == slugOrKey }.count
            let message = namesakes > 1
                ? "\(namesakes) monitors are called \(slugOrKey); open one from the list of monitors, which links it by its id."
                : "No monitor has the slug or key \(slugOrKey)."
            return problem(.notFound, "No such monitor", message, now: now)
        }
        let monitor = snapshot.monitor
        let key = monitor.key.uuidString.lowercased()
        do {
            let signals = try await engine.signals(of: monitor.id, limit: 60)
            let journal = try await engine.journal(of: monitor.id, limit: 60)
            let incidents = try await engine.incidents(of: monitor.id, limit: 10)
            var focus: (Incident, RecoveryRecord)?
            if let incident = snapshot.state.incident ?? incidents.first {
                focus = (incident, try await engine.recoveryRecord(of: incident.id))
            }
            let report = try? await engine.report(
                range: TimeRange(start: now.addingTimeInterval(-Double(Self.monitorReportDays) * 86_400), end: now),
                slugOrKey: key)
            let page = MonitorPage(
                snapshot: snapshot, signals: signals, journal: journal, incidents: incidents, focus: focus,
                report: report, reportDays: Self.monitorReportDays,
                calibrationMode: engine.calibrationMode(of: monitor.id),
                calibrated: engine.calibratedDeadline(of: monitor.id),
                badgeURL: engine.baseURL + badges.path(monitor: monitor.slug, format: "svg"),
                path: "/monitors/" + DashboardFormat.segment(slugOrKey),
                showsPingURL: context.access?.canWrite == true, now: now)
            return DashboardResponse.page(page.render())
        } catch {
            return problem(.serviceUnavailable, "Cannot read the journal", "\(error)", now: now)
        }
    }

    private func incidents(_ request: Request) async throws -> Response {
        let now = now()
        let query = request.uri.queryParameters
        var monitorID: UUID?
        let slug = query["monitor"].map(String.init).flatMap { $0.isEmpty ? nil : $0 }
        if let slug {
            guard let snapshot = engine.snapshot(slugOrKey: slug) else {
                return problem(.notFound, "No such monitor", "No monitor has the slug or key \(slug).", now: now)
            }
            monitorID = snapshot.monitor.id
        }
        do {
            let incidents = try await engine.incidents(of: monitorID, limit: 200)
            let page = IncidentsPage(
                incidents: incidents, monitor: slug, openOnly: query["status"] == "open", slugs: link(to:), now: now)
            return DashboardResponse.page(page.render())
        } catch {
            return problem(.serviceUnavailable, "Cannot read incidents", "\(error)", now: now)
        }
    }

    private func incident(_ request: Request, _ context: VigilRequestContext) async throws -> Response {
        let now = now()
        let id = DashboardFormat.decoded(try context.parameters.require("id"))
        do {
            guard let incident = try await engine.incident(matching: id) else {
                return problem(
                    .notFound, "No such incident",
                    "No incident has the id \(id) (give the id or at least its first 6 characters).", now: now)
            }
            let record = try await engine.recoveryRecord(of: incident.id)
            let timeline = try await engine.journal(of: incident.monitorID, limit: 2_000)
                .filter { $0.incidentID == incident.id }
            let flash: String? = request.uri.queryParameters["acknowledged"] == nil
                ? nil : "Acknowledged: escalation stops, and Vigil keeps watching for progress."
            let page = IncidentPage(
                incident: incident, monitor: link(to: incident.monitorID), record: record, timeline: timeline,
                canAcknowledge: recovery != nil && context.access?.canWrite == true, flash: flash, now: now)
            return DashboardResponse.page(page.render())
        } catch {
            return problem(.serviceUnavailable, "Cannot read the incident", "\(error)", now: now)
        }
    }

    private func acknowledge(_ request: Request, _ context: VigilRequestContext) async throws -> Response {
        let now = now()
        guard Self.isSameOrigin(request) else {
            return problem(
                .forbidden, "Not acknowledged",
                "The form was sent from another site. Open the incident in Vigil's dashboard and press Acknowledge there.",
                now: now)
        }
        let id = DashboardFormat.decoded(try context.parameters.require("id"))
        guard let recovery else {
            return problem(.serviceUnavailable, "Not acknowledged", "Recovery is not running on this server.", now: now)
        }
        do {
            guard let incident = try await engine.incident(matching: id) else {
                return problem(.notFound, "No such incident", "No incident has the id \(id).", now: now)
            }
            let full = incident.id.uuidString.lowercased()
            guard incident.resolvedAt == nil else {
                return problem(.conflict, "Not acknowledged", "Incident \(full) is resolved already.", now: now)
            }
            guard try await recovery.acknowledge(incident, by: "dashboard") else {
                return problem(.conflict, "Not acknowledged", "Incident \(full) is acknowledged already.", now: now)
            }
            // Post/redirect/get, so that reloading the page does not send the form again.
            return Response(status: .seeOther, headers: [.location: "/incidents/\(full)?acknowledged=1"])
        } catch {
            return problem(.serviceUnavailable, "Not acknowledged", "\(error)", now: now)
        }
    }

    private func reports(_ request: Request) async throws -> Response {
        let now = now()
        let since = request.uri.queryParameters["since"].map(String.init) ?? "30d"
        let seconds: TimeInterval
        do {
            seconds = try DurationFormat.parse(since)
        } catch {
            return problem(.badRequest, "Unknown range", "since \(error)", now: now)
        }
        let range = TimeRange(start: now.addingTimeInterval(-seconds), end: now)
        do {
            let report = try await engine.report(range: range)
            let incidents = try await engine.incidents(of: nil, limit: 10_000)
                .filter { $0.onset >= range.start && $0.onset < range.end }
            let page = ReportsPage(report: report, since: since, incidents: incidents, slugs: path(of:), now: now)
            return DashboardResponse.page(page.render())
        } catch {
            return problem(.serviceUnavailable, "Cannot build the report", "\(error)", now: now)
        }
    }

    // MARK: - Helpers

    /// A monitor's slug and page, by id; nil for a monitor that is gone.
    private func link(to monitorID: UUID) -> (slug: String, href: String)? {
        guard let monitor = engine.monitor(id: monitorID) else { return nil }
        let unique = engine.snapshot(slugOrKey: monitor.slug)?.monitor.id == monitorID
        return (monitor.slug, DashboardLayout.monitorPath(slug: monitor.slug, id: monitor.id, unique: unique))
    }

    /// A monitor by slug, ping key or id.
    private func find(_ text: String) -> Engine.Snapshot? {
        if let found = engine.snapshot(slugOrKey: text) { return found }
        guard let id = UUID(uuidString: text) else { return nil }
        return engine.snapshots().first { $0.monitor.id == id }
    }

    /// The page of the monitor a slug names, when exactly one does.
    private func path(of slug: String) -> String? {
        engine.snapshot(slugOrKey: slug).map { "/monitors/" + DashboardFormat.segment($0.monitor.slug) }
    }

    /// True unless the browser says the form came from another site: `Sec-Fetch-Site`, else `Origin` against
    /// `Host`. Clients that send neither (curl, scripts) are not browsers that another site could drive.
    static func isSameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!] {
            return site == "same-origin" || site == "none"
        }
        guard let origin = request.headers[.origin] else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    private func problem(_ status: HTTPResponse.Status, _ title: String, _ message: String, now: Date) -> Response {
        DashboardResponse.page(DashboardLayout.problem(title: title, message: message, now: now), status: status)
    }
}

/// The overview's sparklines, counted at most every `lifetime` so that a busy dashboard does not re-read the
/// progress history on every page view.
final class SparklineCache: Sendable {
    private let cached = Mutex<(at: Date, lines: [String: [Int]])?>(nil)
    let lifetime: TimeInterval = 30

    func lines(engine: Engine, monitors: Int, now: Date) async -> [String: [Int]]? {
        guard monitors <= DashboardController.sparklineMonitorLimit else { return nil }
        if let hit = cached.withLock({ $0 }), abs(now.timeIntervalSince(hit.at)) < lifetime { return hit.lines }
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let start = calendar.startOfDay(for: now).addingTimeInterval(-Double(DashboardController.sparklineDays - 1) * 86_400)
        guard let report = try? await engine.report(range: TimeRange(start: start, end: now)) else { return nil }
        let lines = report.journal.sparklines.mapValues { Array($0.suffix(DashboardController.sparklineDays)) }
        cached.withLock { $0 = (now, lines) }
        return lines
    }
}
