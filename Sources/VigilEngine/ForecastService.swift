import Foundation
import ServiceLifecycle
import VigilCore

/// Checks the forecast rules once a minute until graceful shutdown.
public struct ForecastService: Service {
    /// Runs a declared action for a monitor because a forecast rule fired, with the reason to journal.
    public typealias RunAction = @Sendable (_ action: String, _ monitor: Monitor, _ reason: String) async -> Void

    let engine: Engine
    /// How often the rules are checked; default one minute.
    let interval: Duration
    /// Carries out the rules' actions; without it they are skipped.
    let runAction: RunAction?

    public init(engine: Engine, interval: Duration = .seconds(60), runAction: RunAction? = nil) {
        self.engine = engine
        self.interval = interval
        self.runAction = runAction
    }

    /// Runs the rules' actions through the recovery loop's action runner.
    public init(engine: Engine, recovery: RecoveryCoordinator, interval: Duration = .seconds(60)) {
        self.init(engine: engine, interval: interval) { action, monitor, reason in
            await recovery.runPreemptive(action: action, for: monitor, reason: reason)
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await engine.checkForecasts(at: engine.now(), run: runAction)
                try? await Task.sleep(for: interval)
            }
        }
    }
}
