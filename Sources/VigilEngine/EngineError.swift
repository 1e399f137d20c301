import Foundation

/// Why the engine refused a request, with a message for the person who sent it.
public struct EngineError: Error, Sendable, CustomStringConvertible {
    public enum Code: Sendable, Hashable {
        /// No monitor has that ping key or slug.
        case notFound
        /// Several monitors share the slug.
        case ambiguous
        /// The monitor's rate limit is used up.
        case rateLimited(retryAfter: TimeInterval)
        /// The request itself is wrong.
        case invalid
        /// The signal could not be made durable, so it was not acknowledged.
        case notDurable
        /// The operation does not apply to this monitor.
        case conflict
        /// The monitor is declared in the configuration file, which alone may change it.
        case declared
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
