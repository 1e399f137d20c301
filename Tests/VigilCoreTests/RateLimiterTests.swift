import Foundation
import Testing

@testable import VigilCore

@Suite("RateLimiter")
struct RateLimiterTests {
    private let t0 = Date(timeIntervalSince1970: 1_777_629_600)

    private func t(_ seconds: TimeInterval) -> Date {
        t0.addingTimeInterval(seconds)
    }

    /// Admits pings at `date` until one is refused; returns how many were admitted and the refusal's wait.
    private func drain(_ limiter: inout RateLimiter, at date: Date) -> (admitted: Int, retryAfter: TimeInterval?) {
        var admitted = 0
        while admitted < 10_000 {
            switch limiter.admit(at: date) {
            case .allowed: admitted += 1
            case .limited(let retryAfter): return (admitted, retryAfter)
            }
        }
        return (admitted, nil)
    }

    @Test("a full bucket admits its count at once, then says how long to wait")
    func burstThenLimited() throws {
        var limiter = RateLimiter(limit: RateLimit(count: 3, window: 60))
        #expect(limiter.admit(at: t(0)) == .allowed)
        #expect(limiter.admit(at: t(0)) == .allowed)
        #expect(limiter.admit(at: t(0)) == .allowed)
        // One token comes back every 60 / 3 = 20 seconds.
        let refused = limiter.admit(at: t(0))
        guard case .limited(let retryAfter) = refused else {
            Issue.record("the fourth ping in the same instant was admitted")
            return
        }
        #expect(abs(retryAfter - 20) < 1e-9)
    }

    @Test("tokens refill evenly over the window")
    func refills() {
        var limiter = RateLimiter(limit: RateLimit(count: 3, window: 60))
        #expect(drain(&limiter, at: t(0)).admitted == 3)

        // Halfway to the next token: still refused, with the other half to wait.
        guard case .limited(let retryAfter) = limiter.admit(at: t(10)) else {
            Issue.record("admitted before a token refilled")
            return
        }
        #expect(abs(retryAfter - 10) < 1e-9)

        #expect(limiter.admit(at: t(20)) == .allowed)
        #expect(limiter.admit(at: t(20)) != .allowed)
        // Two tokens back after 40 more seconds.
        #expect(drain(&limiter, at: t(60)).admitted == 2)
    }

    @Test("a refused ping costs nothing: retrying early does not push the next admission back")
    func refusalIsFree() {
        var limiter = RateLimiter(limit: RateLimit(count: 1, window: 10))
        #expect(limiter.admit(at: t(0)) == .allowed)
        for second in 1...9 {
            #expect(limiter.admit(at: t(TimeInterval(second))) != .allowed, "at \(second)s")
        }
        #expect(limiter.admit(at: t(10)) == .allowed)
    }

    @Test("an idle monitor never saves up more than one bucket")
    func refillIsCapped() {
        var limiter = RateLimiter(limit: RateLimit(count: 5, window: 60))
        #expect(drain(&limiter, at: t(0)).admitted == 5)
        let later = drain(&limiter, at: t(86_400))
        #expect(later.admitted == 5)
        #expect(later.retryAfter.map { abs($0 - 12) < 1e-9 } == true)
    }

    @Test("a ping stamped earlier than the last one grants no extra pings")
    func outOfOrderTimes() {
        // Concurrent requests can reach the limiter slightly out of order.
        var limiter = RateLimiter(limit: RateLimit(count: 3, window: 60))
        #expect(drain(&limiter, at: t(100)).admitted == 3)
        #expect(limiter.admit(at: t(40)) != .allowed)
        #expect(limiter.admit(at: t(100)) != .allowed)
        #expect(limiter.admit(at: t(120)) == .allowed)
        #expect(limiter.admit(at: t(120)) != .allowed)
    }

    @Test("a bucket of one per second admits one ping per second")
    func onePerSecond() {
        var limiter = RateLimiter(limit: RateLimit(count: 1, window: 1))
        for second in 0..<5 {
            #expect(limiter.admit(at: t(TimeInterval(second))) == .allowed)
            #expect(limiter.admit(at: t(TimeInterval(second) + 0.5)) == .limited(retryAfter: 0.5))
        }
    }
}
