import Foundation
import Hummingbird
import NIOCore
import VigilCore
import VigilEngine
import VigilStore

/// An incident as the API shows it.
public struct IncidentView: Codable, Sendable, Hashable {
    public var id: String
    public var monitor: String
    public var cause: String
    public var onset: Date
    public var detectedAt: Date
    public var resolvedAt: Date?
    public var resolution: String?
    /// Seconds from onset to detection.
    public var timeToDetect: Double
    /// Seconds from onset to resolution, when resolved.
    public var timeToRecover: Double?

    enum CodingKeys: String, CodingKey {
        case id, monitor, cause, onset, resolution
        case detectedAt = "detected_at"
        case resolvedAt = "resolved_at"
        case timeToDetect = "time_to_detect_seconds"
        case timeToRecover = "time_to_recover_seconds"
    }

    public init(_ incident: Incident, monitor: String) {
        id = incident.id.uuidString.lowercased()
        self.monitor = monitor
        cause = incident.cause.rawValue
        onset = incident.onset
        detectedAt = incident.detectedAt
        resolvedAt = incident.resolvedAt
        resolution = incident.resolution
        timeToDetect = incident.detectedAt.timeIntervalSince(incident.onset)
        timeToRecover = incident.resolvedAt.map { $0.timeIntervalSince(incident.onset) }
    }
}

/// One incident with its diagnosis, attempts and timeline.
public struct IncidentDetailView: Codable, Sendable {
    public struct AttemptView: Codable, Sendable, Hashable {
        public var number: Int
        public var action: String
        public var startedAt: Date
        public var finishedAt: Date?
        public var status: String?
        public var code: Int?
        public var result: String
        public var output: String?

        enum CodingKeys: String, CodingKey {
            case number, action, status, code, result, output
            case startedAt = "started_at"
            case finishedAt = "finished_at"
        }
    }

    public var incident: IncidentView
    public var diagnosis: Diagnosis?
    public var attempts: [AttemptView]
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String?
    /// The journal lines of this incident, oldest first.
    public var timeline: [JournalEntryView]

    enum CodingKeys: String, CodingKey {
        case incident, diagnosis, attempts, timeline
        case acknowledgedAt = "acknowledged_at"
        case acknowledgedBy = "acknowledged_by"
    }
}

/// `/api/v1/incidents`: list, show with diagnosis and timeline, acknowledge.
struct IncidentController {
    let engine: Engine
    let recovery: RecoveryCoordinator?

    func addRoutes(to router: some RouterMethods<VigilRequestContext>) {
        router.get("/api/v1/incidents") { request, _ in
            let limitText = request.uri.queryParameters["limit"].map(String.init) ?? "50"
            guard let limit = Int(limitText), (1...10_000).contains(limit) else {
                throw HTTPError(.badRequest, message: "limit \(limitText) is not a number from 1 to 10000")
            }
            var monitorID: UUID?
            if let slug = request.uri.queryParameters["monitor"].map(String.init) {
                guard let snapshot = engine.snapshot(slugOrKey: slug) else {
                    throw HTTPError(.notFound, message: "no monitor has the slug or key \(slug)")
                }
                monitorID = snapshot.monitor.id
            }
            let incidents = try await engine.incidents(of: monitorID, limit: limit)
            return try json(incidents.map { IncidentView($0, monitor: slug(of: $0)) })
        }
        router.get("/api/v1/incidents/{id}") { _, context in
            let incident = try await find(context)
            let record = try await engine.recoveryRecord(of: incident.id)
            let journal = try await engine.journal(of: incident.monitorID, limit: 10_000)
                .filter { $0.incidentID == incident.id }
                .sorted { $0.sequence < $1.sequence }
            let detail = IncidentDetailView(
                incident: IncidentView(incident, monitor: slug(of: incident)),
                diagnosis: record.diagnoses.last,
                attempts: record.attempts.map { attempt in
                    .init(
                        number: attempt.number, action: attempt.action, startedAt: attempt.startedAt,
                        finishedAt: attempt.outcome?.finishedAt, status: attempt.outcome?.status.rawValue,
                        code: attempt.outcome?.code, result: attempt.result.rawValue, output: attempt.outcome?.output
                    )
                },
                acknowledgedAt: record.acknowledgedAt,
                acknowledgedBy: record.acknowledgedBy,
                timeline: journal.map(JournalEntryView.init)
            )
            return try json(detail)
        }
        router.post("/api/v1/incidents/{id}/ack") { request, context in
            let incident = try await find(context)
            guard let recovery else {
                throw HTTPError(.serviceUnavailable, message: "recovery is not running on this server")
            }
            let who = request.uri.queryParameters["by"].map(String.init) ?? "api"
            guard incident.resolvedAt == nil else {
                throw HTTPError(.conflict, message: "incident \(incident.id.uuidString.lowercased()) is resolved already")
            }
            guard try await recovery.acknowledge(incident, by: who) else {
                throw HTTPError(.conflict, message: "incident \(incident.id.uuidString.lowercased()) is acknowledged already")
            }
            return try json(["acknowledged": incident.id.uuidString.lowercased()])
        }
    }

    private func find(_ context: VigilRequestContext) async throws -> Incident {
        let id = try context.parameters.require("id")
        guard let incident = try await engine.incident(matching: id) else {
            throw HTTPError(.notFound, message: "no incident has the id \(id) (give the id or at least its first 6 characters)")
        }
        return incident
    }

    private func slug(of incident: Incident) -> String {
        engine.monitor(id: incident.monitorID)?.slug ?? incident.monitorID.uuidString.lowercased()
    }

    private func json(_ value: some Encodable) throws -> Response {
        try VigilJSONResponse.ok(value)
    }
}
