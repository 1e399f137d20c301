import Foundation
import Hummingbird
import VigilCore

/// A monitor as `POST /api/v1/monitors` and `PATCH /api/v1/monitors/{slugOrKey}` take it: every field optional
/// in a change, `slug` and a schedule required to create.
struct MonitorInput: Decodable {
    var slug: String?
    var name: String?
    var desc: String?
    /// A period such as "5m", or seconds.
    var every: FlexibleDuration?
    /// A cron expression; with `tz`.
    var schedule: String?
    var tz: String?
    var grace: FlexibleDuration?
    var maxRuntime: FlexibleDuration?
    var progress: [String]?
    var advancing: [String]?
    var tags: [String]?

    enum CodingKeys: String, CodingKey {
        case slug, name, desc, every, schedule, tz, grace, progress, advancing, tags
        case maxRuntime = "max_runtime"
    }

    /// A duration written as "5m", "1h30m" or a number of seconds.
    struct FlexibleDuration: Decodable {
        var seconds: TimeInterval?
        var text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) {
                seconds = number
                text = "\(number)"
            } else {
                text = try container.decode(String.self)
                seconds = try? DurationFormat.parse(text)
            }
        }
    }

    /// Reads the request body; a body that is not this JSON object is refused with what was wrong.
    static func decode(from request: Request, context: VigilRequestContext) async throws -> MonitorInput {
        let buffer = try await request.body.collect(upTo: 64 * 1024)
        do {
            return try JSONDecoder().decode(MonitorInput.self, from: Data(buffer: buffer))
        } catch let DecodingError.typeMismatch(_, context) where !context.codingPath.isEmpty {
            throw HTTPError(.badRequest, message: "\(Self.field(context)) has the wrong type — see /api/v1/openapi.json")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw HTTPError(.badRequest, message: "\(Self.field(context)) cannot be read — see /api/v1/openapi.json")
        } catch {
            throw HTTPError(.badRequest, message: "the body is not a JSON object — send e.g. {\"slug\": \"nightly-backup\", \"every\": \"1d\"}")
        }
    }

    private static func field(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: ".")
    }

    /// The monitor this input makes from `base`, or the first problem with a field.
    func applied(to base: Monitor) throws -> Monitor {
        var monitor = base
        if let slug {
            guard Monitor.isValidSlug(slug) else {
                throw HTTPError(.badRequest, message: "slug \"\(slug)\" is not valid: use 1 to 64 lowercase letters,"
                    + " digits, - and _, e.g. nightly-backup")
            }
            monitor.slug = slug
        }
        if let name {
            guard name.count <= 200 else { throw HTTPError(.badRequest, message: "name is longer than 200 characters") }
            monitor.name = name
        }
        if let desc {
            guard desc.count <= 10_000 else {
                throw HTTPError(.badRequest, message: "desc is longer than 10 000 characters")
            }
            monitor.desc = desc
        }
        if every != nil, schedule != nil {
            throw HTTPError(.badRequest, message: "give either every or schedule, not both")
        }
        if let every {
            let period = try Self.duration(every, field: "every", at: 1...(366 * 86_400))
            monitor.schedule = .every(period)
        }
        if let schedule {
            let expression: CronExpression
            do {
                expression = try CronExpression(parsing: schedule)
            } catch {
                throw HTTPError(.badRequest, message: "schedule \"\(schedule)\": \(error.message)")
            }
            let zoneName = tz ?? "UTC"
            guard let zone = TimeZone(identifier: zoneName) else {
                throw HTTPError(.badRequest, message: "tz \"\(zoneName)\" is not an IANA time zone — e.g. Europe/Berlin")
            }
            monitor.schedule = .cron(expression, zone)
        } else if let tz {
            guard case .cron(let expression, _) = monitor.schedule else {
                throw HTTPError(.badRequest, message: "tz applies only to a cron schedule — give schedule too")
            }
            guard let zone = TimeZone(identifier: tz) else {
                throw HTTPError(.badRequest, message: "tz \"\(tz)\" is not an IANA time zone — e.g. Europe/Berlin")
            }
            monitor.schedule = .cron(expression, zone)
        }
        if let grace { monitor.grace = try Self.duration(grace, field: "grace", at: 0...(366 * 86_400)) }
        if let maxRuntime {
            monitor.maxRuntime = try Self.duration(maxRuntime, field: "max_runtime", at: 1...(366 * 86_400))
        }
        if let progress { monitor.progressKinds = Set(try Self.kinds(progress, field: "progress")) }
        if let advancing { monitor.advancingKinds = Set(try Self.kinds(advancing, field: "advancing")) }
        if let tags {
            for tag in tags where tag.isEmpty || tag.count > 64 || tag.contains(where: \.isWhitespace) {
                throw HTTPError(.badRequest, message: "tags: \"\(tag)\" is not a tag — use words without spaces")
            }
            monitor.tags = tags
        }
        return monitor
    }

    private static func duration(_ value: FlexibleDuration, field: String, at range: ClosedRange<Double>) throws
        -> TimeInterval
    {
        guard let seconds = value.seconds else {
            throw HTTPError(.badRequest, message: "\(field) \"\(value.text)\" is not a duration — e.g. 30s, 5m, 2h, 1d")
        }
        guard range.contains(seconds) else {
            throw HTTPError(.badRequest, message: "\(field) \(DurationFormat.format(seconds)) is out of range — use "
                + "\(DurationFormat.format(range.lowerBound)) to \(DurationFormat.format(range.upperBound))")
        }
        return seconds
    }

    private static func kinds(_ names: [String], field: String) throws -> [String] {
        for name in names where !SignalKind.reserved.contains(name) && !SignalKind.isValidTypedName(name) {
            throw HTTPError(.badRequest, message: "\(field): \"\(name)\" is not a signal kind — e.g. success, commit")
        }
        return names
    }
}
