import Foundation

@testable import VigilCore

/// SplitMix64: a seeded generator, so every synthetic stream is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// An exponential draw with the given mean.
    mutating func exponential(mean: Double) -> Double {
        -mean * log(1 - Double.random(in: 0..<1, using: &self))
    }
}

enum Synthetic {
    /// 2026-01-05 00:00 UTC, a Monday.
    static let t0 = Date(timeIntervalSince1970: 1_767_571_200)
    static let hour: TimeInterval = 3_600
    static let day: TimeInterval = 86_400

    /// A Poisson stream: `count` events with exponential gaps of mean `mean`, then `dropCount` more with mean
    /// `droppedMean` — the rate drops at a known time, returned with the times.
    static func poisson(
        count: Int, mean: TimeInterval, dropCount: Int = 0, droppedMean: TimeInterval = 0, seed: UInt64 = 7
    ) -> (times: [Date], dropAt: Date) {
        var generator = SeededGenerator(seed: seed)
        var time = t0
        var times = [time]
        for _ in 0..<count {
            time += generator.exponential(mean: mean)
            times.append(time)
        }
        let dropAt = time
        for _ in 0..<dropCount {
            time += generator.exponential(mean: droppedMean)
            times.append(time)
        }
        return (times, dropAt)
    }

    /// Work in office hours: an event every hour from 09:00 to 17:00 UTC, Monday to Friday, for `weeks` weeks.
    static func dailyRhythm(weeks: Int) -> [Date] {
        var times: [Date] = []
        for week in 0..<weeks {
            for weekday in 0..<5 {
                for hour in 9...17 {
                    times.append(t0 + Double(week) * 7 * day + Double(weekday) * day + Double(hour) * Self.hour)
                }
            }
        }
        return times
    }

    /// Mostly hourly work with a stall of three days after every tenth event.
    static func hourlyWithStalls(count: Int, seed: UInt64 = 11) -> [Date] {
        var generator = SeededGenerator(seed: seed)
        var time = t0
        var times = [time]
        for index in 1...count {
            let gap = index % 10 == 0 ? 3 * day : hour * Double.random(in: 0.5...1.5, using: &generator)
            time += gap
            times.append(time)
        }
        return times
    }
}
