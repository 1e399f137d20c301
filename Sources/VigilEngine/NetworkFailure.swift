import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import VigilCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Turns what AsyncHTTPClient and SwiftNIO throw into the few words a person reads in a diagnosis.
enum NetworkFailure {
    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError:
            switch error {
            case .connectTimeout: return "connect timed out"
            case .deadlineExceeded, .readTimeout, .writeTimeout: return "timed out"
            case .remoteConnectionClosed: return "the connection closed before a response"
            case .invalidURL, .emptyHost, .emptyScheme: return "invalid URL"
            case .cancelled: return "cancelled"
            default: return "\(error)"
            }
        case let error as NIOConnectionError:
            if let dns = error.dnsAError ?? error.dnsAAAAError {
                return "cannot resolve \(error.host): \(dns)"
            }
            if let first = error.connectionErrors.first { return describe(first.error) }
            return "cannot connect to \(error.host):\(error.port)"
        case let error as IOError:
            return describe(errno: error.errnoCode)
        case let error as ChannelError:
            if case .connectTimeout = error { return "connect timed out" }
            return "\(error)"
        case is CancellationError:
            return "cancelled"
        default:
            return "\(error)"
        }
    }

    static func describe(errno code: Int32) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ECONNRESET: "connection reset"
        case EHOSTUNREACH: "host unreachable"
        case ENETUNREACH: "network unreachable"
        case ETIMEDOUT: "connect timed out"
        default: String(cString: strerror(code))
        }
    }
}

/// Bounds async work by a time limit.
enum TimeLimit {
    /// Runs `operation`, or cancels it once `seconds` have passed; nil when the time ran out.
    static func run<T: Sendable>(
        within seconds: TimeInterval,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: .seconds(bounded(seconds)))
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }

    /// `seconds` made safe for `Duration` and `Int64`: not negative, not NaN, at most ten years.
    static func bounded(_ seconds: TimeInterval) -> TimeInterval {
        seconds.isNaN ? 0 : min(max(0, seconds), 10 * 365 * 86_400)
    }

    /// A deadline for AsyncHTTPClient a second after `seconds`, so that the time limit around it answers first.
    static func clientTimeout(_ seconds: TimeInterval) -> TimeAmount {
        .seconds(Int64(bounded(seconds).rounded(.up)) + 1)
    }

    /// "5s", or milliseconds below one second: how a timeout reads in a reason.
    static func format(_ seconds: TimeInterval) -> String {
        seconds >= 1 ? DurationFormat.format(seconds) : "\(Int((seconds * 1000).rounded()))ms"
    }
}
