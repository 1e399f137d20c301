import Foundation
import Testing

@testable import VigilCore

@Suite("CronExpression")
struct CronExpressionTests {
    private func instant(_ iso: String) throws -> Date {
        try Date(iso, strategy: .iso8601)
    }

    /// The next `count` firings after `start`, as UTC ISO 8601 strings.
    private func fires(
        _ text: String,
        after start: String,
        in zone: String = "UTC",
        count: Int = 3
    ) throws -> [String] {
        let expression = try CronExpression(parsing: text)
        let timeZone = try #require(TimeZone(identifier: zone))
        var date = try instant(start)
        var result: [String] = []
        for _ in 0..<count {
            date = expression.nextFire(after: date, in: timeZone)
            result.append(date.formatted(.iso8601))
        }
        return result
    }

    // MARK: Syntax

    @Test(
        "each syntax form fires when it should",
        arguments: [
            ("* * * * *", ["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z"]),
            ("30 2 * * *", ["2026-01-01T02:30:00Z", "2026-01-02T02:30:00Z", "2026-01-03T02:30:00Z"]),
            ("0 9-11 * * *", ["2026-01-01T09:00:00Z", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"]),
            ("*/20 * * * *", ["2026-01-01T00:20:00Z", "2026-01-01T00:40:00Z", "2026-01-01T01:00:00Z"]),
            ("10-30/10 * * * *", ["2026-01-01T00:10:00Z", "2026-01-01T00:20:00Z", "2026-01-01T00:30:00Z"]),
            ("50/5 * * * *", ["2026-01-01T00:50:00Z", "2026-01-01T00:55:00Z", "2026-01-01T01:50:00Z"]),
            ("5,10-11,*/30 * * * *", ["2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z", "2026-01-01T00:11:00Z"]),
            ("0 */6 * * *", ["2026-01-01T06:00:00Z", "2026-01-01T12:00:00Z", "2026-01-01T18:00:00Z"]),
            ("0 0 1-2,15 * *", ["2026-01-02T00:00:00Z", "2026-01-15T00:00:00Z", "2026-02-01T00:00:00Z"]),
            ("0 0 1 jan,JUL *", ["2026-07-01T00:00:00Z", "2027-01-01T00:00:00Z", "2027-07-01T00:00:00Z"]),
            ("0 0 1 Mar-May *", ["2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"]),
            ("0 0 1 */5 *", ["2026-06-01T00:00:00Z", "2026-11-01T00:00:00Z", "2027-01-01T00:00:00Z"]),
            ("0 0 31 * *", ["2026-01-31T00:00:00Z", "2026-03-31T00:00:00Z", "2026-05-31T00:00:00Z"]),
            // 2026-01-01 is a Thursday.
            ("0 9 * * mon-fri", ["2026-01-01T09:00:00Z", "2026-01-02T09:00:00Z", "2026-01-05T09:00:00Z"]),
            ("0 0 * * 0", ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z", "2026-01-18T00:00:00Z"]),
            ("0 0 * * 7", ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z", "2026-01-18T00:00:00Z"]),
            ("0 0 * * SUN", ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z", "2026-01-18T00:00:00Z"]),
            ("0 0 * * 5-7", ["2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z"]),
            ("0 0 * * */2", ["2026-01-03T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-06T00:00:00Z"]),
            ("0 0 * * 1/2", ["2026-01-02T00:00:00Z", "2026-01-04T00:00:00Z", "2026-01-05T00:00:00Z"]),
            ("0 0 * * sat,Tue-wed", ["2026-01-03T00:00:00Z", "2026-01-06T00:00:00Z", "2026-01-07T00:00:00Z"]),
            ("  30\t2 * *  *  ", ["2026-01-01T02:30:00Z", "2026-01-02T02:30:00Z", "2026-01-03T02:30:00Z"]),
        ]
    )
    func syntax(text: String, expected: [String]) throws {
        #expect(try fires(text, after: "2026-01-01T00:00:00Z") == expected)
    }

    @Test("fires strictly after the given instant, to the second")
    func strictlyAfter() throws {
        let expression = try CronExpression(parsing: "30 * * * *")
        let utc = TimeZone(identifier: "UTC")!
        let halfPast = try instant("2026-01-01T00:30:00Z")
        #expect(expression.nextFire(after: try instant("2026-01-01T00:29:59Z"), in: utc) == halfPast)
        #expect(expression.nextFire(after: halfPast.addingTimeInterval(-0.25), in: utc) == halfPast)
        #expect(expression.nextFire(after: halfPast, in: utc) == (try instant("2026-01-01T01:30:00Z")))
    }

    @Test(
        "aliases fire like the expressions they stand for",
        arguments: [
            ("@yearly", "0 0 1 1 *"),
            ("@annually", "0 0 1 1 *"),
            ("@monthly", "0 0 1 * *"),
            ("@weekly", "0 0 * * 0"),
            ("@daily", "0 0 * * *"),
            ("@midnight", "0 0 * * *"),
            ("@hourly", "0 * * * *"),
            ("@DAILY", "0 0 * * *"),
        ]
    )
    func aliases(alias: String, expansion: String) throws {
        let start = "2026-03-15T12:34:00Z"
        let expected = try fires(expansion, after: start, in: "Europe/Berlin")
        #expect(try fires(alias, after: start, in: "Europe/Berlin") == expected)
        #expect(try CronExpression(parsing: alias).source == alias)
    }

    @Test("aliases fire at the expected instants")
    func aliasInstants() throws {
        let start = "2026-01-01T00:00:00Z"
        #expect(try fires("@hourly", after: start, count: 2) == ["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"])
        #expect(try fires("@weekly", after: start, count: 2) == ["2026-01-04T00:00:00Z", "2026-01-11T00:00:00Z"])
        #expect(try fires("@yearly", after: start, count: 2) == ["2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z"])
    }

    // MARK: Days

    @Test("a restricted day and weekday match when either does")
    func dayOrWeekday() throws {
        // The 1st of each month, and every Monday; 2026-02-01 is a Sunday.
        #expect(
            try fires("0 0 1 * mon", after: "2026-01-01T00:00:00Z", count: 6) == [
                "2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z", "2026-01-19T00:00:00Z",
                "2026-01-26T00:00:00Z", "2026-02-01T00:00:00Z", "2026-02-02T00:00:00Z",
            ]
        )
        // Feb 31 never happens, but Mondays in February do.
        #expect(
            try fires("0 0 31 2 mon", after: "2026-01-01T00:00:00Z", count: 2) == [
                "2026-02-02T00:00:00Z", "2026-02-09T00:00:00Z",
            ])
    }

    @Test("a day or weekday field starting with * must match as well as the other")
    func dayAndWeekday() throws {
        // Mondays on odd days of the month.
        #expect(
            try fires("0 0 */2 * mon", after: "2026-01-01T00:00:00Z", count: 4) == [
                "2026-01-05T00:00:00Z", "2026-01-19T00:00:00Z", "2026-02-09T00:00:00Z", "2026-02-23T00:00:00Z",
            ]
        )
        // The 13th when it is a Sunday or a Friday.
        #expect(
            try fires("0 0 13 * */5", after: "2026-01-01T00:00:00Z", count: 4) == [
                "2026-02-13T00:00:00Z", "2026-03-13T00:00:00Z", "2026-09-13T00:00:00Z", "2026-11-13T00:00:00Z",
            ]
        )
        #expect(
            try fires("0 0 * * mon", after: "2026-01-01T00:00:00Z", count: 2) == [
                "2026-01-05T00:00:00Z", "2026-01-12T00:00:00Z",
            ])
    }

