import Foundation
import Testing

@testable import VigilCore

/// One real commit history from `../shared/data/commit-histories/`, replayed as `vigil evaluate` does.
struct RealHistorySmokeTests {
    /// The shared data folder beside the repository, found from this file's path.
    static let history: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("shared/data/commit-histories/junegunn+vim-plug.tsv")

    static var isPresent: Bool { FileManager.default.fileExists(atPath: history.path) }

    @Test(.enabled(if: isPresent, "the shared history ../shared/data/commit-histories/junegunn+vim-plug.tsv is absent"))
    func aRealHistoryGivesSaneFigures() throws {
        let text = try String(contentsOf: Self.history, encoding: .utf8)
        let stream = try ProgressStream.parse(text, name: "junegunn+vim-plug")
        #expect(stream.times.count > 900)
        let evaluation = Evaluation.run(streams: [stream], end: stream.times.last!)
        for horizon in [7.0, 30.0] {
            let rows = evaluation.rows.filter { $0.horizonDays == horizon }
            let vigil = try #require(rows.first { $0.method == "vigil" })
            let quarter = try #require(rows.first { $0.method == "fixed-\(Backtest.days(horizon * 86_400 / 4))d" })
            let pastRate = try #require(rows.first { $0.method == "past-rate" })
            let stalls = try #require(vigil.stalls)
            #expect(stalls >= 10, "a decade of commits holds stalls at \(horizon) d")
            // Sooner than the horizon, never sooner than the floor, with fewer false alarms than a fixed X/4.
            let median = try #require(vigil.medianDaysToAlarm)
            #expect(median >= horizon / 8 && median < horizon)
            #expect(try #require(vigil.falseAlarmsPerMonth) < (try #require(quarter.falseAlarmsPerMonth)))
            #expect(try #require(vigil.shareAlarmedBeforeHorizon) > 0.9)
            // Forecasts rank better than chance and are calibrated at least as well as the past stall rate, roughly.
            #expect(try #require(vigil.aucWithinMedian) > 0.55)
            #expect(try #require(vigil.brier) < (try #require(pastRate.brier)) * 1.1)
        }
    }
}
