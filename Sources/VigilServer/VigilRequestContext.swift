import Hummingbird
import NIOCore

/// The request context of every Vigil route: Hummingbird's core storage, the peer's address and what the
/// request may do.
public struct VigilRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Set by `AccessMiddleware`: `nil` when the request showed no valid key or session.
    public var access: AccessLevel?
    /// True when the request showed an API key that is not known; protected routes answer "wrong api key".
    public var presentedUnknownKey = false

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
