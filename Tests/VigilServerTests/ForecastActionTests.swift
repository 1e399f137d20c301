import Foundation
import Synchronization
import Testing
import VigilCore
import VigilEngine
import VigilStore

/// Forecast rules that run an action: through the engine and the recovery loop's action runner, on a real SQLite
/// file, with a command that writes a file.
@Suite struct ForecastActionTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let hour: TimeInterval = 3_600

    /// A script that appends its argument to `file`.
    static func appendingScript(in directory: URL, to file: URL) throws -> URL {
        let script = directory.appendingPathComponent("write-article.sh")
        try "#!/bin/sh\necho \"$1\" >> '\(file.path)'\necho wrote \"$1\"\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script
    }

    static func lines(of file: URL) -> [String] {
        ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func riskAndDropRulesRunTheirCommandActionOncePerSilence() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-forecast-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = directory.appendingPathComponent("articles.txt")
        let script = try Self.appendingScript(in: directory, to: written)
        let store = try SQLiteStore(path: directory.appendingPathComponent("vigil.sqlite").path)
        let now = Mutex(Self.t0)
        let clock: @Sendable () -> Date = { now.withLock { $0 } }
        let engine = Engine(
            store: store,
            settings: Engine.Settings(baseURL: "http://127.0.0.1:8080", pingKey: nil, notify: [], defaultRateLimit: nil),
            now: clock)
        var agent = MonitorDeclaration(slug: "agent", schedule: .every(Self.hour), grace: Self.hour / 2)
        agent.forecast = [ForecastRule(trigger: .risk(0.3), responses: [.warn("slowing"), .run(action: "write-article")])]
        var feed = MonitorDeclaration(slug: "feed", schedule: .every(Self.hour), grace: Self.hour / 2)
        feed.forecast = [ForecastRule(trigger: .drop(kind: "engagement"), responses: [.run(action: "drop-article")])]
        try await engine.start(declaring: [agent, feed])
        let actions = [
            "write-article": Action(
                name: "write-article", kind: .run(CommandSpec(argv: [script.path, "risk"])), timeout: 10),
            "drop-article": Action(
                name: "drop-article", kind: .run(CommandSpec(argv: [script.path, "drop"])), timeout: 10),
        ]
        let recovery = RecoveryCoordinator(
            engine: engine, settings: RecoverySettings(actions: actions), configs: [:], now: clock)
        let run: (String, Monitor, String) async -> Void = { action, monitor, reason in
            await recovery.runPreemptive(action: action, for: monitor, reason: reason)
        }

        // Hourly progress on agent, then a silence.
        let agentKey = try #require(engine.snapshot(slugOrKey: "agent")).monitor.key
        var time = Self.t0
        for _ in 0..<60 {
            time += Self.hour
            now.withLock { $0 = time }
            _ = try await engine.receive(Signal(kind: .success, at: time), for: .key(agentKey))
        }
        let last = time
        #expect(await engine.checkForecasts(at: last + 60, run: run) == 0)
        #expect(Self.lines(of: written).isEmpty)
        now.withLock { $0 = last + 1.5 * Self.hour }
        #expect(await engine.checkForecasts(at: last + 1.5 * Self.hour, run: run) == 1)
        #expect(Self.lines(of: written) == ["risk"])
        // Once per silence.
        #expect(await engine.checkForecasts(at: last + 1.6 * Self.hour, run: run) == 0)
        #expect(Self.lines(of: written) == ["risk"])
        let agentID = try #require(engine.snapshot(slugOrKey: "agent")).monitor.id
        let journal = try await engine.journal(of: agentID, limit: 20).filter { $0.event == .recovery }.map(\.detail)
        #expect(journal.contains { $0.hasPrefix("forecast: risk ") && $0.hasSuffix("≥ 30% → running write-article before the stall") },
            "\(journal)")
        #expect(journal.contains("forecast: write-article succeeded (0): wrote risk"), "\(journal)")

        // Steady engagement on feed, then a drop.
        let feedKey = try #require(engine.snapshot(slugOrKey: "feed")).monitor.key
        let engagement = SignalKind(rawValue: "engagement")
        for index in 0..<12 {
            time += 60
            _ = try await engine.receive(
                Signal(kind: engagement, at: time, value: index % 2 == 0 ? 98 : 102), for: .key(feedKey))
        }
        #expect(await engine.checkForecasts(at: time, run: run) == 0)
        time += 60
        _ = try await engine.receive(Signal(kind: engagement, at: time, value: 60), for: .key(feedKey))
        #expect(await engine.checkForecasts(at: time, run: run) == 1)
        #expect(Self.lines(of: written) == ["risk", "drop"])
        let feedID = try #require(engine.snapshot(slugOrKey: "feed")).monitor.id
        let feedJournal = try await engine.journal(of: feedID, limit: 20).filter { $0.event == .recovery }.map(\.detail)
        #expect(feedJournal.contains("forecast: engagement dropped to 60.0 → running drop-article before the stall"),
            "\(feedJournal)")
    }
}
