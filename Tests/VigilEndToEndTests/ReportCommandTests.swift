import Foundation
import Testing
import VigilCore
import VigilEngine

/// `vigil report` and `vigil calibrate` against a real `vigil serve`, through the built binary.
struct ReportCommandTests {
    static let config = """
        ping_key: 5f2b8c1e9d7a4e3b
        monitors:
          agent:
            every: 1h
            grace: 10m
            calibrate: suggest
            tags: [bots]
        """

    @Test func reportAndCalibrateShowWhatTheServerLearned() async throws {
        let server = try ServerProcess(config: Self.config)
        try await server.start()
        defer { server.stop() }
        let env = [
            "VIGIL_URL": server.url, "VIGIL_PING_KEY": "5f2b8c1e9d7a4e3b", "NO_COLOR": "1", "VIGIL_API_KEY": server.apiKey,
        ]
        for _ in 0..<3 {
            let ping = try await Command.vigil(["ping", "agent"], environment: env)
            #expect(ping.status == 0, "\(ping.stderr)")
        }

        let report = try await Command.vigil(["report", "--since", "7d"], environment: env)
        #expect(report.status == 0, "\(report.stderr)")
        #expect(report.stdout.contains("By monitor"))
        #expect(report.stdout.contains("Stall onsets by hour of week"))
        #expect(report.stdout.contains("success      3") || report.stdout.contains("success  3"))
        #expect(report.stdout.contains("no success for "))
        #expect(!report.stdout.contains("\u{1B}["), "no colour when not on a terminal")

        let json = try await Command.vigil(["report", "--monitor", "agent", "--json"], environment: env)
        #expect(json.status == 0)
        let decoded = try VigilJSON.decoder.decode(EngineReport.self, from: Data(json.stdout.utf8))
        #expect(decoded.journal.byMonitor.map(\.key) == ["agent"])
        #expect(decoded.journal.digestByDay.reduce(0) { $0 + $1.count } == 3)
        #expect(decoded.forecasts.first?.calibrated?.gapCount == 2)

        let calibrate = try await Command.vigil(["calibrate", "agent"], environment: env)
        #expect(calibrate.status == 0, "\(calibrate.stderr)")
        #expect(calibrate.stdout.contains("agent — calibrate: suggest"))
        #expect(calibrate.stdout.contains("current"))
        #expect(calibrate.stdout.contains("calibrated"))

        let unknown = try await Command.vigil(["calibrate", "nobody"], environment: env)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no monitor has the slug or key nobody"))
        let badSince = try await Command.vigil(["report", "--since", "5x"], environment: env)
        #expect(badSince.status == 64)
    }
}
