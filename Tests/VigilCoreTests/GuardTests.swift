import Foundation
import Testing

@testable import VigilCore

@Suite("Guards")
struct GuardTests {
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    let volatility = SignalKind(rawValue: "volatility")

    /// The trading bot's breaker: halt when mean volatility over 5 minutes is above 3, look again after 10 minutes.
    func volatilityGuard(minimumSamples: Int = 3, window: TimeInterval = 300, coolDown: TimeInterval = 600)
        -> GuardState
    {
        GuardState(rule: GuardRule(
            name: "volatility", monitor: "trading-bot", kind: "volatility", condition: .meanAbove(3.0),
            window: window, minimumSamples: minimumSamples, coolDown: coolDown, halt: ["pause-bot"],
            resume: ["resume-bot"]))
    }

    func sample(_ value: Double, at seconds: TimeInterval) -> Signal {
        Signal(kind: volatility, at: t0 + seconds, value: value)
    }

    func run(_ kind: SignalKind, at seconds: TimeInterval) -> Signal {
        Signal(kind: kind, at: t0 + seconds)
    }

    func halts(_ effects: [GuardState.Effect]) -> Int {
        effects.filter { if case .halt = $0 { true } else { false } }.count
    }

    func resumes(_ effects: [GuardState.Effect]) -> Int {
        effects.filter { if case .resume = $0 { true } else { false } }.count
    }

    /// Trips the volatility guard at `t0 + 2` with three samples of 9.
    func tripped(coolDown: TimeInterval = 600, window: TimeInterval = 300) -> GuardState {
        var state = volatilityGuard(window: window, coolDown: coolDown)
        _ = state.observe(sample(9, at: 0))
        _ = state.observe(sample(9, at: 1))
        let effects = state.observe(sample(9, at: 2))
        #expect(halts(effects) == 1)
        return state
    }

    // MARK: - The rule

