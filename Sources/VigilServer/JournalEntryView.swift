import Foundation
import VigilStore

/// A journal entry as the API shows it.
public struct JournalEntryView: Codable, Sendable, Hashable {
    public var sequence: Int64
    public var event: String
    /// When it truly happened: a stall at its deadline, not when it was noticed.
    public var at: Date
    public var noticedAt: Date
    public var from: String?
    public var to: String?
    public var incidentID: String?
    public var detail: String

    enum CodingKeys: String, CodingKey {
        case sequence, event, at, from, to, detail
        case noticedAt = "noticed_at"
        case incidentID = "incident_id"
    }

    public init(_ entry: JournalEntry) {
        sequence = entry.sequence
        event = entry.event.rawValue
        at = entry.at
        noticedAt = entry.noticedAt
        from = entry.from?.rawValue
        to = entry.to?.rawValue
        incidentID = entry.incidentID?.uuidString.lowercased()
        detail = entry.detail
    }
}
