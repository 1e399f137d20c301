import Foundation
import VigilCore
import Yams

/// Reads `vigil.yml` into a `Configuration`, reporting every mistake with its line and what to do about it.
public enum ConfigurationLoader {
    /// Reads and parses the file at `path`; a missing or unreadable file is a `ConfigurationError` too.
    public static func load(contentsOf path: String) throws(ConfigurationError) -> Configuration {
        let text = try read(path)
        return try parse(text, fileName: path)
    }

    /// Parses configuration text; `fileName` is how diagnostics name the file. Empty text gives `.default`.
    public static func parse(_ text: String, fileName: String) throws(ConfigurationError) -> Configuration {
        var reader = ConfigurationReader(fileName: fileName)
        let configuration = reader.read(text)
        guard reader.diagnostics.isEmpty, let configuration else {
            throw ConfigurationError(diagnostics: reader.sortedDiagnostics)
        }
        return configuration
    }

    private static func read(_ path: String) throws(ConfigurationError) -> String {
        func failure(_ message: String) -> ConfigurationError {
            ConfigurationError(diagnostics: [.init(fileName: path, line: nil, message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw failure("no such file — check the path, or leave out the configuration file to run with defaults")
        }
        guard !isDirectory.boolValue else {
            throw failure("is a directory — give the path of the YAML file, e.g. vigil.yml")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw failure("cannot be read — check that this user may read it")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw failure("is not UTF-8 text — save it as UTF-8")
        }
        return text
    }
}

/// Walks the YAML node tree by hand, so that every mistake is found and reported with its line.
struct ConfigurationReader {
    let fileName: String
    var diagnostics: [ConfigurationError.Diagnostic] = []
    private var duplicates: [DuplicateKey] = []
    private var reportedDuplicates: Set<Int> = []
    /// Names that recovery settings refer to, checked once the whole file is read.
    var recoveryReferences: [RecoveryReference] = []
    /// Monitors, capabilities, actions and escalation policies declared, valid or not.
    var declaredNames: [RecoveryReference.Kind: Set<String>] = [:]

    init(fileName: String) {
        self.fileName = fileName
    }

    var sortedDiagnostics: [ConfigurationError.Diagnostic] {
        // Stable: diagnostics on one line keep the order they were found in.
        diagnostics.enumerated()
            .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            .map(\.element)
    }

    mutating func report(line: Int?, _ message: String) {
        diagnostics.append(.init(fileName: fileName, line: line, message: message))
    }

    mutating func report(_ node: Node, _ message: String) {
        report(line: node.mark?.line, message)
    }

    // MARK: - The document

    mutating func read(_ text: String) -> Configuration? {
        defer { reportLeftoverDuplicates() }
        guard let root = compose(text) else { return nil }
        guard let root else { return .default }
        if root.null != nil { return .default }
        guard let mapping = root.mapping else {
            report(root, "the file must be a mapping of settings — e.g. \"listen: 127.0.0.1:8080\" and \"monitors:\"")
            return nil
        }

        var configuration = Configuration.default
        var monitorsEntry: Entry?
        var authLine: Int?
        for entry in entries(of: mapping, in: .topLevel) {
            switch entry.name {
            case "listen":
                if let value = scalar(entry, example: "127.0.0.1:8080", in: .topLevel) {
                    configuration.listen = listenAddress(value, at: entry) ?? configuration.listen
                }
            case "base_url":
                if let value = scalar(entry, example: "https://vigil.example.com", in: .topLevel) {
                    configuration.baseURL = baseURL(value, at: entry)
                }
            case "ping_key":
                if let value = scalar(entry, example: "5f2b8c1e9d7a4e3b", in: .topLevel) {
                    configuration.pingKey = pingKey(value, at: entry)
                }
            case "durability":
                if let value = scalar(entry, example: "normal", in: .topLevel) {
                    if let durability = Durability(rawValue: value) {
                        configuration.durability = durability
                    } else {
                        report(entry.value, "durability \"\(value)\" is not known — use normal or full")
                    }
                }
            case "ping_body_limit":
                if let value = scalar(entry, example: "100000", in: .topLevel),
                    let limit = integer(
                        value, at: entry, in: Configuration.pingBodyLimitRange, unit: "bytes", example: "100000")
                {
                    configuration.pingBodyLimit = limit
                }
            case "keep_signals":
                if let value = scalar(entry, example: "100", in: .topLevel),
                    let kept = integer(
                        value, at: entry, in: Configuration.signalsKeptRange, unit: "signals", example: "100")
                {
                    configuration.signalsKept = kept
                }
            case "rate_limit":
                if let value = scalar(entry, example: "60/1m", in: .topLevel),
                    let setting = rateLimit(value, at: entry, in: .topLevel)
                {
                    configuration.rateLimit = setting.limit
                }
            case "monitors":
                monitorsEntry = entry
            case "notify":
                configuration.notify = notifyTargets(entry)
            case "auth":
                authLine = entry.line
                readAuth(entry, into: &configuration.access)
            case "api_keys":
                readAPIKeys(entry, into: &configuration.access)
            case let name where Self.recoveryTopLevelKeys.contains(name):
                readRecoverySetting(entry, into: &configuration.recovery)
            default:
                reportUnknownKey(entry, in: .topLevel)
            }
        }
        // Monitors are read last because they inherit the top-level rate limit, wherever it is written.
        if let monitorsEntry {
            configuration.monitors = monitors(monitorsEntry, defaultRateLimit: configuration.rateLimit)
        }
        checkRecoveryReferences(configuration)
        checkAuth(configuration, authLine: authLine)
        return configuration
    }

    // MARK: - Top-level settings

    mutating func listenAddress(_ text: String, at entry: Entry) -> ListenAddress? {
        switch ListenAddress.parse(text) {
        case .success(let address):
            return address
        case .failure(.missingPort):
            report(entry.value, "listen \"\(text)\" has no port — write host:port, e.g. 127.0.0.1:8080")
        case .failure(.unclosedBracket):
            report(entry.value, "listen \"\(text)\" has no closing \"]\" — write an IPv6 address as [::1]:8080")
        case .failure(.bareIPv6):
            report(
                entry.value, "listen \"\(text)\" is ambiguous — put an IPv6 address in brackets, e.g. \"[::1]:8080\"")
        case .failure(.badHost(let host)):
            report(
                entry.value,
                "listen \"\(text)\": \"\(host)\" is not a host name or address — e.g. 127.0.0.1, localhost or [::1]"
            )
        case .failure(.badPort(let port)):
            report(
                entry.value,
                "listen \"\(text)\": port \"\(port)\" is not a number from 0 to 65535 — e.g. 127.0.0.1:8080")
        }
        return nil
    }

    mutating func baseURL(_ text: String, at entry: Entry) -> String? {
        guard let url = httpURL(text), url.query == nil, url.fragment == nil else {
            report(entry.value, "base_url \"\(text)\" is not an http or https URL — e.g. https://vigil.example.com")
            return nil
        }
        var trimmed = text
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return trimmed
    }

    mutating func pingKey(_ text: String, at entry: Entry) -> String? {
        let allowed = text.unicodeScalars.allSatisfy { isASCIILetterOrDigit($0) || $0 == "-" || $0 == "_" }
        guard allowed, (8...64).contains(text.unicodeScalars.count) else {
            report(
                entry.value,
                "ping_key \"\(text)\" must be 8 to 64 letters, digits, \"-\" or \"_\" — e.g. the output of"
                    + " openssl rand -hex 8"
            )
            return nil
        }
        guard UUID(uuidString: text) == nil else {
            report(
                entry.value,
                "ping_key \"\(text)\" looks like a UUID, which ping URLs take for a monitor's key"
                    + " — use another value, e.g. the output of openssl rand -hex 8"
            )
            return nil
        }
        return text
    }

    mutating func integer(
        _ text: String, at entry: Entry, in range: ClosedRange<Int>, unit: String, example: String
    ) -> Int? {
        let digits = text.replacingOccurrences(of: "_", with: "")
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits),
            range.contains(value)
        else {
            report(
                entry.value,
                "\(entry.name) \"\(text)\" is not a number of \(unit) from \(range.lowerBound) to \(range.upperBound)"
                    + " — e.g. \(entry.name): \(example)"
            )
            return nil
        }
        return value
    }

    // MARK: - Monitors

    mutating func monitors(_ entry: Entry, defaultRateLimit: RateLimit?) -> [MonitorDeclaration] {
        if entry.value.null != nil { return [] }
        guard let mapping = entry.value.mapping else {
            report(
                entry.value,
                "monitors must map each monitor's name to its settings, not be a list or a value"
                    + " — e.g. \"nightly-backup:\" on its own line with its settings indented below"
            )
            return []
        }
        var declarations: [MonitorDeclaration] = []
        var keyOwners: [UUID: MonitorDeclaration] = [:]
        for monitorEntry in entries(of: mapping, in: .monitors) {
            declaredNames[.monitor, default: []].insert(monitorEntry.name)
            guard let declaration = monitor(monitorEntry, defaultRateLimit: defaultRateLimit) else { continue }
            if let key = declaration.key {
                if let owner = keyOwners[key] {
                    report(
                        line: declaration.line,
                        "monitor \"\(declaration.slug)\": key \"\(key.uuidString.lowercased())\" is also the key of"
                            + " monitor \"\(owner.slug)\" (line \(owner.line)) — give each monitor its own key"
                    )
                    continue
                }
                keyOwners[key] = declaration
            }
            declarations.append(declaration)
        }
        return declarations
    }

    mutating func monitor(_ entry: Entry, defaultRateLimit: RateLimit?) -> MonitorDeclaration? {
        let slug = entry.name
        let context = Context.monitor(slug)
        var valid = true
        if !isValidSlug(slug) {
            report(
                entry.key,
                "monitor name \"\(slug)\" is not a valid slug — use up to 64 lowercase letters, digits, \"-\""
                    + " and \"_\", starting with a letter or digit, e.g. nightly-backup"
            )
            valid = false
        }
        if entry.value.null != nil {
            report(entry.key, "monitor \"\(slug)\" has no settings — add every: 1h or schedule: \"0 3 * * *\" below it")
            return nil
        }
        guard let mapping = entry.value.mapping else {
            report(
                entry.value,
                "monitor \"\(slug)\": its settings must be indented below its name, not written as a list or a value"
                    + " — e.g. \"every: 1h\" on the next line"
            )
            return nil
        }

        var every: (entry: Entry, period: TimeInterval?)?
        var cron: (entry: Entry, expression: CronExpression?)?
        var tz: (entry: Entry, zone: TimeZone?)?
        var grace: TimeInterval?
        var maxRuntime: TimeInterval?
        var key: UUID?
        var progressKinds = Monitor.defaultProgressKinds
        var progressEntry: Entry?
        var advancingKinds: Set<String> = []
        var rateLimit = defaultRateLimit
        var tags: [String] = []
        var recovery = MonitorRecovery()
        var learning = MonitorLearning()
        var mistypedScheduleKey = false

        for field in entries(of: mapping, in: context) {
            switch field.name {
            case "every":
                let text = scalar(field, example: "1h", in: context)
                let period = text.flatMap { duration($0, at: field, in: context) }
                every = (field, period)
                if text == nil || period == nil { valid = false }
            case "schedule":
                let text = scalar(field, example: "\"30 2 * * *\"", in: context)
                let expression = text.flatMap { cronExpression($0, at: field, in: context) }
                cron = (field, expression)
                if text == nil || expression == nil { valid = false }
            case "tz":
                let text = scalar(field, example: "Europe/Berlin", in: context)
                let zone = text.flatMap { timeZone($0, at: field, in: context) }
                tz = (field, zone)
                if text == nil || zone == nil { valid = false }
            case "grace":
                if let text = scalar(field, example: "30m", in: context),
                    let value = duration(text, at: field, in: context)
                {
                    grace = value
                } else {
                    valid = false
                }
            case "max_runtime":
                if let text = scalar(field, example: "10m", in: context),
                    let value = duration(text, at: field, in: context)
                {
                    maxRuntime = value
                } else {
                    valid = false
                }
            case "key":
                guard let text = scalar(field, example: "0b8c1b8e-4c5e-4f3a-9d55-8f0f0b7b9e21", in: context) else {
                    valid = false
                    continue
                }
                if let uuid = UUID(uuidString: text) {
                    key = uuid
                } else {
                    report(
                        field.value,
                        "\(context.prefix)key \"\(text)\" is not a UUID — leave key: out to get one, or use the"
                            + " output of uuidgen"
                    )
                    valid = false
                }
            case "progress":
                progressEntry = field
                if let kinds = kinds(field, in: context, allowsBuiltIn: true) {
                    progressKinds = kinds
                } else {
                    valid = false
                }
            case "advancing":
                if let kinds = kinds(field, in: context, allowsBuiltIn: false) {
                    advancingKinds = kinds
                } else {
                    valid = false
                }
            case "rate_limit":
                if let text = scalar(field, example: "60/1m", in: context),
                    let setting = self.rateLimit(text, at: field, in: context)
                {
                    rateLimit = setting.limit
                } else {
                    valid = false
                }
            case "tags":
                if let list = self.tags(field, in: context) {
                    tags = list
                } else {
                    valid = false
                }
            case let name where Self.recoveryMonitorKeys.contains(name):
                if !readMonitorRecovery(field, in: context, into: &recovery) { valid = false }
            case let name where Self.learningMonitorKeys.contains(name):
                if !readMonitorLearning(field, in: context, into: &learning) { valid = false }
            default:
                let suggestion = reportUnknownKey(field, in: context)
                mistypedScheduleKey = mistypedScheduleKey || suggestion == "every" || suggestion == "schedule"
                valid = false
            }
        }

        if let progressEntry, progressKinds.isEmpty, advancingKinds.isEmpty {
            report(
                progressEntry.value,
                "\(context.prefix)progress is empty, so nothing would count as progress"
                    + " — list kinds such as [success], or leave progress: out"
            )
            valid = false
        }

        var schedule: Schedule?
        switch (every, cron) {
        case (let every?, let cron?):
            let later = every.entry.line > cron.entry.line ? every.entry : cron.entry
            report(
                later.key,
                "\(context.prefix)every: and schedule: are both set — keep one:"
                    + " every: for a fixed period, schedule: for a cron expression"
            )
            valid = false
        case (nil, nil) where mistypedScheduleKey:
            // "did you mean every/schedule" already says what is missing.
            valid = false
        case (nil, nil):
            report(
                entry.key,
                "\(context.prefix)neither every: nor schedule: is set — add every: 1h or schedule: \"0 3 * * *\""
            )
            valid = false
        case (let every?, nil):
            if let tz {
                report(
                    tz.entry.key,
                    "\(context.prefix)tz: applies only to schedule: — remove it, every: counts the same in"
                        + " every time zone"
                )
                valid = false
            }
            schedule = every.period.map { .every($0) }
        case (nil, let cron?):
            if let expression = cron.expression {
                // Without tz: a cron schedule reads its fields in UTC; a tz that did not parse was reported above.
                let zone = if let tz { tz.zone } else { TimeZone(identifier: "UTC") }
                schedule = zone.map { .cron(expression, $0) }
            }
        }

        guard valid, let schedule, checkLearning(learning, schedule: schedule, in: context) else { return nil }
        var declaration = MonitorDeclaration(
            slug: slug,
            key: key,
            schedule: schedule,
            grace: grace ?? MonitorDeclaration.defaultGrace(for: schedule),
            maxRuntime: maxRuntime,
            progressKinds: progressKinds,
            advancingKinds: advancingKinds,
            rateLimit: rateLimit,
            tags: tags,
            line: entry.line
        )
        declaration.dependsOn = recovery.dependsOn
        declaration.recovery = recovery.plan
        declaration.escalation = recovery.escalation
        declaration.calibrate = learning.calibrate
        declaration.forecast = learning.forecast
        return declaration
    }

    mutating func duration(_ text: String, at field: Entry, in context: Context) -> TimeInterval? {
        do {
            return try DurationFormat.parse(text)
        } catch {
            // DurationFormat's message starts with the quoted text: `"5x" is not a duration (try 5m, 2h or 1h30m)`.
            report(field.value, "\(context.prefix)\(field.name) \(error.message)")
            return nil
        }
    }

    mutating func cronExpression(_ text: String, at field: Entry, in context: Context) -> CronExpression? {
        do {
            return try CronExpression(parsing: text)
        } catch {
            if (try? DurationFormat.parse(text)) != nil {
                report(
                    field.value,
                    "\(context.prefix)schedule \"\(text)\" is a period, not a cron expression — write every: \(text)"
                )
            } else {
                report(field.value, "\(context.prefix)schedule \"\(text)\": \(error.message)")
            }
            return nil
        }
    }

    mutating func timeZone(_ text: String, at field: Entry, in context: Context) -> TimeZone? {
        if let zone = TimeZone(identifier: text) { return zone }
        report(
            field.value,
            "\(context.prefix)tz \"\(text)\" is not an IANA time zone — e.g. Europe/Berlin, America/New_York, UTC"
        )
        return nil
    }

    /// The result of a `rate_limit:` setting: a limit, or `nil` for `off`.
    struct RateLimitSetting {
        var limit: RateLimit?
    }

    mutating func rateLimit(_ text: String, at field: Entry, in context: Context) -> RateLimitSetting? {
        if text.lowercased() == "off" { return RateLimitSetting(limit: nil) }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        let example = "e.g. 60/1m or 10/s, or off"
        guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
            let count = Int(parts[0])
        else {
            report(field.value, "\(context.prefix)rate_limit \"\(text)\" is not COUNT/DURATION — \(example)")
            return nil
        }
        guard count >= 1 else {
            report(field.value, "\(context.prefix)rate_limit \"\(text)\" allows no pings — \(example)")
            return nil
        }
        // "10/s" reads as ten per second: a bare unit means one of it.
        let windowText = parts[1].allSatisfy(\.isLetter) ? "1" + parts[1] : parts[1]
        guard let window = try? DurationFormat.parse(windowText), window.isFinite, window > 0 else {
            report(
                field.value,
                "\(context.prefix)rate_limit \"\(text)\": \"\(parts[1])\" is not a duration — \(example)"
            )
            return nil
        }
        return RateLimitSetting(limit: RateLimit(count: count, window: window))
    }

    mutating func kinds(_ field: Entry, in context: Context, allowsBuiltIn: Bool) -> Set<String>? {
        guard let items = list(field, example: "[post.published, thread.published]", in: context) else { return nil }
        var kinds: Set<String> = []
        var valid = true
        for (node, kind) in items {
            if !isValidKind(kind) {
                report(
                    node,
                    "\(context.prefix)\(field.name) kind \"\(kind)\" is not a valid kind — use up to 64 lowercase"
                        + " letters, digits, \".\", \"_\", \":\" and \"-\", e.g. post.published"
                )
                valid = false
            } else if !allowsBuiltIn, SignalKind.reserved.contains(kind) || kind.hasPrefix("exit:") {
                report(
                    node,
                    "\(context.prefix)\"\(kind)\" cannot be an advancing kind, it carries no value to compare"
                        + " — list it under progress:, or name a kind that sends a value, e.g. items.done"
                )
                valid = false
            } else {
                kinds.insert(kind)
            }
        }
        return valid ? kinds : nil
    }

    mutating func tags(_ field: Entry, in context: Context) -> [String]? {
        if field.value.null != nil { return [] }
        let items: [(Node, String)]
        if let scalar = field.value.scalar {
            items = scalar.string.split(whereSeparator: \.isWhitespace).map { (field.value, String($0)) }
        } else if let list = list(field, example: "[backups, nightly]", in: context) {
            items = list
        } else {
            return nil
        }
        var tags: [String] = []
        var valid = true
        for (node, tag) in items {
            guard (1...64).contains(tag.count), !tag.contains(where: { $0.isWhitespace || $0 == "," }) else {
                report(
                    node,
                    "\(context.prefix)tag \"\(tag)\" must be one word of up to 64 characters — e.g. tags:"
                        + " [backups, nightly]"
                )
                valid = false
                continue
            }
            if !tags.contains(tag) { tags.append(tag) }
        }
        return valid ? tags : nil
    }

    // MARK: - Nodes

    /// A key and its value in a mapping, the key already a string.
    struct Entry {
        let name: String
        let key: Node
        let value: Node
        var line: Int { key.mark?.line ?? 0 }
    }

    /// Where in the file a setting is, for messages.
    enum Context {
        case topLevel
        case monitors
        case monitor(String)
        case notifyEntry(Int)
        /// A section of the recovery settings, e.g. capability "x-api"; see ConfigurationLoader+Recovery.swift.
        case section(prefix: String, suffix: String, keys: [String])

        /// Starts a message about a setting here: `monitor "agent": `.
        var prefix: String {
            switch self {
            case .topLevel, .monitors: ""
            case .monitor(let slug): "monitor \"\(slug)\": "
            case .notifyEntry(let number): "notify entry \(number): "
            case .section(let prefix, _, _): prefix
            }
        }

        /// Ends "unknown key ..." : ` in monitor "agent"`.
        var suffix: String {
            switch self {
            case .topLevel: ""
            case .monitors: " under monitors"
            case .monitor(let slug): " in monitor \"\(slug)\""
            case .notifyEntry(let number): " in notify entry \(number)"
            case .section(_, let suffix, _): suffix
            }
        }

        var knownKeys: [String] {
            switch self {
            case .topLevel:
                [
                    "listen", "base_url", "ping_key", "durability", "ping_body_limit", "keep_signals", "rate_limit",
                    "monitors", "notify", "auth", "api_keys",
                ] + ConfigurationReader.recoveryTopLevelKeys
            case .monitors: []
            case .monitor:
                [
                    "every", "schedule", "tz", "grace", "max_runtime", "progress", "advancing", "rate_limit", "tags",
                    "key",
                ] + ConfigurationReader.recoveryMonitorKeys + ConfigurationReader.learningMonitorKeys
            case .notifyEntry: Self.notifyEntryKeys
            case .section(_, _, let keys): keys
            }
        }
    }

    /// The mapping's entries whose keys are names; reports keys that are not, and keys written twice.
    mutating func entries(of mapping: Node.Mapping, in context: Context) -> [Entry] {
        var result: [Entry] = []
        for (key, value) in mapping {
            guard let scalar = key.scalar, key.null == nil else {
                report(key, "\(context.prefix)a key must be a plain name, not a list, a mapping or empty")
                continue
            }
            if let duplicate = duplicateIndex(in: scalar.string) {
                reportDuplicate(duplicate, in: context)
                continue
            }
            result.append(Entry(name: scalar.string, key: key, value: value))
        }
        return result
    }

    /// The entry's value as a string; reports a list, a mapping or an empty value where one string belongs.
    mutating func scalar(_ entry: Entry, example: String, in context: Context) -> String? {
        let what = "\(context.prefix)\(entry.name)"
        switch entry.value {
        case .scalar(let scalar):
            if entry.value.null != nil || scalar.string.trimmingCharacters(in: .whitespaces).isEmpty {
                report(entry.key, "\(what) has no value — e.g. \(entry.name): \(example)")
                return nil
            }
            return scalar.string.trimmingCharacters(in: .whitespaces)
        case .sequence:
            report(entry.value, "\(what) must be a single value, not a list — e.g. \(entry.name): \(example)")
        case .mapping:
            report(entry.value, "\(what) must be a single value, not a mapping — e.g. \(entry.name): \(example)")
        case .alias:
            report(entry.value, "\(what) must be a single value — e.g. \(entry.name): \(example)")
        }
        return nil
    }

    /// The entry's value as a list of strings; a single string counts as a list of its comma- or space-separated words.
    mutating func list(_ entry: Entry, example: String, in context: Context) -> [(Node, String)]? {
        let what = "\(context.prefix)\(entry.name)"
        if entry.value.null != nil { return [] }
        if let scalar = entry.value.scalar {
            return scalar.string.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map {
                (entry.value, String($0))
            }
        }
        guard let sequence = entry.value.sequence else {
            report(entry.value, "\(what) must be a list, not a mapping — e.g. \(entry.name): \(example)")
            return nil
        }
        var items: [(Node, String)] = []
        var valid = true
        for item in sequence {
            guard let scalar = item.scalar, item.null == nil else {
                report(
                    item, "\(what) must be a list of names, not of lists or mappings — e.g. \(entry.name): \(example)")
                valid = false
                continue
            }
            items.append((item, scalar.string))
        }
        return valid ? items : nil
    }

    /// Reports a key that is not known here, suggesting the nearest known one; returns that suggestion.
    @discardableResult
    mutating func reportUnknownKey(_ entry: Entry, in context: Context) -> String? {
        var message = "unknown key \"\(entry.name)\"\(context.suffix)"
        let suggestion = nearestKey(to: entry.name, among: context.knownKeys)
        if let suggestion {
            message += " — did you mean \"\(suggestion)\"?"
        } else {
            message += " — known keys: " + context.knownKeys.joined(separator: ", ")
        }
        report(entry.key, message)
        return suggestion
    }

    // MARK: - YAML and keys written twice

    /// A key that appears twice in one mapping; its second appearance is renamed so that the rest can be read.
    private struct DuplicateKey {
        var name: String
        var firstLine: Int
        var line: Int
    }

    private static let duplicateMarker = "__vigil_duplicate_"

    /// Composes the YAML tree; `nil` after reporting a syntax error, `.some(nil)` for an empty document.
    mutating func compose(_ text: String) -> Node?? {
        var yaml = text
        while true {
            do {
                return .some(try Yams.compose(yaml: yaml))
            } catch let error as YamlError {
                switch error {
                case .duplicatedKeysInMapping(let names, let context):
                    let first = context.mark.line
                    if let name = names.first, duplicates.count < 1_000,
                        let (rewritten, line) = Self.markSecondOccurrence(
                            of: name, after: context.mark, in: yaml, index: duplicates.count)
                    {
                        duplicates.append(DuplicateKey(name: name, firstLine: first, line: line))
                        yaml = rewritten
                        continue
                    }
                    let name = names.first.map { "\"\($0)\"" } ?? "a key"
                    report(line: first, "\(name) is written twice in the same mapping — keep one")
                case .scanner(let context, let problem, let mark, _),
                    .parser(let context, let problem, let mark, _),
                    .composer(let context, let problem, let mark, _):
                    report(line: mark.line, Self.syntaxMessage(problem: problem, context: context, at: mark, in: yaml))
                case .reader(let problem, let offset, _, let yaml):
                    let line = offset.map { offset in
                        yaml.prefix(offset).reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
                    }
                    report(line: line, "YAML cannot be read: \(problem) — save the file as plain UTF-8 text")
                default:
                    report(line: nil, "YAML cannot be read: \(error) — check that the file is YAML")
                }
                return nil
            } catch {
                report(line: nil, "YAML cannot be read — check that the file is YAML")
                return nil
            }
        }
    }

    private static func syntaxMessage(problem: String, context: YamlError.Context?, at mark: Mark, in yaml: String)
        -> String
    {
        if problem == "but found another document" {
            return "the file holds more than one YAML document — keep one, without a second \"---\""
        }
        if problem == "found undefined alias" {
            return "YAML syntax error: found undefined alias — define an anchor (&name) before its alias (*name)"
        }
        var message = "YAML syntax error: \(problem)"
        if let context, !context.text.isEmpty {
            message += " (\(context.text) on line \(context.mark.line))"
        }
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let text = lines.indices.contains(mark.line - 1) ? lines[mark.line - 1] : ""
        if text.contains("\t") {
            return message + " — indent with spaces, not tabs"
        }
        if let context, context.text.contains("flow") {
            return message
                + " — close the brackets, or quote a value that starts with \"[\" or \"{\", e.g. \"[::1]:8080\""
        }
        return message + " — check the indentation, colons and quotes"
    }

    /// Renames the next appearance of `name` at the same column as `first`, so the tree composes without it.
    private static func markSecondOccurrence(
        of name: String, after first: Mark, in yaml: String, index: Int
    ) -> (String, Int)? {
        var lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let column = first.column - 1
        guard first.line >= 1, column >= 0 else { return nil }
        let marker = duplicateMarker + "\(index)__"
        for lineIndex in first.line..<lines.count {
            let scalars = Array(lines[lineIndex].unicodeScalars)
            guard scalars.count > column, scalars[..<column].allSatisfy({ $0 == " " }) else { continue }
            let rest = String(String.UnicodeScalarView(scalars[column...]))
            let head = String(String.UnicodeScalarView(scalars[..<column]))
            for quote in ["", "\"", "'"] {
                let spelled = quote + name + quote
                guard rest.hasPrefix(spelled) else { continue }
                let after = rest.dropFirst(spelled.count)
                guard after.drop(while: { $0 == " " }).hasPrefix(":") else { continue }
                lines[lineIndex] = head + quote + name + marker + quote + after
                return (lines.joined(separator: "\n"), lineIndex + 1)
            }
        }
        return nil
    }

    func duplicateIndex(in key: String) -> Int? {
        guard key.hasSuffix("__"), let range = key.range(of: Self.duplicateMarker, options: .backwards) else {
            return nil
        }
        guard let index = Int(key[range.upperBound...].dropLast(2)), duplicates.indices.contains(index) else {
            return nil
        }
        return index
    }

    mutating func reportDuplicate(_ index: Int, in context: Context) {
        reportedDuplicates.insert(index)
        let duplicate = duplicates[index]
        switch context {
        case .monitors:
            report(
                line: duplicate.line,
                "monitor \"\(duplicate.name)\" is declared twice (first on line \(duplicate.firstLine))"
                    + " — give each monitor its own name"
            )
        default:
            report(
                line: duplicate.line,
                "\(context.prefix)\(duplicate.name) is set twice (first on line \(duplicate.firstLine)) — keep one"
            )
        }
    }

    mutating func reportLeftoverDuplicates() {
        for (index, duplicate) in duplicates.enumerated() where !reportedDuplicates.contains(index) {
            report(
                line: duplicate.line,
                "\"\(duplicate.name)\" is written twice (first on line \(duplicate.firstLine)) — keep one"
            )
        }
    }
}

// MARK: - Names

private func isASCIILetterOrDigit(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
}

private func isLowercaseOrDigit(_ scalar: Unicode.Scalar) -> Bool {
    ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
}

/// `[a-z0-9][a-z0-9_-]{0,63}`
private func isValidSlug(_ text: String) -> Bool {
    let scalars = Array(text.unicodeScalars)
    guard let first = scalars.first, scalars.count <= 64, isLowercaseOrDigit(first) else { return false }
    return scalars.dropFirst().allSatisfy { isLowercaseOrDigit($0) || $0 == "-" || $0 == "_" }
}

/// `[a-z0-9][a-z0-9._:-]{0,63}`
private func isValidKind(_ text: String) -> Bool {
    let scalars = Array(text.unicodeScalars)
    guard let first = scalars.first, scalars.count <= 64, isLowercaseOrDigit(first) else { return false }
    return scalars.dropFirst().allSatisfy { isLowercaseOrDigit($0) || ".-_:".unicodeScalars.contains($0) }
}

func httpURL(_ text: String) -> URL? {
    guard let components = URLComponents(string: text),
        let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
        let host = components.host, !host.isEmpty,
        let url = components.url
    else { return nil }
    return url
}

/// The known key a mistyped one most likely meant, if any is close.
func nearestKey(to name: String, among known: [String]) -> String? {
    let synonyms = [
        "timezone": "tz", "time_zone": "tz", "cron": "schedule", "period": "every", "interval": "every",
        "timeout": "max_runtime", "runtime": "max_runtime", "baseurl": "base_url", "url": "base_url",
        "webhooks": "webhook", "monitor": "monitors", "notifications": "notify", "pingkey": "ping_key",
        "tag": "tags", "ratelimit": "rate_limit",
    ]
    // camelCase and kebab-case spellings of a snake_case key count as that key.
    var normalized = ""
    for character in name {
        if character.isUppercase, !normalized.isEmpty, normalized.last != "_" { normalized.append("_") }
        normalized.append(character == "-" || character == " " ? "_" : Character(character.lowercased()))
    }
    if known.contains(normalized) { return normalized }
    if let synonym = synonyms[normalized.replacingOccurrences(of: "_", with: "")] ?? synonyms[normalized],
        known.contains(synonym)
    {
        return synonym
    }
    let scored = known.map { ($0, editDistance(normalized, $0)) }
    guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
    let tolerance = max(1, min(3, best.0.count / 3))
    return best.1 <= tolerance ? best.0 : nil
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours cost one.
private func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { d[i][0] = i }
    for j in 0...b.count { d[0][j] = j }
    for i in stride(from: 1, through: a.count, by: 1) {
        for j in stride(from: 1, through: b.count, by: 1) {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
            }
        }
    }
    return d[a.count][b.count]
}
