import Foundation
import ServiceLifecycle
import VigilCore

/// Checks the forecast rules until graceful shutdown: once a minute, or more often for monitors with short periods.
public struct ForecastService: Service {
    /// Runs a declared action for a monitor because a forecast rule fired, with the reason to journal.
    public typealias RunAction = @Sendable (_ action: String, _ monitor: Monitor, _ reason: String) async -> Void

    let engine: Engine
    /// How often the rules are checked; nil derives it from the monitors (see `checkInterval(for:)`).
    let interval: Duration?
    /// Carries out the rules' actions; without it they are skipped.
    let runAction: RunAction?

    /// - Parameter interval: how often the rules are checked; default nil, derived from the forecasting monitors.
    public init(engine: Engine, interval: Duration? = nil, runAction: RunAction? = nil) {
        self.engine = engine
        self.interval = interval
        self.runAction = runAction
    }

    /// Runs the rules' actions through the recovery loop's action runner.
    public init(engine: Engine, recovery: RecoveryCoordinator, interval: Duration? = nil) {
        self.init(engine: engine, interval: interval) { action, monitor, reason in
            await recovery.runPreemptive(action: action, for: monitor, reason: reason)
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await engine.checkForecasts(at: engine.now(), run: runAction)
                try? await Task.sleep(for: interval ?? Self.checkInterval(for: engine.forecastingPeriods()))
            }
        }
    }

    /// A quarter of the shortest period among monitors with forecast rules, from one second to one minute: a rule
    /// of a monitor that expects progress every 4 s must not wait a minute to fire.
    public static func checkInterval(for periods: [TimeInterval]) -> Duration {
        guard let shortest = periods.min() else { return .seconds(60) }
        return .seconds(min(60, max(1, shortest / 4)))
    }
}

extension Engine {
    /// The periods (period plus grace) of the monitors that have forecast rules.
    func forecastingPeriods() -> [TimeInterval] {
        learning.withLock { learning in
            learning.entries.values.filter { !$0.rules.isEmpty }.map { entry in
                Self.stallHorizon(of: entry.declared, near: entry.history.lastProgress ?? now())
            }
        }
    }
}
