import Foundation
import Testing

@testable import VigilCore

struct EvaluationTests {
    @Test func historyFilesParseByEitherClock() throws {
        let text = "author_time\tauthor_utc_offset\tcommitter_time\n300\t+0100\t100\n200\t-0800\t400\n"
        let author = try ProgressStream.parse(text, name: "a")
        #expect(author.times.map(\.timeIntervalSince1970) == [200, 300])
        #expect(author.utcOffsets == [-28_800, 3_600])
        let committer = try ProgressStream.parse(text, name: "a", clock: .committer)
        #expect(committer.times.map(\.timeIntervalSince1970) == [100, 400])
        #expect(throws: ProgressStream.FormatError.self) {
            try ProgressStream.parse("time\n1\n", name: "bad")
        }
        #expect(throws: ProgressStream.FormatError.self) {
            try ProgressStream.parse("author_time\tcommitter_time\nyesterday\t1\n", name: "bad")
        }
    }

    @Test func theEvaluationHasEveryMethodAtBothHorizons() {
        let stream = ProgressStream(name: "synthetic", times: Synthetic.hourlyWithStalls(count: 400))
        let day = Synthetic.day
        let evaluation = Evaluation.run(
            streams: [stream], end: stream.times.last! + day, horizons: [day, 2 * day])
        #expect(evaluation.rows.map(\.method) == [
            "vigil", "fixed-0.25d", "fixed-0.5d", "fixed-0.75d", "fixed-1d", "quantile", "past-rate", "ewma",
            "vigil", "fixed-0.5d", "fixed-1d", "fixed-1.5d", "fixed-2d", "quantile", "past-rate", "ewma",
        ])
        let vigil = evaluation.rows[0]
        // 40 three-day gaps, of which the first 5 fall in the warm-up, and the open final gap of one day.
        #expect(vigil.stalls == 36)
        #expect(vigil.aucWithinMedian != nil)
        #expect(vigil.brier != nil)
        let atHorizon = evaluation.rows[4]
        #expect(atHorizon.falseAlarmsPerMonth == 0)
        #expect(atHorizon.shareAlarmedBeforeHorizon == 0)
        #expect(atHorizon.medianDaysToAlarm == 1)
        #expect(evaluation.rows[7].brier == nil)
    }

    @Test func aRuleThatMissesMostStallsHasNoMedianInsteadOfAnInfiniteOne() throws {
        // Every fourth gap is a stall of 24–33 h: the 95th percentile of gaps lies above most of them.
        var time = Synthetic.t0
        var times = [time]
        for index in 1...800 {
            time += index % 4 == 0 ? Synthetic.day + Double(index / 4 % 10) * Synthetic.hour : Synthetic.hour
            times.append(time)
        }
        let evaluation = Evaluation.run(
            streams: [ProgressStream(name: "s", times: times)], end: time, horizons: [Synthetic.day])
        let quantile = try #require(evaluation.rows.first { $0.method == "quantile" })
        #expect(quantile.medianDaysToAlarm == .infinity)
        let json = try JSONEncoder().encode(evaluation.rows)
        let rows = try #require(try JSONSerialization.jsonObject(with: json) as? [[String: Any]])
        let encoded = try #require(rows.first { $0["method"] as? String == "quantile" })
        #expect(encoded["median_days_to_alarm"] is NSNull)
        #expect(encoded["share_alarmed_before_horizon"] as? Double == 0)
    }
}
