import Foundation
import Hummingbird
import NIOCore
import VigilCore
import VigilEngine

/// Changing monitors under `/api/v1`: create, update and delete monitors that the file does not declare, pause and
/// resume any monitor, and read a monitor's forecast. Actions are never defined here: only in vigil.yml.
struct ManagementController {
    let engine: Engine

    func addRoutes(to router: some RouterMethods<VigilRequestContext>) {
        router.post("/api/v1/monitors") { request, context in
            let input = try await MonitorInput.decode(from: request, context: context)
            guard input.slug != nil else {
                throw HTTPError(.badRequest, message: "slug is required — e.g. {\"slug\": \"nightly-backup\", \"every\": \"1d\"}")
            }
            guard input.every != nil || input.schedule != nil else {
                throw HTTPError(.badRequest, message: "every or schedule is required — e.g. \"every\": \"1d\" or"
                    + " \"schedule\": \"0 3 * * *\"")
            }
            let blank = Monitor(
                id: UUID(), key: UUID(), slug: "new", schedule: .every(86_400), grace: 3_600, origin: .api
            )
            let monitor = try input.applied(to: blank)
            try await answer { () async throws(EngineError) in try await engine.add(monitor) }
            return try respond(.created, monitor.id, context)
        }
        router.patch("/api/v1/monitors/{slugOrKey}") { request, context in
            let current = try snapshot(context).monitor
            let input = try await MonitorInput.decode(from: request, context: context)
            let changed = try input.applied(to: current)
            try await answer { () async throws(EngineError) in try await engine.update(changed) }
            return try respond(.ok, current.id, context)
        }
        router.delete("/api/v1/monitors/{slugOrKey}") { _, context in
            let current = try snapshot(context).monitor
            try await answer { () async throws(EngineError) in try await engine.remove(id: current.id) }
            return Response(status: .noContent)
        }
        router.post("/api/v1/monitors/{slugOrKey}/pause") { _, context in
            let current = try snapshot(context).monitor
            try await answer { () async throws(EngineError) in try await engine.pause(id: current.id) }
            return try respond(.ok, current.id, context)
        }
        router.post("/api/v1/monitors/{slugOrKey}/resume") { _, context in
            let current = try snapshot(context).monitor
            try await answer { () async throws(EngineError) in try await engine.resume(id: current.id) }
            return try respond(.ok, current.id, context)
        }
        router.get("/api/v1/monitors/{slugOrKey}/forecast") { _, context in
            let current = try snapshot(context).monitor
            let now = Date()
            let report = try await answer { () async throws(EngineError) in
                try await engine.report(
                    range: TimeRange(start: now.addingTimeInterval(-30 * 86_400), end: now),
                    slugOrKey: current.key.uuidString
                )
            }
            guard let forecast = report.forecasts.first(where: { $0.monitor == current.slug }) else {
                throw HTTPError(.notFound, message: "monitor \(current.slug) has no forecast yet: it needs progress first")
            }
            return try VigilJSONResponse.ok(forecast)
        }
    }

    private func snapshot(_ context: VigilRequestContext) throws -> Engine.Snapshot {
        let slugOrKey = try context.parameters.require("slugOrKey")
        guard let snapshot = engine.snapshot(slugOrKey: slugOrKey) else {
            throw HTTPError(.notFound, message: "no monitor has the slug or key \(slugOrKey)")
        }
        return snapshot
    }

    private func respond(_ status: HTTPResponse.Status, _ id: UUID, _ context: VigilRequestContext) throws -> Response {
        guard let snapshot = engine.snapshot(id: id) else {
            throw HTTPError(.notFound, message: "the monitor is gone")
        }
        var view = MonitorView(snapshot)
        view.calibration = engine.calibratedDeadline(of: id)?.explanation
        return try VigilJSONResponse.make(status, view.visible(to: context.access))
    }
}

/// JSON responses of Vigil's API, pretty-printed with ISO 8601 times.
enum VigilJSONResponse {
    static func ok(_ value: some Encodable) throws -> Response { try make(.ok, value) }

    static func make(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let data = try VigilJSON.prettyEncoder.encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}
