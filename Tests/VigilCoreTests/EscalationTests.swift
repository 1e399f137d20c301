import Foundation
import Testing

@testable import VigilCore

@Suite("Escalation")
struct EscalationTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Ops at once, the on-call 15 minutes later, the manager 30 minutes after that.
    let ladder = EscalationPolicy(levels: [
        .init(channels: ["ops"], after: 0),
        .init(channels: ["oncall", "oncall-email"], after: 900),
        .init(channels: ["manager"], after: 1_800),
    ])

    @Test("levels are told at their delays, in order, each once, and then escalation ends")
    func levelsInOrder() {
        var escalation = Escalation(policy: ladder, startingAt: start)
        #expect(escalation.advance(to: start) == [
            .notify(channels: ["ops"], level: 1, round: 1), .wake(at: start + 900),
        ])
        #expect(escalation.advance(to: start + 899) == [.wake(at: start + 900)])
        #expect(escalation.advance(to: start + 900) == [
            .notify(channels: ["oncall", "oncall-email"], level: 2, round: 1), .wake(at: start + 2_700),
        ])
        #expect(escalation.advance(to: start + 2_700) == [.notify(channels: ["manager"], level: 3, round: 1)])
        #expect(escalation.ended)
        #expect(escalation.nextAt == nil)
        #expect(escalation.advance(to: start + 100_000) == [])
    }

    @Test("a late wake-up tells every level that came due, in order, once")
    func catchUp() {
        var escalation = Escalation(policy: ladder, startingAt: start)
        #expect(escalation.advance(to: start + 3_000) == [
            .notify(channels: ["ops"], level: 1, round: 1),
            .notify(channels: ["oncall", "oncall-email"], level: 2, round: 1),
            .notify(channels: ["manager"], level: 3, round: 1),
        ])
        #expect(escalation.advance(to: start + 3_001) == [])
    }

    @Test("a first level with a delay tells nobody before it")
    func delayedFirstLevel() {
        var escalation = Escalation(
            policy: EscalationPolicy(levels: [.init(channels: ["ops"], after: 300)]), startingAt: start)
        #expect(escalation.nextAt == start + 300)
        #expect(escalation.advance(to: start) == [.wake(at: start + 300)])
        #expect(escalation.advance(to: start + 300) == [.notify(channels: ["ops"], level: 1, round: 1)])
    }

    @Test("with repeat, the levels start again from the first after the last, in numbered rounds")
    func repeats() {
        var policy = ladder
        policy.repeatEvery = 3_600
        var escalation = Escalation(policy: policy, startingAt: start)
        _ = escalation.advance(to: start)
        _ = escalation.advance(to: start + 900)
        #expect(escalation.advance(to: start + 2_700) == [
            .notify(channels: ["manager"], level: 3, round: 1), .wake(at: start + 6_300),
        ])
        #expect(!escalation.ended)
        #expect(escalation.advance(to: start + 6_300) == [
            .notify(channels: ["ops"], level: 1, round: 2), .wake(at: start + 7_200),
        ])
        #expect(escalation.advance(to: start + 7_200) == [
            .notify(channels: ["oncall", "oncall-email"], level: 2, round: 2), .wake(at: start + 9_000),
        ])
        #expect(escalation.round == 1)
    }

    @Test("acknowledging stops every later level, repeats included")
    func acknowledgeStops() {
        var policy = ladder
        policy.repeatEvery = 600
        var escalation = Escalation(policy: policy, startingAt: start)
        _ = escalation.advance(to: start)
        escalation.acknowledge(at: start + 60)
        #expect(escalation.acknowledgedAt == start + 60)
        #expect(escalation.ended)
        #expect(escalation.advance(to: start + 900) == [])
        #expect(escalation.advance(to: start + 100_000) == [])
    }

    @Test("ending (the incident resolved) stops every later level")
    func endStops() {
        var policy = ladder
        policy.repeatEvery = 600
        var escalation = Escalation(policy: policy, startingAt: start)
        _ = escalation.advance(to: start)
        escalation.end()
        #expect(escalation.acknowledgedAt == nil)
        #expect(escalation.advance(to: start + 100_000) == [])
    }

    @Test("a policy without levels tells nobody")
    func noLevels() {
        var escalation = Escalation(policy: EscalationPolicy(levels: [], repeatEvery: 60), startingAt: start)
        #expect(escalation.ended)
        #expect(escalation.advance(to: start + 1_000) == [])
    }
}

@Suite("Recurring blockers")
struct RecurringBlockerRuleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let ids = (1...6).map { UUID(uuidString: String(format: "00000000-0000-0000-0000-%012d", $0))! }

    @Test("K incidents with the same root cause within the window name the incidents in onset order")
    func recurring() {
        let rule = RecurringBlockerRule(count: 3, window: 86_400)
        let incidents: [(id: UUID, onset: Date, rootCauses: [String])] = [
            (ids[2], now - 3_600, ["x-api"]),
            (ids[0], now - 80_000, ["x-api", "reddit-session"]),
            (ids[3], now - 7_200, ["reddit-session"]),
            (ids[1], now - 40_000, ["x-api"]),
        ]
        #expect(rule.recurring("x-api", among: incidents, at: now) == [ids[0], ids[1], ids[2]])
        #expect(rule.recurring("reddit-session", among: incidents, at: now) == nil)
        #expect(rule.recurring("network", among: incidents, at: now) == nil)
    }

    @Test("fewer than K incidents is not recurring")
    func tooFew() {
        let rule = RecurringBlockerRule(count: 3, window: 86_400)
        let incidents: [(id: UUID, onset: Date, rootCauses: [String])] = [
            (ids[0], now - 100, ["x-api"]), (ids[1], now - 50, ["x-api"]),
        ]
        #expect(rule.recurring("x-api", among: incidents, at: now) == nil)
        #expect(rule.recurring("x-api", among: [], at: now) == nil)
    }

    @Test("incidents outside the window do not count")
    func outsideWindow() {
        let rule = RecurringBlockerRule(count: 3, window: 3_600)
        let incidents: [(id: UUID, onset: Date, rootCauses: [String])] = [
            (ids[0], now - 3_600, ["x-api"]),
            (ids[1], now - 4_000, ["x-api"]),
            (ids[2], now - 600, ["x-api"]),
            (ids[3], now - 60, ["x-api"]),
        ]
        #expect(rule.recurring("x-api", among: incidents, at: now) == nil)
        // A few minutes earlier, the first two were still inside the window.
        #expect(rule.recurring("x-api", among: incidents, at: now - 500) == [ids[1], ids[0], ids[2]])
    }

    @Test("the default is 3 incidents in a day")
    func defaults() {
        let rule = RecurringBlockerRule()
        #expect(rule.count == 3)
        #expect(rule.window == 86_400)
    }
}
