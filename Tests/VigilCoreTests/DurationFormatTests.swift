import Foundation
import Testing

@testable import VigilCore

@Suite("DurationFormat")
struct DurationFormatTests {
    @Test(
        "parses every unit and combination",
        arguments: [
            ("90s", 90.0),
            ("5m", 300),
            ("2h", 7_200),
            ("1d", 86_400),
            ("1h30m", 5_400),
            ("1d2h3m4s", 93_784),
            ("1d30s", 86_430),
            ("2d12h", 216_000),
            ("05m", 300),
            ("0h1s", 1),
            ("36h", 129_600),
        ]
    )
    func parses(text: String, seconds: TimeInterval) throws {
        #expect(try DurationFormat.parse(text) == seconds)
    }

    @Test(
        "rejects malformed durations with advice",
        arguments: [
            ("5x", #""5x" is not a duration (try 5m, 2h or 1h30m)"#),
            ("", "a duration cannot be empty (try 5m, 2h or 1h30m)"),
            ("h", #""h" is not a duration (try 5m, 2h or 1h30m)"#),
            ("1h30", #""1h30" is not a duration: 30 needs a unit s, m, h or d (try 30s or 30m)"#),
            ("90", #""90" is not a duration: 90 needs a unit s, m, h or d (try 90s or 90m)"#),
            ("1m1h", #""1m1h" is not a duration: write larger units first (try 1h30m, not 30m1h)"#),
            ("30s2m", #""30s2m" is not a duration: write larger units first (try 1h30m, not 30m1h)"#),
            ("1h1h", #""1h1h" is not a duration: each unit may appear only once (try 1h30m)"#),
            ("1.5h", #""1.5h" is not a duration: use whole numbers of each unit (try 1h30m instead of 1.5h)"#),
            ("1,5h", #""1,5h" is not a duration: use whole numbers of each unit (try 1h30m instead of 1.5h)"#),
            ("-5m", #""-5m" is not a duration: write it without a sign (try 5m, 2h or 1h30m)"#),
            ("+5m", #""+5m" is not a duration: write it without a sign (try 5m, 2h or 1h30m)"#),
            ("1h 30m", #""1h 30m" is not a duration: remove the spaces (try 1h30m)"#),
            (" 5m", #"" 5m" is not a duration: remove the spaces (try 1h30m)"#),
            ("0s", #""0s" is not a duration: it must be longer than zero (try 30s or 5m)"#),
            ("0d0h", #""0d0h" is not a duration: it must be longer than zero (try 30s or 5m)"#),
            ("5M", #""5M" is not a duration (try 5m, 2h or 1h30m)"#),
            ("5min", #""5min" is not a duration (try 5m, 2h or 1h30m)"#),
            ("99999999999999999999s", #""99999999999999999999s" is not a duration: it is too long"#),
            ("9999999999999999d", #""9999999999999999d" is not a duration: it is too long"#),
            ("١٢m", #""١٢m" is not a duration (try 5m, 2h or 1h30m)"#),
        ]
    )
    func rejects(text: String, message: String) {
        #expect(throws: ScheduleError(message)) {
            try DurationFormat.parse(text)
        }
    }

    @Test(
        "formats as the shortest string",
        arguments: [
            (5_400.0, "1h30m"),
            (86_400, "1d"),
            (90, "1m30s"),
            (59, "59s"),
            (93_784, "1d2h3m4s"),
            (86_430, "1d30s"),
            (172_800, "2d"),
            (0, "0s"),
            (0.5, "0s"),
            (59.9, "59s"),
            (-30, "0s"),
            (.infinity, "0s"),
            (.nan, "0s"),
        ]
    )
    func formats(seconds: TimeInterval, text: String) {
        #expect(DurationFormat.format(seconds) == text)
    }

    @Test("formatted durations parse back to the same seconds", arguments: [1.0, 59, 60, 3_599, 3_600, 90_061, 1e9])
    func roundTrips(seconds: TimeInterval) throws {
        #expect(try DurationFormat.parse(DurationFormat.format(seconds)) == seconds)
    }

    @Test("the error's description is its message")
    func errorDescription() {
        do throws(ScheduleError) {
            let seconds = try DurationFormat.parse("5x")
            Issue.record("parsed \(seconds) seconds from 5x")
        } catch {
            #expect(error.description == #""5x" is not a duration (try 5m, 2h or 1h30m)"#)
            #expect("\(error)" == error.message)
        }
    }
}
