import Foundation
import Hummingbird
import NIOCore
import VigilCore
import VigilEngine

/// Read-only monitors and their signals under `/api/v1`: what `vigil status` shows.
struct StatusController {
    let engine: Engine

    func addRoutes(to router: some RouterMethods<VigilRequestContext>) {
        router.get("/api/v1/monitors") { _, context in
            // Written by hand: Foundation's encoder spent half a second on 10 000 monitors.
            let body = MonitorView.listJSON(engine.snapshots(), visibleTo: context.access) { id in
                engine.calibratedDeadline(of: id)?.explanation
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
        }
        router.get("/api/v1/monitors/{slugOrKey}") { _, context in
            let slugOrKey = try context.parameters.require("slugOrKey")
            guard let snapshot = engine.snapshot(slugOrKey: slugOrKey) else {
                throw HTTPError(.notFound, message: "no monitor has the slug or key \(slugOrKey)")
            }
            return try json(view(snapshot).visible(to: context.access))
        }
        router.get("/api/v1/monitors/{slugOrKey}/signals") { request, context in
            let (monitor, limit) = try target(request, context)
            return try json(try await engine.signals(of: monitor.id, limit: limit).map(SignalView.init))
        }
        router.get("/api/v1/monitors/{slugOrKey}/journal") { request, context in
            let (monitor, limit) = try target(request, context)
            return try json(try await engine.journal(of: monitor.id, limit: limit).map(JournalEntryView.init))
        }
    }

    /// The monitor a history route names, and the `limit` it asks for (default 100).
    private func target(_ request: Request, _ context: VigilRequestContext) throws -> (Monitor, Int) {
        let slugOrKey = try context.parameters.require("slugOrKey")
        guard let snapshot = engine.snapshot(slugOrKey: slugOrKey) else {
            throw HTTPError(.notFound, message: "no monitor has the slug or key \(slugOrKey)")
        }
        let limitText = request.uri.queryParameters["limit"].map(String.init) ?? "100"
        guard let limit = Int(limitText), (1...10_000).contains(limit) else {
            throw HTTPError(.badRequest, message: "limit \(limitText) is not a number from 1 to 10000")
        }
        return (snapshot.monitor, limit)
    }

    /// The monitor's view, with the reason of its calibrated deadline when it calibrates.
    private func view(_ snapshot: Engine.Snapshot) -> MonitorView {
        var view = MonitorView(snapshot)
        view.calibration = engine.calibratedDeadline(of: snapshot.monitor.id)?.explanation
        return view
    }

    private func json(_ value: some Encodable) throws -> Response {
        try VigilJSONResponse.ok(value)
    }
}
