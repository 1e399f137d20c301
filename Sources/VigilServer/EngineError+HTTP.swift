import HTTPTypes
import Hummingbird
import VigilEngine

extension EngineError {
    /// The HTTP status that says the same as this refusal.
    var httpStatus: HTTPResponse.Status {
        switch code {
        case .notFound: .notFound
        case .invalid, .ambiguous: .badRequest
        case .conflict: .conflict
        case .declared: .forbidden
        case .rateLimited: .tooManyRequests
        case .notDurable: .serviceUnavailable
        }
    }

    /// The refusal as Hummingbird's error, which Vigil's API renders as `{"error": {"message": ...}}`.
    var httpError: HTTPError { HTTPError(httpStatus, message: message) }
}

/// Runs an engine call, turning its refusal into the matching HTTP error.
func answer<T>(_ body: () async throws(EngineError) -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw error.httpError
    }
}