    @Test("it trips when the mean is above the threshold, once there are enough samples")
    func meanAbove() {
        var state = volatilityGuard()
        #expect(state.observe(sample(9, at: 0)) == [])
        #expect(state.observe(sample(9, at: 10)) == [], "two samples are fewer than min_samples 3")
        let effects = state.observe(sample(2, at: 20))
        #expect(effects == [
            .halt(reason: "volatility tripped: mean volatility 6.67 over 3 samples"),
            .wake(at: t0 + 20 + 600),
        ])
        #expect(state.phase == .open(since: t0 + 20, until: t0 + 620))
    }

    @Test("a mean at or below the threshold does not trip")
    func meanNotAbove() {
        var state = volatilityGuard()
        for (index, value) in [3.0, 3.0, 3.0, 1.0, 2.9].enumerated() {
            #expect(state.observe(sample(value, at: Double(index))) == [])
        }
        #expect(state.phase == .closed)
    }

    @Test("samples older than the window fall out of the mean")
    func oldSamplesFallOut() {
        var state = volatilityGuard()
        _ = state.observe(sample(10, at: 0))
        _ = state.observe(sample(10, at: 10))
        // Five minutes later the two spikes are out of the window; with them the mean would be 4.6.
        #expect(state.observe(sample(1, at: 400)) == [])
        #expect(state.observe(sample(1, at: 401)) == [])
        #expect(state.observe(sample(1, at: 402)) == [])
        #expect(state.samples.map(\.value) == [1, 1, 1])
        #expect(state.phase == .closed)
    }

    @Test("the mean below a threshold trips on a collapse")
    func meanBelow() {
        var state = GuardState(rule: GuardRule(
            name: "engagement", monitor: "content-pipeline", kind: "engagement", condition: .meanBelow(0.2),
            window: 3_600, minimumSamples: 2, coolDown: 1_800, halt: ["pause-posting"], resume: []))
        let engagement = SignalKind(rawValue: "engagement")
        #expect(state.observe(Signal(kind: engagement, at: t0, value: 0.4)) == [])
        #expect(state.observe(Signal(kind: engagement, at: t0 + 60, value: 0.3)) == [], "mean 0.35")
        #expect(state.observe(Signal(kind: engagement, at: t0 + 120, value: 0.02)) == [], "mean 0.24")
        let effects = state.observe(Signal(kind: engagement, at: t0 + 180, value: 0.02))
        #expect(effects.count == 2 && halts(effects) == 1, "mean 0.185 is below 0.2: \(effects)")
        #expect(effects.last == .wake(at: t0 + 180 + 1_800))
    }

    @Test("signals of another kind, and signals without a value, are not read")
    func otherKindsIgnored() {
        var state = volatilityGuard(minimumSamples: 1)
        #expect(state.observe(Signal(kind: SignalKind(rawValue: "spread"), at: t0, value: 100)) == [])
        #expect(state.observe(Signal(kind: volatility, at: t0, value: nil)) == [])
        #expect(state.observe(run(.fail, at: 1)) == [])
        #expect(state.samples.isEmpty)
    }

    @Test("a failure ratio counts failures among run ends in the window, and trips above it")
    func failureRatio() {
        var state = GuardState(rule: GuardRule(
            name: "flaky", monitor: "agent", kind: "failure_ratio", condition: .failureRatioAbove(0.5),
            window: 600, minimumSamples: 4, coolDown: 300, halt: ["pause-agent"], resume: ["resume-agent"]))
        #expect(state.observe(run(.success, at: 0)) == [])
        #expect(state.observe(run(.fail, at: 10)) == [])
        #expect(state.observe(run(.start, at: 15)) == [], "a start does not end a run")
        #expect(state.observe(run(.log, at: 16)) == [])
        #expect(state.observe(Signal(kind: volatility, at: t0 + 17, value: 9)) == [])
        #expect(state.observe(run(.exit(2), at: 20)) == [], "three run ends are fewer than min_samples 4")
        #expect(state.observe(run(.exit(0), at: 30)) == [], "2 of 4 failed: 0.5 is not above 0.5")
        let effects = state.observe(run(.fail, at: 40))
        #expect(effects == [.halt(reason: "flaky tripped: 3 of 5 runs failed"), .wake(at: t0 + 340)])
    }

    @Test("old run ends fall out of the failure ratio")
    func failureRatioWindow() {
        var state = GuardState(rule: GuardRule(
            name: "flaky", monitor: "agent", kind: "failure_ratio", condition: .failureRatioAbove(0.5),
            window: 600, minimumSamples: 2, coolDown: 300, halt: [], resume: []))
        _ = state.observe(run(.fail, at: 0))
        _ = state.observe(run(.success, at: 1))
        #expect(state.observe(run(.fail, at: 700)) == [], "the early ones are out of the window: 1 run end, too few")
        let effects = state.observe(run(.success, at: 701))
        #expect(effects == [], "1 of 2 is not above a half")
    }

    // MARK: - Open, half-open, closed

    @Test("while open nothing trips again, and advancing before the cool-down ends does nothing")
    func openHoldsUntilCoolDown() {
        var state = tripped()
        #expect(state.observe(sample(50, at: 100)) == [])
        #expect(state.advance(to: t0 + 601) == [])
        #expect(state.phase == .open(since: t0 + 2, until: t0 + 602))
    }

    @Test("after the cool-down it is half-open; with no fresh data it waits")
    func halfOpenWaitsForFreshData() {
        var state = tripped()
        #expect(state.advance(to: t0 + 602) == [])
        #expect(state.phase == .halfOpen(since: t0 + 602))
        // Advancing again changes nothing either.
        #expect(state.advance(to: t0 + 5_000) == [])
        #expect(state.phase == .halfOpen(since: t0 + 602))
    }

    @Test("fresh data back to normal resumes")
    func resumesOnFreshNormalData() {
        var state = tripped(window: 60)
        _ = state.advance(to: t0 + 602)
        #expect(state.observe(sample(1, at: 610)) == [])
        #expect(state.observe(sample(1, at: 611)) == [])
        let effects = state.observe(sample(2, at: 612))
        #expect(effects == [
            .resume(reason: "volatility resumed: fresh data is back to normal (mean volatility 1.33 over 3 samples)")
        ])
        #expect(state.phase == .closed)
    }

    @Test("fresh data still bad trips again, with a new cool-down")
    func tripsAgainOnFreshBadData() {
        var state = tripped()
        _ = state.advance(to: t0 + 602)
        _ = state.observe(sample(6, at: 610))
        _ = state.observe(sample(6, at: 611))
        let effects = state.observe(sample(6, at: 612))
        #expect(effects == [
            .halt(reason: "volatility tripped again on fresh data: mean volatility 6.0 over 3 samples"),
            .wake(at: t0 + 612 + 600),
        ])
        #expect(state.phase == .open(since: t0 + 612, until: t0 + 1_212))
        #expect(resumes(effects) == 0)
    }

    @Test("samples from before the half-open point are not fresh: the check waits for new ones")
    func oldSamplesAreNotFresh() {
        // A window longer than the cool-down keeps the spikes that tripped it, and more that came while open.
        var state = tripped(coolDown: 60, window: 3_600)
        _ = state.observe(sample(9, at: 30))
        _ = state.observe(sample(9, at: 50))
        #expect(state.advance(to: t0 + 62) == [], "five bad samples, none of them fresh")
        #expect(state.phase == .halfOpen(since: t0 + 62))
        _ = state.observe(sample(1, at: 70))
        _ = state.observe(sample(1, at: 71))
        let effects = state.observe(sample(1, at: 72))
        #expect(resumes(effects) == 1, "the fresh mean is 1, whatever came before: \(effects)")
        #expect(state.phase == .closed)
    }

    @Test("after resuming, normal data does not trip it again on the samples it already acted on")
    func noFlappingAfterResume() {
        var state = tripped(coolDown: 60, window: 300)
        _ = state.advance(to: t0 + 62)
        _ = state.observe(sample(1, at: 70))
        _ = state.observe(sample(1, at: 71))
        #expect(resumes(state.observe(sample(1, at: 72))) == 1)
        // Still inside the window of the spikes at 0...2, but everything since the trip has been calm.
        #expect(state.observe(sample(1, at: 80)) == [])
        #expect(state.observe(sample(1.5, at: 90)) == [])
        #expect(state.phase == .closed)
        // A genuine new spike still trips it.
        _ = state.observe(sample(9, at: 100))
        let effects = state.observe(sample(9, at: 101))
        #expect(halts(effects) == 1, "mean of 1, 1, 1, 1, 1.5, 9, 9 is above 3: \(effects)")
    }

    // MARK: - Drops

    /// Halt posting when engagement drops; look again after ten minutes, at two fresh values.
    func dropGuard() -> GuardState {
        GuardState(rule: GuardRule(
            name: "engagement", monitor: "content-pipeline", kind: "engagement", condition: .drops, window: 0,
            minimumSamples: 2, coolDown: 600, halt: ["pause-posting"], resume: ["resume-posting"]))
    }

    func engagement(_ value: Double, at seconds: TimeInterval) -> Signal {
        Signal(kind: SignalKind(rawValue: "engagement"), at: t0 + seconds, value: value)
    }

    /// Twelve steady values around 100: the detector's baseline.
    func steady(_ state: inout GuardState) {
        for index in 0..<12 {
            #expect(state.observe(engagement(index % 2 == 0 ? 98 : 102, at: Double(index))) == [])
        }
        #expect(state.phase == .closed)
    }

    @Test("a drops guard trips on the value its drop detector signals, and not on steady values")
    func dropsTrip() throws {
        var state = dropGuard()
        steady(&state)
        let effects = state.observe(engagement(60, at: 12))
        #expect(halts(effects) == 1, "\(effects)")
        #expect(effects.last == .wake(at: t0 + 12 + 600))
        guard case .halt(let reason) = try #require(effects.first) else { return }
        #expect(reason.hasPrefix("engagement tripped: engagement dropped to 60.0 from a baseline of "), "\(reason)")
        #expect(state.phase == .open(since: t0 + 12, until: t0 + 612))
        // Values while open are fed to the detector but change nothing.
        #expect(state.observe(engagement(60, at: 100)) == [])
        #expect(state.detector.count == 14)
    }

    @Test("half-open, a drops guard resumes on enough fresh values that signal no drop")
    func dropsResume() {
        var state = dropGuard()
        steady(&state)
        _ = state.observe(engagement(60, at: 12))
        #expect(state.advance(to: t0 + 612) == [], "no fresh values yet")
        #expect(state.phase == .halfOpen(since: t0 + 612))
        #expect(state.observe(engagement(101, at: 620)) == [], "one fresh value is fewer than min_samples 2")
        let effects = state.observe(engagement(99, at: 621))
        #expect(effects == [
            .resume(reason: "engagement resumed: fresh data is back to normal (2 fresh engagement values without a drop)"),
        ])
        #expect(state.phase == .closed)
    }

    @Test("half-open, a fresh value that still signals a drop trips it again")
    func dropsTripAgain() {
        var state = dropGuard()
        steady(&state)
        _ = state.observe(engagement(60, at: 12))
        _ = state.advance(to: t0 + 612)
        let effects = state.observe(engagement(5, at: 620))
        #expect(halts(effects) == 1, "\(effects)")
        #expect(state.phase == .open(since: t0 + 620, until: t0 + 1_220))
    }
}
