import Foundation

/// A standard five-field cron expression, `minute hour day month weekday`, read the way Debian's cron reads it.
///
/// Fields take `*`, numbers, ranges `a-b`, steps `*/n`, `a-b/n` and `a/n` (from `a` to the field's end), and
/// comma lists of these. Months may be written `jan`-`dec`, weekdays `sun`-`sat`, in any case; weekday 0 and 7
/// are both Sunday. `@yearly`, `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight` and `@hourly` stand for
/// their usual expressions. When both the day and the weekday field are restricted (neither starts with `*`), a day
/// matches if either matches; otherwise it must match both. Expressions that can never fire, such as
/// `0 0 30 2 *`, are rejected.
///
/// Daylight saving time follows Debian's cron. A job is *fixed-time* when neither its minute nor its hour field
/// starts with `*` (`30 2 * * *`, `0 9-17 * * *`); every other job (`*/15 * * * *`, `30 * * * *`,
/// `0 */2 * * *`) is a *wildcard* job.
/// - A fixed-time job whose wall-clock time is skipped when clocks go forward fires once, at the first instant
///   after the gap: `30 2 * * *` fires at 03:00 on the day Europe/Berlin springs forward.
/// - A fixed-time job whose wall-clock time happens twice when clocks go back fires once, at the first
///   occurrence: `30 1 * * *` fires at 01:30 EDT, not again at 01:30 EST, when America/New_York falls back.
/// - A wildcard job fires at every real instant whose wall-clock time matches: it skips the times that do not
///   exist and fires in both passes of a repeated hour.
public struct CronExpression: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The text as given, e.g. `30 2 * * *` or `@daily`.
    public let source: String

    // Bit n is set when value n matches.
    let minutes: UInt64
    let hours: UInt64
    let daysOfMonth: UInt64
    let months: UInt64
    // Sunday is bit 0 only; a 7 in the text is folded onto it.
    let weekdays: UInt64
    // Debian's cron ORs the two day fields only when neither starts with `*`.
    let dayMatchesEither: Bool
    // Debian's cron moves skipped times and drops repeated ones only for jobs without `*` in minute and hour.
    let isFixedTime: Bool

    public var description: String { source }

    /// Parses a five-field expression or an alias such as `@daily`, throwing a message that names the field at fault.
    public init(parsing text: String) throws(ScheduleError) {
        source = text
        let fields = try Self.fields(of: text)
        minutes = try CronField.minute.parse(fields[0])
        hours = try CronField.hour.parse(fields[1])
        daysOfMonth = try CronField.day.parse(fields[2])
        months = try CronField.month.parse(fields[3])
        let weekdayBits = try CronField.weekday.parse(fields[4])
        weekdays = (weekdayBits & 0x7F) | (weekdayBits >> 7 & 1)
        dayMatchesEither = !fields[2].hasPrefix("*") && !fields[4].hasPrefix("*")
        isFixedTime = !fields[0].hasPrefix("*") && !fields[1].hasPrefix("*")

        // With the OR rule the weekday alone fires every week, and every (month, day) pair recurs on every
        // weekday, so only a day that no chosen month has can make an expression that never fires.
        if !dayMatchesEither {
            let possible = (1...12).contains { month in
                months & 1 << month != 0 && daysOfMonth & ((1 << (Civil.maximumDays(inMonth: month) + 1)) - 1) != 0
            }
            guard possible else {
                throw ScheduleError(
                    "\"\(text)\" never fires: no month in the month field \"\(fields[3])\" has a day in the day "
                        + "field \"\(fields[2])\" (February has at most 29 days; April, June, September and "
                        + "November have 30)"
                )
            }
        }
    }

    /// The first firing instant strictly after `date`, with wall-clock fields interpreted in `timeZone`.
    ///
    /// Returns `Date.distantFuture` only for dates so far out that no firing is found within a century.
    public func nextFire(after date: Date, in timeZone: TimeZone) -> Date {
        let now = date.timeIntervalSince1970
        guard now.isFinite, abs(now) < 1e12 else { return .distantFuture }
        let nowSecond = Int(now.rounded(.down))
        let zone = ZoneOffsets(timeZone: timeZone)
        let wallNow = nowSecond + zone.offset(at: nowSecond)
        // When clocks go back soon after `date`, wall times earlier than its own come round again after it.
        var wallMinute = Civil.floorDivide(wallNow - zone.swing(around: nowSecond), 60)
        let lastYear = Civil.date(fromDays: Civil.floorDivide(wallNow, 86_400)).year + Self.searchYears
        var best: Int?
        var lastUsefulWall = Int.max
        while let candidate = nextMatchingMinute(atOrAfter: wallMinute, throughYear: lastYear),
            candidate * 60 <= lastUsefulWall
        {
            for instant in instants(ofWall: candidate * 60, zone: zone) where Double(instant) > now {
                best = min(best ?? instant, instant)
            }
            if let best, lastUsefulWall == .max {
                // A later wall time can map to an earlier instant only by as much as the local offset changes.
                lastUsefulWall = candidate * 60 + zone.swing(around: best)
            }
            wallMinute = candidate + 1
        }
        return best.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? .distantFuture
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do throws(ScheduleError) {
            self = try CronExpression(parsing: text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.message)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(source)
    }

    // A feasible expression fires within 40 years: Feb 29 on a given weekday can be that far apart around 2100.
    private static let searchYears = 100

    private static let aliases: [String: String] = [
        "@yearly": "0 0 1 1 *",
        "@annually": "0 0 1 1 *",
        "@monthly": "0 0 1 * *",
        "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *",
        "@midnight": "0 0 * * *",
        "@hourly": "0 * * * *",
    ]

    private static func fields(of text: String) throws(ScheduleError) -> [String] {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("@") {
            guard let expansion = aliases[trimmed.lowercased()] else {
                throw ScheduleError(
                    "\"\(trimmed)\" is not a cron alias; use 5 fields or one of @yearly, @annually, @monthly, "
                        + "@weekly, @daily, @midnight, @hourly"
                )
            }
            return expansion.split(separator: " ").map(String.init)
        }
        let fields = trimmed.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else {
            throw ScheduleError(
                "cron needs 5 fields (minute hour day month weekday), got \(fields.count) — e.g. \"30 2 * * *\""
            )
        }
        return fields
    }

    /// The first wall-clock minute (minutes since 1970-01-01 00:00 on the wall) at or after `start` that matches.
    private func nextMatchingMinute(atOrAfter start: Int, throughYear lastYear: Int) -> Int? {
        var (year, month, day) = Civil.date(fromDays: Civil.floorDivide(start, 1_440))
        let minuteOfDay = start - Civil.floorDivide(start, 1_440) * 1_440
        var hour = minuteOfDay / 60
        var minute = minuteOfDay % 60
        while year <= lastYear {
            if months & 1 << month == 0 {
                if let next = Self.lowestBit(of: months, from: month + 1) {
                    month = next
                } else {
                    year += 1
                    month = Self.lowestBit(of: months, from: 1) ?? 1
                }
                (day, hour, minute) = (1, 0, 0)
                continue
            }
            if day > Civil.days(inMonth: month, year: year) {
                (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
                (day, hour, minute) = (1, 0, 0)
                continue
            }
            guard dayMatches(year: year, month: month, day: day) else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            guard let matchingHour = Self.lowestBit(of: hours, from: hour) else {
                (day, hour, minute) = (day + 1, 0, 0)
                continue
            }
            if matchingHour != hour {
                (hour, minute) = (matchingHour, 0)
            }
            guard let matchingMinute = Self.lowestBit(of: minutes, from: minute) else {
                (hour, minute) = (hour + 1, 0)
                continue
            }
            return (Civil.days(fromYear: year, month: month, day: day) * 24 + hour) * 60 + matchingMinute
        }
        return nil
    }

    private func dayMatches(year: Int, month: Int, day: Int) -> Bool {
        let weekday = Civil.weekday(ofDays: Civil.days(fromYear: year, month: month, day: day))
        let dayOfMonth = daysOfMonth & 1 << day != 0
        let dayOfWeek = weekdays & 1 << weekday != 0
        return dayMatchesEither ? dayOfMonth || dayOfWeek : dayOfMonth && dayOfWeek
    }

    /// The real instants (seconds since 1970) that show the wall-clock time `wall` in the zone.
    ///
    /// A repeated wall time has two; a fixed-time job keeps the first. A skipped one has none; a fixed-time job
    /// fires at the end of the gap instead.
    private func instants(ofWall wall: Int, zone: ZoneOffsets) -> [Int] {
        // Real instants for a wall time lie within a day of it, and offsets change at most once in two days,
        // so the offsets a day either side are all the candidates there are.
        let earlier = zone.offset(at: wall - 86_400)
        let later = zone.offset(at: wall + 86_400)
        var found: [Int] = []
        for offset in [earlier, zone.offset(at: wall), later] {
            let instant = wall - offset
            if zone.offset(at: instant) == offset, !found.contains(instant) {
                found.append(instant)
            }
        }
        found.sort()
        if let first = found.first {
            return isFixedTime ? [first] : found
        }
        guard isFixedTime, let transition = zone.transition(between: wall - later, and: wall - earlier) else {
            return []
        }
        return [transition]
    }

    private static func lowestBit(of mask: UInt64, from position: Int) -> Int? {
        guard position < 64 else { return nil }
        let remaining = mask >> position
        return remaining == 0 ? nil : position + remaining.trailingZeroBitCount
    }
}

/// One of the five fields: its name in messages, its range and the names it accepts.
private struct CronField {
    let name: String
    let range: ClosedRange<Int>
    let names: [String]
    let usage: String

    static let minute = CronField(name: "minute", range: 0...59, names: [], usage: "0-59")
    static let hour = CronField(name: "hour", range: 0...23, names: [], usage: "0-23")
    static let day = CronField(name: "day", range: 1...31, names: [], usage: "1-31")
    static let month = CronField(
        name: "month",
        range: 1...12,
        names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        usage: "1-12 or jan-dec"
    )
    static let weekday = CronField(
        name: "weekday",
        range: 0...7,
        names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
        usage: "0-7 or sun-sat"
    )

    func parse(_ text: String) throws(ScheduleError) -> UInt64 {
        var mask: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else {
                throw problem(text, "has an empty list item; separate values with single commas, e.g. \"1,15\"")
            }
            mask |= try parseItem(String(item), of: text)
        }
        return mask
    }

    private func parseItem(_ item: String, of text: String) throws(ScheduleError) -> UInt64 {
        let parts = item.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 2 else {
            throw problem(text, "has more than one \"/\" in \"\(item)\"; write a step once, e.g. \"*/15\"")
        }
        var step = 1
        if parts.count == 2 {
            let stepText = parts[1]
            guard !stepText.isEmpty, stepText.allSatisfy({ $0.isASCII && $0.isWholeNumber }) else {
                throw problem(text, "has a step \"\(stepText)\" that is not a number; write e.g. \"*/15\"")
            }
            // A step longer than the range only keeps the start; clamping keeps huge numbers from overflowing.
            step = min(Int(stepText) ?? Int.max, 100)
            guard step > 0 else {
                throw problem(text, "has a step of 0; the step must be at least 1, e.g. \"*/15\"")
            }
        }
        let base = parts[0]
        let low: Int
        let high: Int
        if base == "*" {
            (low, high) = (range.lowerBound, range.upperBound)
        } else if base.contains("-") {
            let ends = base.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
            guard ends.count == 2 else {
                throw problem(text, "has a range \"\(base)\" with more than one \"-\"; write e.g. \"1-5\"")
            }
            (low, high) = try (value(ends[0], of: text), value(ends[1], of: text))
            guard low <= high else {
                throw problem(
                    text,
                    "has a range \"\(base)\" that runs backwards; write it as two ranges, "
                        + "e.g. \"\(low)-\(range.upperBound),\(range.lowerBound)-\(high)\""
                )
            }
        } else {
            low = try value(base, of: text)
            high = parts.count == 2 ? range.upperBound : low
        }
        var mask: UInt64 = 0
        for value in stride(from: low, through: high, by: step) {
            mask |= 1 << value
        }
        return mask
    }

    private func value(_ token: String, of text: String) throws(ScheduleError) -> Int {
        guard !token.isEmpty else {
            throw problem(text, "is missing a number (use \(usage))")
        }
        if token.allSatisfy({ $0.isASCII && $0.isWholeNumber }) {
            guard let number = Int(token), range.contains(number) else {
                let what = token == text ? "is" : "has \(token), which is"
                throw problem(text, "\(what) out of range \(range.lowerBound)-\(range.upperBound)")
            }
            return number
        }
        if let index = names.firstIndex(of: token.lowercased()) {
            return range.lowerBound == 0 ? index : index + 1
        }
        let kind = names.isEmpty ? "a number" : "a \(name)"
        let what = token == text ? "is" : "has \"\(token)\", which is"
        throw problem(text, "\(what) not \(kind) (use \(usage))")
    }

    private func problem(_ text: String, _ detail: String) -> ScheduleError {
        ScheduleError("\(name) field \"\(text)\" \(detail)")
    }
}

