import Foundation
import NIOCore
import VigilCore

/// A check as `POST /api/v3/checks/` and `POST /api/v3/checks/<uuid>` take it, read by healthchecks.io's rules:
/// every field optional, types strict, unknown fields ignored; the first broken field is named in the error.
struct HealthchecksCheckInput: Sendable {
    var name: String?
    var slug: String?
    /// Space-separated, as healthchecks.io writes tags.
    var tags: [String]?
    var desc: String?
    var timeout: TimeInterval?
    var grace: TimeInterval?
    var schedule: CronExpression?
    var tz: TimeZone?
    var channels: String?
    var unique: [String]?

    /// The most a request body may hold.
    static let bodyLimit = 64 * 1024

    /// healthchecks.io's settings for email pings, HTTP methods and manual resume: Vigil accepts and checks them, has
    /// no use for them, and always shows these defaults.
    static let ignoredDefaults: [String: HealthchecksJSON] = [
        "manual_resume": .bool(false), "methods": .string(""), "subject": .string(""), "subject_fail": .string(""),
        "start_kw": .string(""), "success_kw": .string(""), "failure_kw": .string(""),
        "filter_subject": .bool(false), "filter_body": .bool(false),
    ]

    private static let uniqueFields: Set<String> = ["name", "slug", "tags", "timeout", "grace"]
    private static let keywordFields = [
        "failure_kw", "req_failure_kw", "start_kw", "req_start_kw", "subject", "subject_fail", "success_kw",
        "req_success_kw",
    ]
    private static let periodRange: ClosedRange<Int64> = 60...31_536_000

    /// Reads a request body: empty means `{}`; anything else must be a JSON object.
    static func parse(_ buffer: ByteBuffer) throws(HealthchecksError) -> HealthchecksCheckInput {
        guard buffer.readableBytes > 0 else { return HealthchecksCheckInput() }
        guard let value = try? JSONDecoder().decode(HealthchecksJSON.self, from: Data(buffer: buffer)) else {
            throw HealthchecksError(.badRequest, "could not parse request body: it is not JSON — send e.g."
                + " {\"name\": \"Backups\", \"timeout\": 3600}")
        }
        guard case .object(let fields) = value else {
            throw HealthchecksError(.badRequest, "json validation error: value is not an object")
        }
        return try HealthchecksCheckInput(fields)
    }

    init() {}

    // Fields are checked in healthchecks.io's order, so the same mistake names the same field.
    private init(_ fields: [String: HealthchecksJSON]) throws(HealthchecksError) {
        channels = try Self.string(fields, "channels")
        desc = try Self.string(fields, "desc", maxLength: 10_000)
        for field in Self.keywordFields { _ = try Self.string(fields, field, maxLength: 200) }
        _ = try Self.bool(fields, "filter_body")
        _ = try Self.bool(fields, "filter_subject")
        grace = try Self.seconds(fields, "grace")
        _ = try Self.bool(fields, "manual_resume")
        if let methods = try Self.string(fields, "methods"), methods != "", methods != "POST" {
            throw HealthchecksError.invalid("methods", "has unexpected value (use \"\" or \"POST\")")
        }
        name = try Self.string(fields, "name", maxLength: 100)
        if let text = try Self.string(fields, "schedule", maxLength: 100) {
            schedule = try Self.cron(text)
        }
        slug = try Self.string(fields, "slug", maxLength: 100)
        if let slug, !slug.isEmpty, !Monitor.isValidSlug(slug) {
            let pattern = slug.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
            throw HealthchecksError.invalid("slug", pattern
                ? "is not valid in Vigil (use at most 64 characters, starting with a letter or digit)"
                : "does not match pattern (use a-z, 0-9, - and _)")
        }
        if let text = try Self.string(fields, "tags") {
            var seen: Set<String> = []
            let words = text.split(whereSeparator: \.isWhitespace).map(String.init).filter { seen.insert($0).inserted }
            if let long = words.first(where: { $0.count > 64 }) {
                throw HealthchecksError.invalid(
                    "tags", "has a tag longer than 64 characters: \"\(long.prefix(20))…\"")
            }
            tags = words
        }
        timeout = try Self.seconds(fields, "timeout")
        if let identifier = try Self.string(fields, "tz") {
            guard let zone = TimeZone(identifier: identifier) else {
                throw HealthchecksError.invalid(
                    "tz", "is not a valid timezone (use an IANA name such as Europe/Riga or UTC)")
            }
            tz = zone
        }
        if let value = fields["unique"] {
            guard case .array(let items) = value else { throw HealthchecksError.invalid("unique", "is not an array") }
            unique = try items.map { item throws(HealthchecksError) in
                guard case .string(let field) = item, Self.uniqueFields.contains(field) else {
                    throw HealthchecksError.invalid(
                        "an item in 'unique'", "has unexpected value (use name, slug, tags, timeout or grace)")
                }
                return field
            }
        }
    }

    // MARK: - Applying