    @Test("February 29 fires in leap years only, skipping 2100")
    func leapDay() throws {
        #expect(
            try fires("0 0 29 2 *", after: "2026-01-01T00:00:00Z") == [
                "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z", "2036-02-29T00:00:00Z",
            ]
        )
        #expect(try fires("0 0 29 2 *", after: "2096-03-01T00:00:00Z", count: 1) == ["2104-02-29T00:00:00Z"])
        // February 29 on a Sunday is decades apart; 2100 is not a leap year.
        #expect(
            try fires("0 0 29 2 */7", after: "2033-01-01T00:00:00Z") == [
                "2060-02-29T00:00:00Z", "2088-02-29T00:00:00Z", "2128-02-29T00:00:00Z",
            ]
        )
    }

    @Test("a yearly expression steps a year at a time")
    func yearlyIsDirect() throws {
        let expression = try CronExpression(parsing: "15 3 1 1 *")
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        var date = try instant("2026-06-01T00:00:00Z")
        for year in 2027...2226 {
            date = expression.nextFire(after: date, in: berlin)
            // 03:15 CET is 02:15 UTC.
            #expect(date == (try instant("\(year)-01-01T02:15:00Z")))
        }
    }

    @Test("far-off dates still give a later firing", arguments: [Date.distantPast, Date.distantFuture])
    func farOffDates(date: Date) throws {
        let expression = try CronExpression(parsing: "30 2 * * *")
        let next = expression.nextFire(after: date, in: TimeZone(identifier: "Europe/Berlin")!)
        #expect(next > date)
        #expect(next.timeIntervalSince(date) <= 2 * 86_400)
    }

    @Test("wall-clock fields are read in the given time zone")
    func timeZones() throws {
        #expect(
            try fires("0 9 * * *", after: "2026-01-01T00:00:00Z", in: "Asia/Tokyo", count: 1) == [
                "2026-01-02T00:00:00Z"
            ])
        #expect(
            try fires("0 0 * * *", after: "2026-01-01T00:00:00Z", in: "Asia/Kolkata", count: 1) == [
                "2026-01-01T18:30:00Z"
            ])
        // Friday 22:00 in New York is Saturday 03:00 UTC: the weekday is the local one.
        #expect(
            try fires("0 22 * * fri", after: "2026-01-01T00:00:00Z", in: "America/New_York", count: 1) == [
                "2026-01-03T03:00:00Z"
            ])
    }

    // MARK: Daylight saving time

    @Test("a fixed-time job skipped by spring-forward fires once at the end of the gap")
    func springForwardFixedTime() throws {
        // Berlin: 02:00 CET becomes 03:00 CEST at 01:00 UTC.
        #expect(
            try fires("30 2 * * *", after: "2026-03-28T12:00:00Z", in: "Europe/Berlin") == [
                "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z", "2026-03-31T00:30:00Z",
            ]
        )
        // New York: 02:00 EST becomes 03:00 EDT at 07:00 UTC.
        #expect(
            try fires("30 2 * * *", after: "2026-03-07T12:00:00Z", in: "America/New_York") == [
                "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z",
            ]
        )
        // Several skipped times of one job still fire once.
        #expect(
            try fires("0,30 2 * * *", after: "2026-03-28T23:00:00Z", in: "Europe/Berlin") == [
                "2026-03-29T01:00:00Z", "2026-03-30T00:00:00Z", "2026-03-30T00:30:00Z",
            ]
        )
    }

    @Test("a fixed-time job repeated by fall-back fires once, at the first occurrence")
    func fallBackFixedTime() throws {
        // New York: 02:00 EDT becomes 01:00 EST at 06:00 UTC, so 01:30 happens at 05:30 and 06:30 UTC.
        #expect(
            try fires("30 1 * * *", after: "2026-10-31T12:00:00Z", in: "America/New_York") == [
                "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "2026-11-03T06:30:00Z",
            ]
        )
        // Between the two passes the job has already run today.
        #expect(
            try fires("30 1 * * *", after: "2026-11-01T05:45:00Z", in: "America/New_York", count: 1) == [
                "2026-11-02T06:30:00Z"
            ]
        )
        // Berlin: 03:00 CEST becomes 02:00 CET at 01:00 UTC.
        #expect(
            try fires("30 2 * * *", after: "2026-10-24T12:00:00Z", in: "Europe/Berlin") == [
                "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z",
            ]
        )
        #expect(
            try fires("0,20,40 2 * * *", after: "2026-10-24T23:00:00Z", in: "Europe/Berlin", count: 4) == [
                "2026-10-25T00:00:00Z", "2026-10-25T00:20:00Z", "2026-10-25T00:40:00Z", "2026-10-26T01:00:00Z",
            ]
        )
    }

    @Test("a wildcard job skips wall times that do not exist")
    func springForwardWildcard() throws {
        #expect(
            try fires("30 * * * *", after: "2026-03-28T23:00:00Z", in: "Europe/Berlin", count: 4) == [
                "2026-03-28T23:30:00Z", "2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z", "2026-03-29T02:30:00Z",
            ]
        )
        #expect(
            try fires("30 * * * *", after: "2026-03-08T05:00:00Z", in: "America/New_York", count: 4) == [
                "2026-03-08T05:30:00Z", "2026-03-08T06:30:00Z", "2026-03-08T07:30:00Z", "2026-03-08T08:30:00Z",
            ]
        )
        // A `*` in the minute field makes a job a wildcard job too, as in Debian's cron: 02:xx never happens.
        #expect(
            try fires("*/15 2 * * *", after: "2026-03-28T23:00:00Z", in: "Europe/Berlin", count: 2) == [
                "2026-03-30T00:00:00Z", "2026-03-30T00:15:00Z",
            ]
        )
    }

    @Test("a wildcard job fires in both passes of a repeated hour")
    func fallBackWildcard() throws {
        #expect(
            try fires("30 * * * *", after: "2026-11-01T04:00:00Z", in: "America/New_York", count: 4) == [
                "2026-11-01T04:30:00Z", "2026-11-01T05:30:00Z", "2026-11-01T06:30:00Z", "2026-11-01T07:30:00Z",
            ]
        )
        // From inside the first pass, the second pass of 01:30 is next.
        #expect(
            try fires("30 * * * *", after: "2026-11-01T05:45:00Z", in: "America/New_York", count: 1) == [
                "2026-11-01T06:30:00Z"
            ]
        )
        #expect(
            try fires("30 * * * *", after: "2026-10-24T23:00:00Z", in: "Europe/Berlin", count: 4) == [
                "2026-10-24T23:30:00Z", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z", "2026-10-25T02:30:00Z",
            ]
        )
        // An hour field starting with `*` makes a wildcard job: 02:00 Berlin happens twice.
        #expect(
            try fires("0 */2 * * *", after: "2026-10-24T23:00:00Z", in: "Europe/Berlin", count: 3) == [
                "2026-10-25T00:00:00Z", "2026-10-25T01:00:00Z", "2026-10-25T03:00:00Z",
            ]
        )
    }

    @Test(
        "every half hour stays every half hour of real time across transitions",
        arguments: [
            ("Europe/Berlin", "2026-03-28T23:00:00Z"),
            ("Europe/Berlin", "2026-10-24T22:00:00Z"),
            ("America/New_York", "2026-03-08T05:00:00Z"),
            ("America/New_York", "2026-11-01T04:00:00Z"),
        ]
    )
    func halfHourlyAcrossTransitions(zone: String, start: String) throws {
        let begin = try instant(start)
        let expected = (1...10).map { begin.addingTimeInterval(TimeInterval($0) * 1_800).formatted(.iso8601) }
        #expect(try fires("*/30 * * * *", after: start, in: zone, count: 10) == expected)
    }

    // MARK: Errors

    private static let neverFires =
        "(February has at most 29 days; April, June, September and November have 30)"

    private static let mistakes: [(String, String)] = [
        ("61 * * * *", #"minute field "61" is out of range 0-59"#),
        ("1,61 * * * *", #"minute field "1,61" has 61, which is out of range 0-59"#),
        ("0 24 * * *", #"hour field "24" is out of range 0-23"#),
        ("0 0 0 * *", #"day field "0" is out of range 1-31"#),
        ("0 0 32 * *", #"day field "32" is out of range 1-31"#),
        ("0 0 * 13 *", #"month field "13" is out of range 1-12"#),
        ("0 0 * * 8", #"weekday field "8" is out of range 0-7"#),
        ("0 0 * * 99999999999999999999", #"weekday field "99999999999999999999" is out of range 0-7"#),
        ("0 0 * foo *", #"month field "foo" is not a month (use 1-12 or jan-dec)"#),
        ("0 0 * * mom", #"weekday field "mom" is not a weekday (use 0-7 or sun-sat)"#),
        ("mon * * * *", #"minute field "mon" is not a number (use 0-59)"#),
        ("0 0 * jan-mom *", #"month field "jan-mom" has "mom", which is not a month (use 1-12 or jan-dec)"#),
        ("*-5 * * * *", #"minute field "*-5" has "*", which is not a number (use 0-59)"#),
        ("*/0 * * * *", #"minute field "*/0" has a step of 0; the step must be at least 1, e.g. "*/15""#),
        ("*/x * * * *", #"minute field "*/x" has a step "x" that is not a number; write e.g. "*/15""#),
        ("*/ * * * *", #"minute field "*/" has a step "" that is not a number; write e.g. "*/15""#),
        (
            "*/5/2 * * * *",
            #"minute field "*/5/2" has more than one "/" in "*/5/2"; write a step once, e.g. "*/15""#
        ),
        (
            "0 22-2 * * *",
            #"hour field "22-2" has a range "22-2" that runs backwards; write it as two ranges, e.g. "22-23,0-2""#
        ),
        (
            "0 0 * * fri-mon",
            #"weekday field "fri-mon" has a range "fri-mon" that runs backwards; "#
                + #"write it as two ranges, e.g. "5-7,0-1""#
        ),
        (
            "1,,2 * * * *",
            #"minute field "1,,2" has an empty list item; separate values with single commas, e.g. "1,15""#
        ),
        ("5- * * * *", #"minute field "5-" is missing a number (use 0-59)"#),
        ("1-2-3 * * * *", #"minute field "1-2-3" has a range "1-2-3" with more than one "-"; write e.g. "1-5""#),
        ("* * * *", #"cron needs 5 fields (minute hour day month weekday), got 4 — e.g. "30 2 * * *""#),
        ("* * * * * *", #"cron needs 5 fields (minute hour day month weekday), got 6 — e.g. "30 2 * * *""#),
        ("", #"cron needs 5 fields (minute hour day month weekday), got 0 — e.g. "30 2 * * *""#),
        (
            "@reboot",
            #""@reboot" is not a cron alias; use 5 fields or one of @yearly, @annually, @monthly, @weekly, "#
                + "@daily, @midnight, @hourly"
        ),
        (
            "0 0 30 2 *",
            #""0 0 30 2 *" never fires: no month in the month field "2" has a day in the day field "30" "#
                + neverFires
        ),
        (
            "0 0 31 apr,jun *",
            #""0 0 31 apr,jun *" never fires: no month in the month field "apr,jun" has a day in the day "#
                + #"field "31" "# + neverFires
        ),
        (
            "0 0 30-31 2 */2",
            #""0 0 30-31 2 */2" never fires: no month in the month field "2" has a day in the day "#
                + #"field "30-31" "# + neverFires
        ),
    ]

    @Test("rejects mistakes with a message naming the field", arguments: mistakes)
    func rejects(text: String, message: String) {
        #expect(throws: ScheduleError(message)) {
            try CronExpression(parsing: text)
        }
    }

    // MARK: Values

    @Test("keeps the text as given and describes itself with it")
    func source() throws {
        let expression = try CronExpression(parsing: " 30 2 * * * ")
        #expect(expression.source == " 30 2 * * * ")
        #expect(expression.description == " 30 2 * * * ")
        #expect(try CronExpression(parsing: "30 2 * * *") == CronExpression(parsing: "30 2 * * *"))
    }

    @Test("encodes as its source string")
    func codable() throws {
        let expression = try CronExpression(parsing: "*/15 9-17 * * mon-fri")
        let data = try JSONEncoder().encode([expression])
        #expect(String(decoding: data, as: UTF8.self) == #"["*\/15 9-17 * * mon-fri"]"#)
        #expect(try JSONDecoder().decode([CronExpression].self, from: data) == [expression])
    }

    @Test("decoding an invalid expression reports why")
    func decodingError() {
        do {
            let decoded = try JSONDecoder().decode([CronExpression].self, from: Data(#"["61 * * * *"]"#.utf8))
            Issue.record("decoded \(decoded)")
        } catch let DecodingError.dataCorrupted(context) {
            #expect(context.debugDescription == #"minute field "61" is out of range 0-59"#)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
