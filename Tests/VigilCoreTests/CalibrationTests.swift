import Foundation
import Testing

@testable import VigilCore

struct CalibrationTests {
    let hour = Synthetic.hour
    let day = Synthetic.day

    @Test func aStreamWithClearStallsGetsADeadlineJustBeyondItsLongestWorkingGap() {
        let history = GapHistory(progress: Synthetic.hourlyWithStalls(count: 600))
        let deadline = Calibrator().deadline(for: history, horizon: day, typicalGap: hour, progressNoun: "commit")
        // Working gaps are at most 1.5 h and a tenth of gaps are 3-day stalls: past 1.5 h, a stall is near certain.
        #expect(deadline.silence >= 1.5 * hour)
        #expect(deadline.silence <= 4 * hour)
        #expect(deadline.probability >= 0.5)
        #expect(deadline.shareShorter > 0.85)
        #expect(deadline.explanation.hasPrefix("no commit for "))
        #expect(deadline.explanation.contains("of this monitor's gaps are shorter"))
    }

    @Test func aMemorylessStreamIsNotAlarmedMuchBeforeTheHorizon() {
        let (times, _) = Synthetic.poisson(count: 1_500, mean: hour)
        let history = GapHistory(progress: times)
        let deadline = Calibrator().deadline(for: history, horizon: 12 * hour, typicalGap: hour)
        // For exponential gaps a silence says nothing about the rest: P(≥ X | ≥ s) stays tiny while data backs it,
        // so the deadline lies beyond nearly every gap seen, where the heavy-tailed prior takes over.
        #expect(deadline.shareShorter > 0.995)
        #expect(deadline.silence >= 12 * hour / 2)
        #expect(deadline.silence <= 12 * hour)
        let scores = Backtest.run(
            times: times, end: times.last!, horizon: 12 * hour, rules: [.calibrated(.standard), .fixed(3 * hour)])
        #expect(scores[0].falseAlarms <= 3)
        #expect(scores[1].falseAlarms > 50)
    }

    @Test func theDailyRhythmDoesNotRaiseWeekendAlarms() {
        let times = Synthetic.dailyRhythm(weeks: 30)
        let scores = Backtest.run(
            times: times, end: times.last! + hour, horizon: 3 * day,
            rules: [.calibrated(.standard), .fixed(0.75 * day)])
        let calibrated = scores[0]
        // Nights (16 h) and weekends (64 h) are normal: the learned deadline sits beyond them, a fixed 18 h does not.
        #expect(calibrated.falseAlarms == 0)
        #expect(scores[1].falseAlarms >= 25)
        let history = GapHistory(progress: times)
        let deadline = Calibrator().deadline(for: history, horizon: 3 * day, typicalGap: hour)
        #expect(deadline.silence > 64 * hour)
        #expect(deadline.silence < 72 * hour)
    }

    @Test func aNewMonitorStartsFromThePriorWithinFloorAndCeiling() {
        let deadline = Calibrator().deadline(for: GapHistory(), horizon: 25 * hour, typicalGap: day)
        // The Lomax prior (c + s) / (c + X) reaches 0.5 at s = (X − c) / 2 = 30 min, below the floor X/8.
        #expect(deadline.silence == 25 * hour / 8)
        #expect(deadline.gapCount == 0)
        #expect(deadline.explanation.contains("no history yet"))
        let longer = Calibrator().deadline(for: GapHistory(), horizon: 10 * day, typicalGap: hour)
        #expect(abs(longer.silence - (10 * day - hour) / 2) < 0.05 * 10 * day)
    }

    @Test func theBacktestCatchesStallsSoonerThanTheConfiguredDeadline() {
        let times = Synthetic.hourlyWithStalls(count: 1_000)
        let scores = Backtest.run(
            times: times, end: times.last! + hour, horizon: day, rules: [.fixed(day), .calibrated(.standard)])
        let current = scores[0]
        let calibrated = scores[1]
        #expect(current.stalls == 95)
        #expect(current.falseAlarms == 0)
        #expect(current.timesToAlarm.allSatisfy { $0 == day })
        #expect(calibrated.stalls == 95)
        let median = Backtest.quantile(calibrated.timesToAlarm.sorted(), 0.5)
        #expect(median < 4 * hour)
        #expect(calibrated.alarmedBeforeHorizon == 95)
        // Working gaps never reach 1.5 h, so the learned deadline raises no false alarm after the warm-up.
        #expect(calibrated.falseAlarmsPerMonth < 0.5)
    }

    @Test func theOpenFinalGapIsScoredOnlyOnceItExceedsTheHorizon() {
        let times = (0...60).map { Synthetic.t0 + Double($0) * hour }
        let censored = Backtest.run(times: times, end: times.last! + hour, horizon: day, rules: [.fixed(day / 2)])
        #expect(censored[0].censored == 1)
        #expect(censored[0].stalls == 0)
        #expect(censored[0].scoredGaps == 10)
        let open = Backtest.run(times: times, end: times.last! + 2 * day, horizon: day, rules: [.fixed(day / 2)])
        #expect(open[0].stalls == 1)
        #expect(open[0].timesToAlarm == [day / 2])
    }

    @Test func methodNamesFollowTheEvaluationFormat() {
        let rules = Evaluation.detectionRules(horizon: 7 * day)
        #expect(rules.map(\.method) == ["vigil", "fixed-1.75d", "fixed-3.5d", "fixed-5.25d", "fixed-7d", "quantile"])
        #expect(Evaluation.detectionRules(horizon: 30 * day).map(\.method)
            == ["vigil", "fixed-7.5d", "fixed-15d", "fixed-22.5d", "fixed-30d", "quantile"])
    }

    @Test func spokenDurationsUseTheTwoLargestUnits() {
        #expect(Calibrator.spoken(19 * hour) == "19h")
        #expect(Calibrator.spoken(4 * day + 6 * hour + 5 * 60) == "4d6h")
        #expect(Calibrator.spoken(45 * 60) == "45m")
        #expect(Calibrator.spoken(0) == "0s")
        #expect(Calibrator.percent(0.974) == "97%")
        #expect(Calibrator.percent(0.9999) == ">99%")
    }
}
