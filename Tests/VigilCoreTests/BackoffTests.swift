import Foundation
import Testing

@testable import VigilCore

@Suite("Backoff")
struct BackoffTests {
    @Test("without jitter each attempt waits factor times the one before")
    func grows() {
        let backoff = Backoff(base: 1, factor: 2, cap: 300, jitter: 0)
        #expect((1...6).map { backoff.delay(afterAttempt: $0, unit: 0.7) } == [1, 2, 4, 8, 16, 32])

        let slower = Backoff(base: 5, factor: 3, cap: 1_000, jitter: 0)
        #expect((1...4).map { slower.delay(afterAttempt: $0, unit: 0) } == [5, 15, 45, 135])
    }

    @Test("the delay stops growing at the cap, however many attempts failed")
    func caps() {
        let backoff = Backoff(base: 1, factor: 2, cap: 300, jitter: 0)
        #expect(backoff.delay(afterAttempt: 9, unit: 0) == 256)
        #expect(backoff.delay(afterAttempt: 10, unit: 0) == 300)
        #expect(backoff.delay(afterAttempt: 50, unit: 0) == 300)
        // 2^99_999 overflows to infinity; the cap still holds.
        #expect(backoff.delay(afterAttempt: 100_000, unit: 0.5) == 300)
    }

    @Test("an attempt number below one waits the base delay")
    func attemptsBelowOne() {
        let backoff = Backoff(base: 3, factor: 2, cap: 300, jitter: 0)
        #expect(backoff.delay(afterAttempt: 0, unit: 0) == 3)
        #expect(backoff.delay(afterAttempt: -4, unit: 0) == 3)
    }

    @Test(
        "the jittered share of the delay spans from the unjittered part to the full delay",
        arguments: [0.0, 0.25, 0.5, 1.0]
    )
    func jitterBounds(jitter: Double) {
        let backoff = Backoff(base: 1, factor: 2, cap: 300, jitter: jitter)
        for attempt in 1...12 {
            let full = min(300, pow(2, Double(attempt - 1)))
            let low = backoff.delay(afterAttempt: attempt, unit: 0)
            let high = backoff.delay(afterAttempt: attempt, unit: 0.999_999)
            #expect(abs(low - full * (1 - jitter)) < 1e-9, "attempt \(attempt)")
            #expect(high <= full, "attempt \(attempt)")
            #expect(high >= full - full * jitter * 1e-6 - 1e-9, "attempt \(attempt)")
            for unit in stride(from: 0.0, to: 1.0, by: 0.1) {
                let delay = backoff.delay(afterAttempt: attempt, unit: unit)
                #expect(delay >= low && delay <= full, "attempt \(attempt), unit \(unit)")
            }
        }
    }

    @Test("the random unit moves the delay linearly within its bounds")
    func unitIsLinear() {
        let backoff = Backoff(base: 1, factor: 2, cap: 300, jitter: 0.5)
        // Attempt 3 has a full delay of 4 s, half of it random.
        #expect(backoff.delay(afterAttempt: 3, unit: 0) == 2)
        #expect(backoff.delay(afterAttempt: 3, unit: 0.5) == 3)
        #expect(backoff.delay(afterAttempt: 3, unit: 0.25) == 2.5)
    }

    @Test("a random unit outside 0..<1 is clamped")
    func unitClamped() {
        let backoff = Backoff(base: 1, factor: 2, cap: 300, jitter: 0.5)
        #expect(backoff.delay(afterAttempt: 3, unit: -3) == 2)
        #expect(backoff.delay(afterAttempt: 3, unit: 7) == 4)
        #expect(backoff.delay(afterAttempt: 3, unit: .nan) >= 2)
        #expect(backoff.delay(afterAttempt: 3, unit: .nan) <= 4)
    }

    @Test("jitter is kept within 0...1")
    func jitterClamped() {
        #expect(Backoff(jitter: 1.5).jitter == 1)
        #expect(Backoff(jitter: -0.2).jitter == 0)
        #expect(Backoff(base: 1, factor: 2, cap: 300, jitter: 3).delay(afterAttempt: 2, unit: 0) == 0)
    }

    @Test("defaults: 1 s, doubling, at most 5 minutes, half jittered")
    func defaults() {
        let backoff = Backoff()
        #expect(backoff.base == 1)
        #expect(backoff.factor == 2)
        #expect(backoff.cap == 300)
        #expect(backoff.jitter == 0.5)
        #expect(backoff.delay(afterAttempt: 1, unit: 0) == 0.5)
        #expect(backoff.delay(afterAttempt: 20, unit: 0) == 150)
    }
}
