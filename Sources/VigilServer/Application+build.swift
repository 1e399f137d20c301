import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import VigilCore
import VigilEngine
import VigilStore

/// Everything `vigil serve` needs to know.
public struct ServerOptions: Sendable {
    public var configuration: VigilEngine.Configuration
    /// The folder of the SQLite store; created when missing.
    public var dataDirectory: String

    public init(configuration: VigilEngine.Configuration, dataDirectory: String) {
        self.configuration = configuration
        self.dataDirectory = dataDirectory
    }

    /// The start of every ping URL: `base_url:` or `http://<listen>`.
    public var baseURL: String {
        if let base = configuration.baseURL {
            return base.hasSuffix("/") ? String(base.dropLast()) : base
        }
        let listen = configuration.listen
        let host = listen.host.contains(":") ? "[\(listen.host)]" : listen.host
        return "http://\(host):\(listen.port)"
    }
}

/// The router of every Vigil route, over an engine that is already started.
/// - Parameters:
///   - gate: who may read and change what; pings need no key, the APIs, pages and `/metrics` go through it.
///   - badgeSecret: the secret that signs badge URLs.
///   - routeTable: when given, records every API route, so that tests can hold them against the OpenAPI document.
public func buildRouter(
    engine: Engine,
    recovery: RecoveryCoordinator? = nil,
    pingBodyLimit: Int,
    gate: Gate,
    badgeSecret: [UInt8] = [],
    routeTable: RouteTable? = nil
) -> Router<VigilRequestContext> {
    let router = Router(context: VigilRequestContext.self)
    router.add(middleware: AccessMiddleware(gate: gate))
    // Public: pings are keyed by their own unguessable keys.
    PingController(engine: engine, bodyLimit: pingBodyLimit, now: { Date() }).addRoutes(to: router)
    router.get("/health") { _, _ in "OK" }
    LoginController(gate: gate).addRoutes(to: router)

    // Vigil's own API: a key (or a login session) for reading, a read-write one for changing.
    let api = RecordingRoutes(group: router.group().add(middleware: RequireAccess(style: .api)), table: routeTable)
    StatusController(engine: engine).addRoutes(to: api)
    ManagementController(engine: engine).addRoutes(to: api)
    LearningController(engine: engine, now: { Date() }).addRoutes(to: api)
    IncidentController(engine: engine, recovery: recovery).addRoutes(to: api)
    OpenAPIController().addRoutes(to: api)

    let metrics = router.group().add(middleware: RequireAccess(style: .plain))
    MetricsController(engine: engine, recovery: recovery).addRoutes(to: metrics)

    // Public: badges carry their own signature (an empty secret would make them forgeable, so it never signs);
    // the dashboard's assets are the same for everyone.
    let badges = BadgeSigner(secret: badgeSecret.isEmpty ? randomBytes(32) : badgeSecret)
    BadgeController(engine: engine, badges: badges).addRoutes(to: router)
    // The healthchecks.io Management API v3, in its own words; its status route needs no key, as there.
    let healthchecks = HealthchecksController(engine: engine, badges: badges)
    let v3 = router.group().add(middleware: HealthchecksBodyKey(gate: gate))
        .add(middleware: RequireAccess(style: .healthchecks))
    healthchecks.addRoutes(to: v3)
    healthchecks.addStatusRoute(to: router)
    DashboardAssets().addRoutes(to: router)
    // The dashboard's pages and live events: for whoever may read; acknowledging needs read-write.
    let pages = router.group().add(middleware: RequireAccess(style: .page))
    DashboardController(engine: engine, recovery: recovery, badges: badges).addRoutes(to: pages)
    return router
}

/// HTTP/1.1 with plain pings answered on the event loop: from the connection's bytes while it sends only those
/// (`PingWire`), and after the HTTP/1 decoder, before the router, once it has sent anything else (`PingFastPath`).
func httpServer(engine: Engine, pingBodyLimit: Int) -> HTTPServerBuilder {
    HTTPServerBuilder { responder in
        PingWireChannel(
            http1: HTTP1Channel(
                responder: responder,
                configuration: .init(additionalChannelHandlers: [PingFastPath(engine: engine, bodyLimit: pingBodyLimit)])
            ),
            wire: { PingWire(engine: engine, bodyLimit: pingBodyLimit) }
        )
    }
}

/// A running Vigil's parts: the engine that owns monitor state, the recovery loop and the HTTP application.
public struct VigilRuntime: Sendable {
    public let engine: Engine
    public let recovery: RecoveryCoordinator
    /// How many monitors are watched.
    public let watched: Int
    public let application: Application<RouterResponder<VigilRequestContext>>
}

/// Opens the store, starts the engine and returns the application that serves it, with the deadline queue, the
/// forecasts, the notifier and the recovery loop as its services.
public func buildApplication(
    _ options: ServerOptions,
    logger: Logger = Logger(label: "vigil")
) async throws -> some ApplicationProtocol {
    try await buildRuntime(options, logger: logger).application
}

/// Like `buildApplication`, with the engine and recovery loop in reach (for `vigil demo` and tests).
public func buildRuntime(
    _ options: ServerOptions,
    logger: Logger = Logger(label: "vigil"),
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> VigilRuntime {
    let configuration = options.configuration
    do {
        try FileManager.default.createDirectory(atPath: options.dataDirectory, withIntermediateDirectories: true)
    } catch {
        throw ServerError("cannot create the data folder \(options.dataDirectory): \(error.localizedDescription)")
    }
    let store = try SQLiteStore(
        path: (options.dataDirectory as NSString).appendingPathComponent("vigil.sqlite"),
        durability: configuration.durability == .full ? .powerLoss : .process,
        signalsKept: configuration.signalsKept,
        logger: logger
    )
    let engine = Engine(
        store: store,
        settings: Engine.Settings(
            baseURL: options.baseURL, pingKey: configuration.pingKey, notify: configuration.notify,
            defaultRateLimit: configuration.rateLimit
        ),
        logger: logger
    )
    let watched = try await engine.start(declaring: configuration.monitors)
    let recovery = RecoveryCoordinator(
        engine: engine, settings: configuration.recovery, configs: configuration.recoveryConfigs, logger: logger
    )
    let badgeSecret: [UInt8]
    do {
        badgeSecret = try await store.secret(named: "badges") { randomBytes(32) }
        if configuration.access.required {
            try await LocalKey.ensure(in: options.dataDirectory, store: store)
        }
    } catch let error as StoreError {
        throw ServerError("cannot prepare the keys in \(options.dataDirectory): \(error.message)")
    }
    let gate = Gate(settings: configuration.access, store: store)
    let router = buildRouter(
        engine: engine, recovery: recovery, pingBodyLimit: configuration.pingBodyLimit, gate: gate,
        badgeSecret: badgeSecret
    )
    let listen = configuration.listen
    let application = Application(
        router: router,
        server: httpServer(engine: engine, pingBodyLimit: configuration.pingBodyLimit),
        configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "Vigil"),
        services: [
            DeadlineService(engine: engine),
            ForecastService(engine: engine, recovery: recovery),
            Notifier(store: store, wakeup: engine.noticeWakeup, logger: logger),
            recovery,
        ],
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? listen.port
            logger.notice(
                "Vigil is serving",
                metadata: ["vigil.address": "\(listen.host):\(port)", "vigil.monitors": "\(watched)"]
            )
            await onServerRunning(port)
        },
        logger: logger
    )
    return VigilRuntime(engine: engine, recovery: recovery, watched: watched, application: application)
}

/// A failure to start the server, with what to do about it.
public struct ServerError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