/// Offsets from UTC of one time zone, in whole seconds at instants given as seconds since 1970.
private struct ZoneOffsets {
    let timeZone: TimeZone

    func offset(at instant: Int) -> Int {
        timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// How much the offset changes within a day either side of `instant`; 0 away from transitions.
    func swing(around instant: Int) -> Int {
        let offsets = [offset(at: instant - 86_400), offset(at: instant), offset(at: instant + 86_400)]
        return offsets.max()! - offsets.min()!
    }

    /// The first instant in `(start, end]` whose offset differs from the offset at `start`, if the end has one.
    func transition(between start: Int, and end: Int) -> Int? {
        let before = offset(at: start)
        guard start < end, offset(at: end) != before else { return nil }
        // Binary search rather than `nextDaylightSavingTimeTransition`, which misses changes of standard time.
        var (low, high) = (start, end)
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if offset(at: middle) == before {
                low = middle
            } else {
                high = middle
            }
        }
        return high
    }
}

/// Proleptic Gregorian calendar arithmetic on plain integers, counting days from 1970-01-01.
private enum Civil {
    static func floorDivide(_ value: Int, _ divisor: Int) -> Int {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }

    // Howard Hinnant's days_from_civil: years start in March so the leap day comes last.
    static func days(fromYear year: Int, month: Int, day: Int) -> Int {
        let marchYear = month <= 2 ? year - 1 : year
        let era = floorDivide(marchYear, 400)
        let yearOfEra = marchYear - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func date(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = floorDivide(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        let month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Sunday is 0; 1970-01-01 was a Thursday.
    static func weekday(ofDays days: Int) -> Int {
        (days % 7 + 11) % 7
    }

    static func days(inMonth month: Int, year: Int) -> Int {
        guard month == 2 else { return maximumDays(inMonth: month) }
        let isLeap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return isLeap ? 29 : 28
    }

    static func maximumDays(inMonth month: Int) -> Int {
        switch month {
        case 2: 29
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