    /// The monitor this input makes of `base`: only the given fields change; a `schedule` wins over a `timeout`.
    func applied(to base: Monitor) -> Monitor {
        var monitor = base
        if let name { monitor.name = name }
        // An empty slug keeps the one the monitor has: Vigil needs one for slug pings.
        if let slug, !slug.isEmpty { monitor.slug = slug }
        if let tags { monitor.tags = tags }
        if let desc { monitor.desc = desc }
        if let schedule {
            var zone = TimeZone(identifier: "UTC")!
            if case .cron(_, let current) = base.schedule { zone = current }
            monitor.schedule = .cron(schedule, tz ?? zone)
        } else if let timeout {
            monitor.schedule = .every(timeout)
        } else if let tz, case .cron(let expression, _) = monitor.schedule {
            monitor.schedule = .cron(expression, tz)
        }
        if let grace { monitor.grace = grace }
        return monitor
    }

    /// A slug for a new check that was given none: its name made into a slug, else `check-` and the start of its uuid.
    static func slug(fromName name: String, key: UUID) -> String {
        var slug = ""
        var pendingDash = false
        for character in name.decomposedStringWithCompatibilityMapping.lowercased() {
            guard character.isASCII else { continue }
            if character.isLetter || character.isNumber || character == "_" {
                if pendingDash, !slug.isEmpty { slug.append("-") }
                pendingDash = false
                slug.append(character)
            } else if character == "-" || character.isWhitespace {
                pendingDash = true
            }
        }
        while let first = slug.first, first == "_" { slug.removeFirst() }
        slug = String(slug.prefix(64))
        while let last = slug.last, last == "-" || last == "_" { slug.removeLast() }
        if Monitor.isValidSlug(slug) { return slug }
        return "check-" + key.uuidString.lowercased().prefix(8)
    }

    /// Checks `channels`: `*`, empty, or a comma-separated list of integration ids or names, each naming exactly one.
    func checkChannels(_ available: [HealthchecksChannel]) throws(HealthchecksError) {
        guard let channels, channels != "*", channels != "" else { return }
        for identifier in channels.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            guard !identifier.isEmpty else { throw HealthchecksError(.badRequest, "empty channel identifier") }
            let matches = available.filter { $0.id == identifier || $0.name == identifier }
            if matches.isEmpty {
                throw HealthchecksError(.badRequest, "invalid channel identifier: \(identifier)")
            }
            if matches.count > 1 {
                throw HealthchecksError(.badRequest, "non-unique channel identifier: \(identifier)")
            }
        }
    }

    /// The first of `monitors` that the `unique` fields match, if every one of them was given.
    func uniqueMatch(in monitors: [Monitor]) -> Monitor? {
        guard let unique, !unique.isEmpty else { return nil }
        return monitors.first { monitor in
            unique.allSatisfy { field in
                switch field {
                case "name": name.map { $0 == monitor.name } ?? false
                case "slug": slug.map { $0 == monitor.slug } ?? false
                case "tags": tags.map { $0 == monitor.tags } ?? false
                case "timeout": timeout.map { .every($0) == monitor.schedule } ?? false
                case "grace": grace.map { $0 == monitor.grace } ?? false
                default: false
                }
            }
        }
    }

    // MARK: - Reading fields

    private static func string(_ fields: [String: HealthchecksJSON], _ field: String, maxLength: Int? = nil)
        throws(HealthchecksError) -> String?
    {
        guard let value = fields[field] else { return nil }
        guard case .string(let text) = value else { throw HealthchecksError.invalid(field, "is not a string") }
        if let maxLength, text.count > maxLength {
            throw HealthchecksError.invalid(field, "is too long (at most \(maxLength) characters)")
        }
        return text
    }

    private static func bool(_ fields: [String: HealthchecksJSON], _ field: String) throws(HealthchecksError) -> Bool? {
        guard let value = fields[field] else { return nil }
        guard case .bool(let flag) = value else { throw HealthchecksError.invalid(field, "is not a boolean") }
        return flag
    }

    private static func seconds(_ fields: [String: HealthchecksJSON], _ field: String) throws(HealthchecksError)
        -> TimeInterval?
    {
        guard let value = fields[field] else { return nil }
        let seconds: Int64
        switch value {
        case .integer(let number):
            seconds = number
        case .number(let number) where number == number.rounded() && abs(number) < 1e15:
            seconds = Int64(number)
        case .number:
            throw HealthchecksError.invalid(field, "is not a number (give whole seconds, e.g. 3600)")
        default:
            throw HealthchecksError.invalid(field, "is not a number")
        }
        let range = "use \(periodRange.lowerBound) to \(periodRange.upperBound) seconds"
        if seconds < periodRange.lowerBound { throw HealthchecksError.invalid(field, "is too small (\(range))") }
        if seconds > periodRange.upperBound { throw HealthchecksError.invalid(field, "is too large (\(range))") }
        return TimeInterval(seconds)
    }

    private static func cron(_ text: String) throws(HealthchecksError) -> CronExpression {
        let fieldCount = text.split(whereSeparator: \.isWhitespace).count
        guard !text.contains("\n"), fieldCount == 5 else {
            throw HealthchecksError.invalid(
                "schedule", "is not a valid cron or OnCalendar expression (Vigil takes 5-field cron"
                + " expressions such as \"0 3 * * *\"; OnCalendar is not supported)")
        }
        do {
            return try CronExpression(parsing: text)
        } catch {
            throw HealthchecksError.invalid(
                "schedule", "is not a valid cron or OnCalendar expression (\(error.message))")
        }
    }
}
