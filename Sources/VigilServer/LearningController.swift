import Foundation
import Hummingbird
import NIOCore
import VigilCore
import VigilEngine

/// Read-only reports, calibrations and forecasts under `/api/v1`: what `vigil report` and `vigil calibrate` show.
struct LearningController {
    let engine: Engine
    let now: @Sendable () -> Date

    func addRoutes(to router: some RouterMethods<VigilRequestContext>) {
        // GET /api/v1/report?since=30d&until=<ISO 8601>&monitor=<slug or key>
        router.get("/api/v1/report") { request, _ in
            let query = request.uri.queryParameters
            let until = try date(query["until"].map(String.init), name: "until") ?? now()
            let sinceText = query["since"].map(String.init) ?? "30d"
            let since: TimeInterval
            do {
                since = try DurationFormat.parse(sinceText)
            } catch let error as ScheduleError {
                throw HTTPError(.badRequest, message: "since \(error.message)")
            }
            let monitor = query["monitor"].map(String.init)
            let range = TimeRange(start: until.addingTimeInterval(-since), end: until)
            return try json(try await answer { () async throws(EngineError) in
                try await engine.report(range: range, slugOrKey: monitor)
            })
        }
        router.get("/api/v1/monitors/{slugOrKey}/calibration") { _, context in
            let slugOrKey = try context.parameters.require("slugOrKey")
            return try json(try await answer { () async throws(EngineError) in
                try await engine.calibrationReport(slugOrKey: slugOrKey)
            })
        }
    }

    private func date(_ text: String?, name: String) throws -> Date? {
        guard let text else { return nil }
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        throw HTTPError(.badRequest, message: "\(name) \"\(text)\" is not an ISO 8601 time — e.g. 2026-11-29T12:00:00Z")
    }

    private func json(_ value: some Encodable) throws -> Response {
        try VigilJSONResponse.ok(value)
    }
}
