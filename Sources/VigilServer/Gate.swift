import Foundation
import Synchronization
import VigilEngine
import VigilStore

/// What a request may do.
public enum AccessLevel: String, Sendable, Hashable {
    /// Read everything but ping keys; change nothing.
    case readOnly = "read-only"
    /// Read and change everything the APIs offer.
    case readWrite = "read-write"

    public var canWrite: Bool { self == .readWrite }
}

/// Decides who may do what: API keys from the file and the store, login sessions, or `auth: off`.
public final class Gate: Sendable {
    /// A dashboard login: the key's access for a while, behind a random cookie.
    struct Session {
        var access: AccessLevel
        var expires: Date
    }

    /// The name of the login cookie.
    public static let sessionCookie = "vigil_session"
    /// How long a login lasts: 12 hours.
    public static let sessionLifetime: TimeInterval = 12 * 3600
    private static let sessionLimit = 10_000

    /// False when `auth: off`: everyone may read and change everything.
    public let required: Bool
    private let configured: [String: AccessLevel]
    private let store: (any Store)?
    private let now: @Sendable () -> Date
    private let sessions = Mutex<[String: Session]>([:])

    /// - Parameters:
    ///   - settings: `auth:` and `api_keys:` from the file.
    ///   - store: where `vigil keys create` keeps keys; looked up on each request, so new keys work at once.
    ///   - now: the clock for session expiry; default the system's.
    public init(settings: AccessSettings, store: (any Store)?, now: @escaping @Sendable () -> Date = { Date() }) {
        self.required = settings.required
        self.configured = Dictionary(
            settings.keys.map { ($0.hash, $0.readOnly ? AccessLevel.readOnly : .readWrite) },
            uniquingKeysWith: { first, _ in first }
        )
        self.store = store
        self.now = now
    }

    /// A gate that lets everyone read and change everything, as `auth: off` does (for tests and the demo).
    public static var open: Gate { Gate(settings: AccessSettings(required: false), store: nil) }

    /// The access an API key gives; `nil` for an unknown or revoked key.
    public func access(forKey key: String) async -> AccessLevel? {
        guard !key.isEmpty, key.utf8.count <= 256 else { return nil }
        let hash = APIKey.hash(key)
        if let level = configured[hash] { return level }
        guard let store, let stored = try? await store.apiKey(hash: hash) else { return nil }
        return stored.readOnly ? .readOnly : .readWrite
    }

    /// Starts a login session for a key's access; returns the cookie value.
    public func openSession(_ access: AccessLevel) -> String {
        let token = randomBytes(32).map { String(format: "%02x", $0) }.joined()
        let now = now()
        sessions.withLock { sessions in
            if sessions.count >= Self.sessionLimit {
                sessions = sessions.filter { $0.value.expires > now }
                if sessions.count >= Self.sessionLimit, let oldest = sessions.min(by: { $0.value.expires < $1.value.expires }) {
                    sessions[oldest.key] = nil
                }
            }
            sessions[token] = Session(access: access, expires: now.addingTimeInterval(Self.sessionLifetime))
        }
        return token
    }

    /// The access of a login session; `nil` when it is unknown or expired.
    public func access(forSession token: String) -> AccessLevel? {
        let now = now()
        return sessions.withLock { sessions in
            guard let session = sessions[token] else { return nil }
            guard session.expires > now else {
                sessions[token] = nil
                return nil
            }
            return session.access
        }
    }

    /// Ends a login session.
    public func closeSession(_ token: String) {
        _ = sessions.withLock { $0.removeValue(forKey: token) }
    }
}
