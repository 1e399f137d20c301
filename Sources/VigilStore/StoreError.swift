/// A failure of the store, with a message that says what went wrong and what to do.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    private enum Code: Sendable {
        case unavailable
        case corrupt
    }

    private let code: Code
    public let message: String

    private init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The database could not be opened or written (disk full, permissions, locked).
    public static func unavailable(_ message: String) -> StoreError { StoreError(.unavailable, message) }

    /// A row could not be read back into a value.
    public static func corrupt(_ message: String) -> StoreError { StoreError(.corrupt, message) }

    /// True when writing failed, so nothing in the attempted step was acknowledged.
    public var isUnavailable: Bool { code == .unavailable }

    public var description: String { message }
}
