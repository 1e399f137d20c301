import ServiceLifecycle

/// Runs the engine's deadline queue until graceful shutdown.
public struct DeadlineService: Service {
    let engine: Engine

    public init(engine: Engine) {
        self.engine = engine
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await engine.runDeadlines()
        }
    }
}
