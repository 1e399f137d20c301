import Foundation
import Testing

@testable import VigilCore

struct ForecastTests {
    let hour = Synthetic.hour
    let day = Synthetic.day

    @Test func theStallRiskRisesWhenThePoissonRateDrops() {
        // 1 500 events an hour apart on average, then the rate drops twelvefold at a known time.
        let (times, dropAt) = Synthetic.poisson(count: 1_500, mean: hour, dropCount: 300, droppedMean: 12 * hour)
        let before = GapHistory(progress: times.filter { $0 <= dropAt })
        let after = GapHistory(progress: times)
        let horizon = day
        let riskBefore = StallModel.standard.estimator(for: before, horizon: horizon, typicalGap: hour)
            .probability(afterSilence: 0)
        let riskAfter = StallModel.standard.estimator(for: after, horizon: horizon, typicalGap: hour)
            .probability(afterSilence: 0)
        // Hourly: P(gap ≥ 24 h) = e^-24, nil. Every 12 h: e^-2 ≈ 0.135.
        #expect(riskBefore < 0.02)
        #expect(riskAfter > 0.06 && riskAfter < 0.3)
        let slowing = StallRisk(history: after, now: after.lastProgress! + 6 * hour, horizon: horizon, typicalGap: hour)
        #expect(slowing.slowdown! > 4)
        #expect(slowing.reasons.contains { $0.hasPrefix("progress is slowing") })
    }

    @Test func forecastsOnAStationaryStreamAreCalibrated() {
        // Exponential gaps with a 12 h mean: a day-long gap has probability e^-2 ≈ 0.135.
        let (times, _) = Synthetic.poisson(count: 3_000, mean: 12 * hour, seed: 3)
        let scores = StallForecaster.replay(
            times: times, end: times.last!, horizon: day, forecasters: [.model(.standard), .pastRate])
        let model = scores[0]
        let mean = model.predictions.reduce(0) { $0 + $1.probability } / Double(model.predictions.count)
        let observed = Double(model.predictions.count { $0.stall }) / Double(model.predictions.count)
        #expect(abs(observed - 0.135) < 0.03)
        #expect(abs(mean - observed) < 0.03)
        // Nothing to rank on in a memoryless stream: the Brier score must not be much worse than the base rate's.
        #expect(model.brier! < scores[1].brier! + 0.005)
    }

    @Test func aRateDropIsRankedAboveTheSteadyPart() {
        let (times, dropAt) = Synthetic.poisson(count: 800, mean: 2 * hour, dropCount: 200, droppedMean: 16 * hour)
        let scores = StallForecaster.replay(
            times: times, end: times.last!, horizon: day, forecasters: [.model(.standard), .pastRate, .ewma])
        let model = scores[0]
        #expect(model.auc! > 0.7)
        #expect(model.brier! < scores[1].brier!)
        // The forecasts after the drop are higher on average than before it.
        let split = times.firstIndex { $0 > dropAt }! - Backtest.defaultWarmUp
        let before = model.predictions[..<split].map(\.probability)
        let after = model.predictions[split...].map(\.probability)
        let meanBefore: Double = before.reduce(0, +) / Double(before.count)
        let meanAfter: Double = after.reduce(0, +) / Double(after.count)
        #expect(meanAfter > 5 * meanBefore)
    }

    @Test func aucCountsTiesAsHalf() {
        #expect(ForecastScore.auc([(0.9, true), (0.1, false)]) == 1)
        #expect(ForecastScore.auc([(0.1, true), (0.9, false)]) == 0)
        #expect(ForecastScore.auc([(0.5, true), (0.5, false)]) == 0.5)
        #expect(ForecastScore.auc([(0.5, true)]) == nil)
    }

    @Test func theDropDetectorFiresSoonAfterAKnownDropAndNotBefore() {
        var generator = SeededGenerator(seed: 5)
        var detector = DropDetector()
        var firings: [Int] = []
        for index in 0..<200 {
            let level = index < 120 ? 100.0 : 70.0
            let value = level + Double.random(in: -5...5, using: &generator)
            if detector.observe(value) { firings.append(index) }
        }
        #expect(firings.first.map { $0 >= 120 && $0 <= 124 } == true, "fired at \(firings)")
        #expect(!firings.contains { $0 < 120 })
    }

    @Test func forecastRulesWarnBeforeTheCalibratedDeadline() {
        let history = GapHistory(progress: Synthetic.hourlyWithStalls(count: 600))
        let estimator = StallModel.standard.estimator(for: history, horizon: day, typicalGap: hour)
        let early = ForecastRule(risk: 0.2, response: .warn("slowing")).silence(in: estimator)
        let late = ForecastRule(risk: 0.8, response: .warn("stalling")).silence(in: estimator)
        #expect(early <= estimator.alarmSilence())
        #expect(late >= estimator.alarmSilence())
    }

    @Test func theHourOfWeekWindowShowsWhereStallsBegin() {
        let zone = TimeZone(identifier: "Europe/Berlin")!
        var onsets = HourOfWeekHeatmap()
        // Ten Friday 18:00 onsets in Berlin (17:00 UTC in winter).
        for week in 0..<10 { onsets.add(Synthetic.t0 + Double(week) * 7 * day + 4 * day + 17 * hour, in: zone) }
        #expect(onsets.counts[4][18] == 10)
        let friday = Synthetic.t0 + 4 * day + 15 * hour
        #expect(onsets.share(from: friday, hours: 6, in: zone) == 1)
        let history = GapHistory(progress: Synthetic.dailyRhythm(weeks: 4))
        let risk = StallRisk(
            history: history, now: friday, horizon: 6 * hour, typicalGap: hour, onsets: onsets, timeZone: zone,
            recentBlockers: ["x-api", "disk", "x-api"])
        #expect(risk.windowShare == 1)
        #expect(risk.recurringBlocker == "x-api")
        #expect(risk.reasons.count >= 3)
    }

    @Test func aDropRuleFiresOnTheValueThatDropsAndOnlyOnItsKind() {
        let rule = ForecastRule(trigger: .drop(kind: "engagement"), responses: [.run(action: "write-article")])
        var detector = DropDetector()
        var fired: [Int] = []
        let values = (0..<12).map { $0 % 2 == 0 ? 98.0 : 102.0 } + [60]
        for (index, value) in values.enumerated() where rule.observe(value, ofKind: "engagement", in: &detector) {
            fired.append(index)
        }
        #expect(fired == [12])
        // Another kind is not fed to it, and never fires it.
        #expect(!rule.observe(0, ofKind: "volatility", in: &detector))
        #expect(detector.count == 13)
        // A drop rule does not fire on silence; a risk rule does not watch values.
        let estimator = StallModel.standard.estimator(
            for: GapHistory(progress: Synthetic.hourlyWithStalls(count: 100)), horizon: day, typicalGap: hour)
        #expect(rule.silence(in: estimator) == .infinity)
        #expect(rule.risk == nil && rule.dropKind == "engagement")
        var other = DropDetector()
        #expect(!ForecastRule(risk: 0.5, response: .warn("x")).observe(0, ofKind: "engagement", in: &other))
        #expect(other.count == 0)
    }
}
