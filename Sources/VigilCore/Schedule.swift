import Foundation

/// A mistake in a duration, cron expression or schedule, told the way a user can fix it.
public struct ScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and what to do, e.g. `minute field "61" is out of range 0-59`.
    public let message: String

    public var description: String { message }

    init(_ message: String) {
        self.message = message
    }
}

/// When a monitor expects progress: a fixed period after the last progress, or the next firing of a cron expression.
///
/// Encoded as `{"every": 7200}` or `{"cron": "30 2 * * *", "tz": "Europe/Berlin"}`; a missing `tz` means UTC.
public enum Schedule: Sendable, Hashable, Codable {
    /// Progress is due this many seconds after the last progress.
    case every(TimeInterval)
    /// Progress is due at the expression's next firing, reading its wall-clock fields in the time zone.
    case cron(CronExpression, TimeZone)

    /// When the next progress is due, given the time of the last progress.
    public func nextDue(after lastProgress: Date) -> Date {
        switch self {
        case .every(let period):
            lastProgress.addingTimeInterval(period)
        case .cron(let expression, let timeZone):
            expression.nextFire(after: lastProgress, in: timeZone)
        }
    }

    private enum CodingKeys: String, CodingKey {
        case every
        case cron
        case tz
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch (container.contains(.every), container.contains(.cron)) {
        case (true, false):
            let period = try container.decode(TimeInterval.self, forKey: .every)
            guard period.isFinite, period > 0 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .every,
                    in: container,
                    debugDescription: "the period must be a number of seconds greater than zero, e.g. 7200"
                )
            }
            self = .every(period)
        case (false, true):
            let expression = try container.decode(CronExpression.self, forKey: .cron)
            let identifier = try container.decodeIfPresent(String.self, forKey: .tz) ?? "UTC"
            guard let timeZone = TimeZone(identifier: identifier) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .tz,
                    in: container,
                    debugDescription: "\"\(identifier)\" is not a time zone (use a name such as Europe/Berlin or UTC)"
                )
            }
            self = .cron(expression, timeZone)
        case (true, true):
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: container.codingPath,
                    debugDescription: "a schedule has either \"every\" or \"cron\", not both"
                )
            )
        case (false, false):
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: container.codingPath,
                    debugDescription: "a schedule needs \"every\" (seconds) or \"cron\" (an expression)"
                )
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .every(let period):
            try container.encode(period, forKey: .every)
        case .cron(let expression, let timeZone):
            try container.encode(expression, forKey: .cron)
            try container.encode(timeZone.identifier, forKey: .tz)
        }
    }
}
