import Foundation

/// An API key as it is kept: never the key itself, only its SHA-256 digest.
public struct StoredAPIKey: Sendable, Hashable {
    public var id: UUID
    /// What the key is for, e.g. "grafana" or "ci".
    public var name: String
    /// The lowercase hex SHA-256 of the key.
    public var hash: String
    /// A read-only key reads everything but ping keys and changes nothing.
    public var readOnly: Bool
    public var createdAt: Date

    public init(id: UUID, name: String, hash: String, readOnly: Bool, createdAt: Date) {
        self.id = id
        self.name = name
        self.hash = hash
        self.readOnly = readOnly
        self.createdAt = createdAt
    }
}
