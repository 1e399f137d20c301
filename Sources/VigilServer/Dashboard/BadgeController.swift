import Foundation
import Hummingbird
import VigilCore
import VigilEngine

/// Status badges that anyone with the signed URL may embed: `/badge/{signature}/monitor/{slug}.svg`,
/// `/badge/{signature}/tag/{tag}.svg` and `/badge/{signature}/all.svg`, each also as `.json`.
///
/// They stay public (no login), so a wrong signature answers the same 404 as an unknown monitor.
struct BadgeController: Sendable {
    let engine: Engine
    let badges: BadgeSigner

    init(engine: Engine, badges: BadgeSigner) {
        self.engine = engine
        self.badges = badges
    }

    func addRoutes(to router: some RouterMethods<VigilRequestContext>) {
        router.get("/badge/{signature}/monitor/{file}") { request, context in
            let (slug, format) = try file(context)
            let signature = try context.parameters.require("signature")
            guard badges.verify(signature, for: "monitor:\(slug)") else { throw notFound }
            let statuses = statuses { $0.slug == slug }
            guard !statuses.isEmpty else { throw notFound }
            return respond(Badge(label: slug, statuses: statuses), format: format, request: request)
        }
        router.get("/badge/{signature}/tag/{file}") { request, context in
            let (tag, format) = try file(context)
            let signature = try context.parameters.require("signature")
            guard badges.verify(signature, for: "tag:\(tag)") else { throw notFound }
            let statuses = statuses { $0.tags.contains(tag) }
            guard !statuses.isEmpty else { throw notFound }
            return respond(Badge(label: tag, statuses: statuses), format: format, request: request)
        }
        router.get("/badge/{signature}/{file}") { request, context in
            let (name, format) = try file(context)
            let signature = try context.parameters.require("signature")
            guard name == "all", badges.verify(signature, for: "all") else { throw notFound }
            return respond(
                Badge(label: "vigil", statuses: engine.snapshots().map(\.state.status)), format: format,
                request: request)
        }
    }

    private var notFound: HTTPError {
        HTTPError(.notFound, message: "no such badge: copy its URL from the monitor's page in the dashboard")
    }

    /// The name and format of `{file}`: `nightly-backup.svg` gives (`nightly-backup`, `svg`).
    private func file(_ context: VigilRequestContext) throws -> (String, String) {
        let file = DashboardFormat.decoded(try context.parameters.require("file"))
        guard let dot = file.lastIndex(of: "."), ["svg", "json"].contains(file[file.index(after: dot)...]) else {
            throw HTTPError(.notFound, message: "a badge ends in .svg or .json, e.g. /badge/…/all.svg")
        }
        return (String(file[..<dot]), String(file[file.index(after: dot)...]))
    }

    /// The statuses of every monitor that `covers` selects.
    private func statuses(_ covers: (Monitor) -> Bool) -> [MonitorStatus] {
        engine.snapshots().filter { covers($0.monitor) }.map(\.state.status)
    }

    private func respond(_ badge: Badge, format: String, request: Request) -> Response {
        // Badges change with the monitors: caches must ask again every time, and an unchanged badge costs a 304.
        if format == "json" {
            return DashboardResponse.cached(
                badge.json, contentType: "application/json", cacheControl: "no-cache", request: request)
        }
        return DashboardResponse.cached(
            badge.svg, contentType: "image/svg+xml", cacheControl: "no-cache", request: request)
    }
}
