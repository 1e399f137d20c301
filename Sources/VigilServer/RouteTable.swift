import Hummingbird
import Synchronization

/// One route: an HTTP method and a path pattern such as `/api/v1/monitors/{slugOrKey}`.
public struct Route: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var method: String
    public var path: String

    public init(method: String, path: String) {
        self.method = method
        self.path = path
    }

    public var description: String { "\(method) \(path)" }

    public static func < (lhs: Route, rhs: Route) -> Bool { (lhs.path, lhs.method) < (rhs.path, rhs.method) }
}

/// The API routes a router was given, as they were added.
public final class RouteTable: Sendable {
    private let routes = Mutex<[Route]>([])

    public init() {}

    /// Every recorded route, sorted by path and method.
    public var all: [Route] { routes.withLock { $0.sorted() } }

    func record(_ route: Route) {
        routes.withLock { $0.append(route) }
    }
}

/// Adds routes to a router group and writes each one down in a `RouteTable`.
struct RecordingRoutes<Context: RequestContext>: RouterMethods {
    let group: RouterGroup<Context>
    let table: RouteTable?

    @discardableResult
    func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == Context {
        table?.record(Route(method: method.rawValue, path: path.description))
        group.on(path, method: method, responder: responder)
        return self
    }

    func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        RecordingRoutes(group: group.add(middleware: middleware), table: table)
    }
}
