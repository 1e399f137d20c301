import Foundation
import Hummingbird
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
public func buildRouter(engine: Engine, pingBodyLimit: Int) -> Router<VigilRequestContext> {
    let router = Router(context: VigilRequestContext.self)
    PingController(engine: engine, bodyLimit: pingBodyLimit, now: { Date() }).addRoutes(to: router)
    StatusController(engine: engine).addRoutes(to: router)
    router.get("/health") { _, _ in "OK" }
    return router
}

/// Opens the store, starts the engine and returns the application that serves it, with the deadline queue and
/// the notifier as its services.
public func buildApplication(
    _ options: ServerOptions,
    logger: Logger = Logger(label: "vigil")
) async throws -> some ApplicationProtocol {
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
    let router = buildRouter(engine: engine, pingBodyLimit: configuration.pingBodyLimit)
    let listen = configuration.listen
    return Application(
        router: router,
        configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "Vigil"),
        services: [
            DeadlineService(engine: engine),
            Notifier(store: store, wakeup: engine.noticeWakeup, logger: logger),
        ],
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? listen.port
            logger.notice(
                "Vigil is serving",
                metadata: ["vigil.address": "\(listen.host):\(port)", "vigil.monitors": "\(watched)"]
            )
        },
        logger: logger
    )
}

/// A failure to start the server, with what to do about it.
public struct ServerError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
