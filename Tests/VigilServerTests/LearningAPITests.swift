import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import VigilCore
import VigilEngine
import VigilServer
import VigilStore

/// The report, calibration and forecast routes, through the production router on a real SQLite file.
@Suite struct LearningAPITests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let hour: TimeInterval = 3_600

    /// An engine whose clock stands at `clock`, declaring `monitors`, with `progress` times already pinged to
    /// `agent` (every 1 h, grace 30 m).
    static func withEngine(
        calibrate: CalibrationMode,
        forecast: [ForecastRule] = [],
        progress: [Date],
        clock: Date,
        _ body: @Sendable (Engine, any TestClientProtocol) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-learning-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("vigil.sqlite").path
        var declaration = MonitorDeclaration(slug: "agent", schedule: .every(hour), grace: hour / 2, tags: ["bots"])
        declaration.calibrate = calibrate
        declaration.forecast = forecast
        let settings = Engine.Settings(baseURL: "http://127.0.0.1:8080", pingKey: nil, notify: [], defaultRateLimit: nil)
        let now = Mutex(Self.t0)
        // The first engine records the history; the second starts from the store, as after a restart.
        let first = Engine(store: try SQLiteStore(path: path), settings: settings, now: { now.withLock { $0 } })
        try await first.start(declaring: [declaration])
        let key = try #require(first.snapshot(slugOrKey: "agent")).monitor.key
        for time in progress {
            now.withLock { $0 = time }
            await first.fireDeadlines(at: time)
            _ = try await first.receive(Signal(kind: .success, at: time), for: .key(key))
        }
        now.withLock { $0 = clock }
        let engine = Engine(store: try SQLiteStore(path: path), settings: settings, now: { now.withLock { $0 } })
        try await engine.start(declaring: [declaration])
        let app = Application(router: buildRouter(engine: engine, pingBodyLimit: 1_000, gate: .open))
        try await app.test(.router) { client in try await body(engine, client) }
    }

    /// Hourly progress with a three-day stall after every tenth ping.
    static func hourlyWithStalls(_ count: Int) -> [Date] {
        var time = t0
        return (0..<count).map { index in
            time += index % 10 == 0 && index > 0 ? 3 * 86_400 : hour
            return time
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try VigilJSON.decoder.decode(T.self, from: Data(buffer: response.body))
    }

    @Test func theReportCountsIncidentsAndProgressOverTheRange() async throws {
        let progress = Self.hourlyWithStalls(60)
        let end = progress.last! + Self.hour
        try await Self.withEngine(calibrate: .suggest, progress: progress, clock: end) { _, client in
            let until = VigilJSON.format(end)
            let response = try await client.execute(uri: "/api/v1/report?since=60d&until=\(until)", method: .get)
            #expect(response.status == .ok)
            let report = try Self.decode(EngineReport.self, response)
            // Five three-day gaps, each a stall incident that progress resolved.
            #expect(report.journal.overall.incidents == 5)
            #expect(report.journal.overall.recoveredAutomatically == 5)
            #expect(report.journal.byMonitor.map(\.key) == ["agent"])
            let mttr = try #require(report.journal.overall.timeToRecover)
            // Onset is the missed due time, an hour after the last progress.
            #expect(mttr.p50 == 3 * 86_400 - Self.hour)
            #expect(report.journal.byTag.map(\.key) == ["bots"])
            #expect(report.journal.digestByDay.reduce(0) { $0 + $1.count } == 60)
            #expect(report.journal.sparklines["agent"]?.reduce(0, +) == 60)
            #expect(report.journal.stalledRanking.first?.monitor == "agent")
            let forecast = try #require(report.forecasts.first)
            #expect(forecast.monitor == "agent")
            #expect(forecast.calibrated != nil)
            #expect(forecast.risk.probability > 0 && forecast.risk.probability < 1)

            let bad = try await client.execute(uri: "/api/v1/report?since=5x", method: .get)
            #expect(bad.status == .badRequest)
            let missing = try await client.execute(uri: "/api/v1/report?monitor=nobody", method: .get)
            #expect(missing.status == .notFound)
        }
    }

    @Test func calibrationBacktestsTheConfiguredDeadlineAgainstTheLearnedOne() async throws {
        let progress = Self.hourlyWithStalls(120)
        try await Self.withEngine(calibrate: .suggest, progress: progress, clock: progress.last! + 600) { _, client in
            let response = try await client.execute(uri: "/api/v1/monitors/agent/calibration", method: .get)
            #expect(response.status == .ok)
            let report = try Self.decode(CalibrationReport.self, response)
            #expect(report.mode == .suggest)
            #expect(report.horizon == 1.5 * Self.hour)
            #expect(report.gaps == 119)
            #expect(report.backtest.map(\.rule) == ["current", "calibrated"])
            #expect(report.backtest[0].falseAlarms == 0)
            #expect(report.deadline.silence <= report.horizon)
            #expect(report.deadline.explanation.hasPrefix("no success for "))
            let missing = try await client.execute(uri: "/api/v1/monitors/nobody/calibration", method: .get)
            #expect(missing.status == .notFound)
        }
    }

    @Test func autoCalibrationReplacesTheEffectiveScheduleAndSurvivesARestart() async throws {
        // Gaps of 20 minutes with a 3-day stall after every tenth: beyond 20 minutes a stall is near certain.
        var time = Self.t0
        let progress = (0..<300).map { index -> Date in
            time += index % 10 == 0 && index > 0 ? 3 * 86_400 : 1_200
            return time
        }
        try await Self.withEngine(calibrate: .auto, progress: progress, clock: progress.last! + 60) { engine, client in
            let snapshot = try #require(engine.snapshot(slugOrKey: "agent"))
            guard case .every(let period) = snapshot.monitor.schedule else {
                Issue.record("the schedule is no longer a period")
                return
            }
            let deadline = period + snapshot.monitor.grace
            #expect(deadline < 1.5 * Self.hour)
            #expect(deadline >= 1.5 * Self.hour / 8)
            let calibrated = try #require(engine.calibratedDeadline(of: snapshot.monitor.id))
            #expect(abs(calibrated.silence - deadline) < 1)
            #expect(engine.declaredMonitor(of: snapshot.monitor.id)?.schedule == .every(Self.hour))
            // Wherever the deadline is shown, it explains itself.
            let view = try Self.decode(
                MonitorView.self, try await client.execute(uri: "/api/v1/monitors/agent", method: .get))
            #expect(view.calibration == calibrated.explanation)
            #expect(view.calibration?.hasPrefix("no success for ") == true)
        }
    }

    @Test func forecastRulesWarnOncePerSilence() async throws {
        let progress = Self.hourlyWithStalls(100)
        let rule = ForecastRule(risk: 0.3, response: .warn("slowing down"))
        try await Self.withEngine(calibrate: .off, forecast: [rule], progress: progress, clock: progress.last!) {
            engine, _ in
            #expect(await engine.checkForecasts(at: progress.last! + 60) == 0)
            #expect(await engine.checkForecasts(at: progress.last! + 1.5 * Self.hour) == 1)
            #expect(await engine.checkForecasts(at: progress.last! + 1.6 * Self.hour) == 0)
        }
    }
}
