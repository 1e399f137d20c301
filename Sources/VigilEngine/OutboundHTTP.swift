import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The HTTP client for everything Vigil sends out (notices, and the CLI's requests to a server).
public enum OutboundHTTP {
    /// Fails fast when nobody listens: AsyncHTTPClient's default keeps retrying a refused connection until the
    /// request's deadline, which would make a dead receiver cost a full timeout per attempt.
    public static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(3)
        configuration.connectionPool.retryConnectionEstablishment = false
        // As many connections to one receiver as the notifier has deliveries under way (its default 32): with
        // AsyncHTTPClient's default of 8, a storm's notices queued in the pool behind each other.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()
}
