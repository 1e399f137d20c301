import Foundation
import Testing

@testable import VigilCore

@Suite("Schedule")
struct ScheduleTests {
    private let berlin = TimeZone(identifier: "Europe/Berlin")!

    private func instant(_ iso: String) throws -> Date {
        try Date(iso, strategy: .iso8601)
    }

    private func json(_ schedule: Schedule) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(schedule), as: UTF8.self)
    }

    private func decode(_ json: String) throws -> Schedule {
        try JSONDecoder().decode(Schedule.self, from: Data(json.utf8))
    }

    @Test("an every schedule is due one period after the last progress")
    func everyNextDue() throws {
        let last = try instant("2026-05-01T10:15:30Z")
        #expect(Schedule.every(7_200).nextDue(after: last) == (try instant("2026-05-01T12:15:30Z")))
        #expect(Schedule.every(90).nextDue(after: last) == (try instant("2026-05-01T10:17:00Z")))
    }

    @Test("a cron schedule is due at the next firing in its time zone")
    func cronNextDue() throws {
        let schedule = Schedule.cron(try CronExpression(parsing: "30 2 * * *"), berlin)
        // 02:30 CEST is 00:30 UTC in summer.
        #expect(schedule.nextDue(after: try instant("2026-07-01T00:00:00Z")) == (try instant("2026-07-01T00:30:00Z")))
        #expect(schedule.nextDue(after: try instant("2026-07-01T00:30:00Z")) == (try instant("2026-07-02T00:30:00Z")))
        // 02:30 CET is 01:30 UTC in winter.
        #expect(schedule.nextDue(after: try instant("2026-12-01T12:00:00Z")) == (try instant("2026-12-02T01:30:00Z")))
    }

    @Test("encodes as a keyed object")
    func encodesKeyed() throws {
        #expect(try json(.every(7_200)) == #"{"every":7200}"#)
        let cron = Schedule.cron(try CronExpression(parsing: "30 2 * * *"), berlin)
        #expect(try json(cron) == #"{"cron":"30 2 * * *","tz":"Europe/Berlin"}"#)
    }

    @Test(
        "round-trips through JSON",
        arguments: [
            "every 90", "every 0.5", "30 2 * * * in Europe/Berlin", "@daily in America/New_York", "*/15 * * * * in UTC",
        ]
    )
    func roundTrips(label: String) throws {
        let schedule: Schedule
        if label.hasPrefix("every ") {
            schedule = .every(TimeInterval(label.dropFirst(6))!)
        } else {
            let parts = label.components(separatedBy: " in ")
            schedule = .cron(try CronExpression(parsing: parts[0]), TimeZone(identifier: parts[1])!)
        }
        let data = try JSONEncoder().encode(schedule)
        #expect(try JSONDecoder().decode(Schedule.self, from: data) == schedule)
    }

    @Test("decodes a cron schedule without a time zone as UTC")
    func defaultsToUTC() throws {
        let schedule = try decode(#"{"cron": "0 9 * * mon-fri"}"#)
        #expect(schedule == .cron(try CronExpression(parsing: "0 9 * * mon-fri"), TimeZone(identifier: "UTC")!))
    }

    @Test(
        "rejects malformed schedules with a readable reason",
        arguments: [
            (#"{"every": 0}"#, "the period must be a number of seconds greater than zero, e.g. 7200"),
            (#"{"every": -5}"#, "the period must be a number of seconds greater than zero, e.g. 7200"),
            (
                #"{"cron": "0 0 * *"}"#,
                #"cron needs 5 fields (minute hour day month weekday), got 4 — e.g. "30 2 * * *""#
            ),
            (
                #"{"cron": "0 0 * * *", "tz": "Mars/Olympus"}"#,
                #""Mars/Olympus" is not a time zone (use a name such as Europe/Berlin or UTC)"#
            ),
            (#"{"every": 60, "cron": "0 0 * * *"}"#, #"a schedule has either "every" or "cron", not both"#),
            (#"{}"#, #"a schedule needs "every" (seconds) or "cron" (an expression)"#),
        ]
    )
    func rejects(json: String, reason: String) {
        do {
            let schedule = try decode(json)
            Issue.record("decoded \(schedule) from \(json)")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription == reason)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
