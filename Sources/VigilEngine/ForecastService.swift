import Foundation
import ServiceLifecycle

/// Checks the forecast rules once a minute until graceful shutdown.
public struct ForecastService: Service {
    let engine: Engine
    /// How often the rules are checked; default one minute.
    let interval: Duration

    public init(engine: Engine, interval: Duration = .seconds(60)) {
        self.engine = engine
        self.interval = interval
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await engine.checkForecasts(at: engine.now())
                try? await Task.sleep(for: interval)
            }
        }
    }
}
