import Foundation
import VigilCore
import Yams

/// A name that one setting uses and another must declare, with the line that uses it.
struct RecoveryReference {
    enum Kind: String {
        case capability
        case action
        case escalation = "escalation policy"
        case monitor
        case channel = "notify channel"
    }

    var kind: Kind
    var name: String
    var line: Int
    /// Starts the message: `monitor "agent": depends_on`.
    var user: String
}

/// A monitor's own recovery settings while its block is read.
struct MonitorRecovery {
    var dependsOn: [String] = []
    var plan: RecoveryPlan?
    var escalation: String?
}

// Reading `capabilities:`, `actions:`, `guards:`, `escalation:`, `recovery_limit:`, `recurring_blocker:` and the
// monitors' `depends_on:`, `recovery:` and `escalation:`.
extension ConfigurationReader {
    static let recoveryTopLevelKeys = [
        "capabilities", "actions", "guards", "escalation", "recovery_limit", "recurring_blocker",
    ]
    static let recoveryMonitorKeys = ["depends_on", "recovery", "escalation"]

    static let capabilityKeys = [
        "command", "http", "expect", "tcp", "file", "max_age", "expires", "expires_command", "expires_file",
        "warn_before", "timeout", "needs", "ttl",
    ]
    static let actionKeys = [
        "run", "shell", "cwd", "env", "output_limit", "http", "method", "headers", "body", "expect", "pause",
        "resume", "notify", "requires", "cost", "timeout",
    ]
    static let guardKeys = ["monitor", "when", "min_samples", "cool_down", "halt", "resume"]
    static let escalationKeys = ["levels", "repeat"]
    static let levelKeys = ["notify", "after"]
    static let planKeys = ["actions", "verify_within", "backoff", "limit", "hold_off", "settle"]
    static let backoffKeys = ["base", "factor", "cap", "jitter"]

    // MARK: - Top level

    mutating func readRecoverySetting(_ entry: Entry, into settings: inout RecoverySettings) {
        switch entry.name {
        case "capabilities":
            for (name, item) in named(entry, what: "capability", example: "x-api:") {
                declaredNames[.capability, default: []].insert(name)
                if let capability = capability(name, item) { settings.capabilities[name] = capability }
            }
        case "actions":
            for (name, item) in named(entry, what: "action", example: "restart-worker:") {
                declaredNames[.action, default: []].insert(name)
                if let action = action(name, item) { settings.actions[name] = action }
            }
        case "guards":
            for (name, item) in named(entry, what: "guard", example: "volatility:") {
                if let rule = guardRule(name, item) { settings.guards.append(rule) }
            }
        case "escalation":
            for (name, item) in named(entry, what: "escalation policy", example: "oncall:") {
                declaredNames[.escalation, default: []].insert(name)
                if let policy = escalationPolicy(name, item) { settings.escalation[name] = policy }
            }
        case "recovery_limit":
            if let text = scalar(entry, example: "60/1h", in: .topLevel),
                let (count, window) = countPerDuration(text, at: entry, example: "60/1h")
            {
                settings.globalLimit = IntensityLimit(count: count, window: window)
            }
        case "recurring_blocker":
            if let text = scalar(entry, example: "3/1d", in: .topLevel),
                let (count, window) = countPerDuration(text, at: entry, example: "3/1d")
            {
                settings.recurringBlocker = RecurringBlockerRule(count: count, window: window)
            }
        default:
            reportUnknownKey(entry, in: .topLevel)
        }
    }

    /// Checks that every name used is declared, once the whole file is read.
    mutating func checkRecoveryReferences(_ configuration: Configuration) {
        let recovery = configuration.recovery
        let monitors = Set(configuration.monitors.map(\.slug))
        for reference in recoveryReferences {
            let known: [String]
            switch reference.kind {
            case .capability: known = Array(recovery.capabilities.keys)
            case .action: known = Array(recovery.actions.keys)
            case .escalation: known = Array(recovery.escalation.keys) + [RecoverySettings.defaultPolicyName]
            case .monitor: known = Array(monitors)
            case .channel: known = configuration.notify.compactMap(\.name) + ["all"]
            }
            // A name declared with a mistake inside was reported there; it is not undeclared too.
            guard !known.contains(reference.name), declaredNames[reference.kind]?.contains(reference.name) != true
            else { continue }
            var message = "\(reference.user) names \(reference.kind.rawValue) \"\(reference.name)\", which is not declared"
            if let near = nearestKey(to: reference.name, among: known) {
                message += " — did you mean \"\(near)\"?"
            } else {
                let section = switch reference.kind {
                case .capability: "capabilities:"
                case .action: "actions:"
                case .escalation: "escalation:"
                case .monitor: "monitors:"
                case .channel: "notify: (with name:)"
                }
                message += " — declare it under \(section) or fix the name"
            }
            report(line: reference.line, message)
        }
        for (name, capability) in recovery.capabilities where capabilityCycle(from: name, in: recovery.capabilities) {
            let user = "capability \"\(name)\": needs"
            let needs = recoveryReferences.first { $0.kind == .capability && $0.user == user }
            report(
                line: needs?.line,
                "capability \"\(name)\" needs itself through \(capability.needs.joined(separator: ", "))"
                    + " — remove the loop from needs:")
        }
    }

    // MARK: - Monitors

    /// Reads `depends_on:`, `recovery:` or `escalation:` of a monitor; false when it has a mistake.
    mutating func readMonitorRecovery(_ field: Entry, in context: Context, into recovery: inout MonitorRecovery)
        -> Bool
    {
        let user = "\(context.prefix)\(field.name)"
        switch field.name {
        case "depends_on":
            guard let names = list(field, example: "[x-api, database]", in: context) else { return false }
            recovery.dependsOn = names.map(\.1)
            for (node, name) in names { refer(.capability, name, node, user: user) }
            return true
        case "escalation":
            guard let name = scalar(field, example: "oncall", in: context) else { return false }
            recovery.escalation = name
            refer(.escalation, name, field.value, user: user)
            return true
        default:
            guard let plan = recoveryPlan(field, in: context) else { return false }
            recovery.plan = plan
            return true
        }
    }

    private mutating func recoveryPlan(_ field: Entry, in context: Context) -> RecoveryPlan? {
        let user = "\(context.prefix)recovery"
        if field.value.sequence != nil || field.value.scalar != nil {
            guard let names = list(field, example: "[restart-worker, notify-me]", in: context) else { return nil }
            for (node, name) in names { refer(.action, name, node, user: user) }
            return RecoveryPlan(actions: names.map(\.1))
        }
        let section = Context.section(prefix: "\(user): ", suffix: " in \(user)", keys: Self.planKeys)
        guard let mapping = field.value.mapping else { return nil }
        var plan = RecoveryPlan(actions: [])
        var valid = true
        var sawActions = false
        for item in entries(of: mapping, in: section) {
            switch item.name {
            case "actions":
                sawActions = true
                guard let names = list(item, example: "[restart-worker]", in: section) else { valid = false; continue }
                for (node, name) in names { refer(.action, name, node, user: "\(user).actions") }
                plan.actions = names.map(\.1)
            case "verify_within":
                if let value = durationValue(item, example: "5m", in: section) { plan.verifyWithin = value } else { valid = false }
            case "hold_off":
                if let value = durationValue(item, example: "5m", in: section) { plan.holdOff = value } else { valid = false }
            case "settle":
                if let value = durationValue(item, example: "30s", in: section) { plan.settle = value } else { valid = false }
            case "limit":
                if let text = scalar(item, example: "5/1h", in: section),
                    let (count, window) = countPerDuration(text, at: item, example: "5/1h")
                {
                    plan.limit = IntensityLimit(count: count, window: window)
                } else {
                    valid = false
                }
            case "backoff":
                if let backoff = backoff(item, in: section) { plan.backoff = backoff } else { valid = false }
            default:
                reportUnknownKey(item, in: section)
                valid = false
            }
        }
        if !sawActions {
            report(field.key, "\(user) lists no actions — e.g. recovery: [restart-worker] or actions: under it")
            valid = false
        }
        return valid ? plan : nil
    }

    private mutating func backoff(_ field: Entry, in context: Context) -> Backoff? {
        let section = Context.section(
            prefix: "\(context.prefix)backoff: ", suffix: " in \(context.prefix)backoff", keys: Self.backoffKeys)
        guard let mapping = field.value.mapping else {
            report(field.value, "\(context.prefix)backoff must be a mapping — e.g. {base: 10s, factor: 2, cap: 10m}")
            return nil
        }
        var backoff = RecoveryPlan.defaultBackoff
        var valid = true
        for item in entries(of: mapping, in: section) {
            switch item.name {
            case "base":
                if let value = durationValue(item, example: "10s", in: section) { backoff.base = value } else { valid = false }
            case "cap":
                if let value = durationValue(item, example: "10m", in: section) { backoff.cap = value } else { valid = false }
            case "factor":
                if let value = number(item, in: 1...100, example: "2", in: section) { backoff.factor = value } else { valid = false }
            case "jitter":
                if let value = number(item, in: 0...1, example: "0.5", in: section) { backoff.jitter = value } else { valid = false }
            default:
                reportUnknownKey(item, in: section)
                valid = false
            }
        }
        return valid ? backoff : nil
    }

    // MARK: - Capabilities

    private mutating func capability(_ name: String, _ entry: Entry) -> Capability? {
        let context = Context.section(
            prefix: "capability \"\(name)\": ", suffix: " in capability \"\(name)\"", keys: Self.capabilityKeys)
        guard let mapping = sectionMapping(entry, what: "capability \"\(name)\"", example: "command: [./probes/x-api.sh]")
        else { return nil }
        var valid = true
        var probes: [(Entry, Probe?)] = []
        var timeout: TimeInterval = 5
        var expect: ClosedRange<Int> = 200...399
        var maxAge: TimeInterval?
        var warnBefore: TimeInterval = 7 * 86_400
        var needs: [String] = []
        var ttl: TimeInterval = 30
        var probeKind: ((TimeInterval, ClosedRange<Int>, TimeInterval?, TimeInterval) -> Probe)?
        for item in entries(of: mapping, in: context) {
            switch item.name {
            case "command":
                guard let argv = argv(item, in: context) else { valid = false; continue }
                probes.append((item, nil))
                probeKind = { timeout, _, _, _ in .command(argv: argv, timeout: timeout) }
            case "http":
                guard let text = scalar(item, example: "http://127.0.0.1:5432/health", in: context),
                    let url = httpURL(text)
                else {
                    report(item.value, "\(context.prefix)http must be an http or https URL — e.g. http://127.0.0.1:8000/health")
                    valid = false
                    continue
                }
                probes.append((item, nil))
                probeKind = { timeout, expect, _, _ in .http(url: url, expect: expect, timeout: timeout) }
            case "tcp":
                guard let text = scalar(item, example: "127.0.0.1:5432", in: context),
                    let address = ListenAddress(parsing: text), address.port > 0
                else {
                    report(item.value, "\(context.prefix)tcp must be host:port — e.g. 127.0.0.1:5432")
                    valid = false
                    continue
                }
                probes.append((item, nil))
                probeKind = { timeout, _, _, _ in .tcp(host: address.host, port: address.port, timeout: timeout) }
            case "file":
                guard let path = scalar(item, example: "/var/run/worker.heartbeat", in: context) else {
                    valid = false
                    continue
                }
                probes.append((item, nil))
                probeKind = { _, _, maxAge, _ in .file(path: path, maxAge: maxAge) }
            case "expires":
                guard let text = scalar(item, example: "2027-01-31T00:00:00Z", in: context),
                    let date = Self.date(text)
                else {
                    report(item.value, "\(context.prefix)expires must be a date — e.g. 2027-01-31 or 2027-01-31T00:00:00Z")
                    valid = false
                    continue
                }
                probes.append((item, nil))
                probeKind = { timeout, _, _, warn in .expires(source: .date(date), warnBefore: warn, timeout: timeout) }
            case "expires_command":
                guard let argv = argv(item, in: context) else { valid = false; continue }
                probes.append((item, nil))
                probeKind = { timeout, _, _, warn in
                    .expires(source: .command(argv), warnBefore: warn, timeout: timeout)
                }
            case "expires_file":
                guard let path = scalar(item, example: "/etc/ssl/site.pem.expiry", in: context) else {
                    valid = false
                    continue
                }
                probes.append((item, nil))
                probeKind = { timeout, _, _, warn in .expires(source: .file(path), warnBefore: warn, timeout: timeout) }
            case "expect":
                if let range = statusRange(item, in: context) { expect = range } else { valid = false }
            case "max_age":
                if let value = durationValue(item, example: "10m", in: context) { maxAge = value } else { valid = false }
            case "warn_before":
                if let value = durationValue(item, example: "7d", in: context) { warnBefore = value } else { valid = false }
            case "timeout":
                if let value = durationValue(item, example: "5s", in: context) { timeout = value } else { valid = false }
            case "ttl":
                if let value = durationValue(item, example: "30s", in: context) { ttl = value } else { valid = false }
            case "needs":
                guard let names = list(item, example: "[network]", in: context) else { valid = false; continue }
                needs = names.map(\.1)
                for (node, parent) in names { refer(.capability, parent, node, user: "\(context.prefix)needs") }
            default:
                reportUnknownKey(item, in: context)
                valid = false
            }
        }
        if probes.count > 1 {
            report(probes[1].0.key, "\(context.prefix)has more than one probe (\(probes.map(\.0.name).joined(separator: ", ")))"
                + " — keep one of command, http, tcp, file, expires, expires_command, expires_file")
            valid = false
        }
        guard let probeKind else {
            if probes.isEmpty {
                report(entry.key, "capability \"\(name)\" has no probe — add one of command:, http:, tcp:, file:,"
                    + " expires:, expires_command: or expires_file:")
            }
            return nil
        }
        guard valid else { return nil }
        return Capability(name: name, probe: probeKind(timeout, expect, maxAge, warnBefore), needs: needs, ttl: ttl)
    }

    // MARK: - Actions

    private mutating func action(_ name: String, _ entry: Entry) -> Action? {
        let context = Context.section(prefix: "action \"\(name)\": ", suffix: " in action \"\(name)\"", keys: Self.actionKeys)
        guard let mapping = sectionMapping(entry, what: "action \"\(name)\"", example: "run: [./restart.sh]") else {
            return nil
        }
        var valid = true
        var kinds: [Entry] = []
        var runArgv: [String]?
        var shell = false
        var cwd: String?
        var environment: [String: String] = [:]
        var outputLimit = 65_536
        var url: URL?
        var method = "POST"
        var headers: [String: String] = [:]
        var body: String?
        var expect: ClosedRange<Int> = 200...299
        var pauseTarget: String?
        var resumeTarget: String?
        var message: String?
        var requires: [String] = []
        var cost: Double = 1
        var timeout: TimeInterval = 60
        for item in entries(of: mapping, in: context) {
            switch item.name {
            case "run":
                kinds.append(item)
                if let text = item.value.scalar?.string, item.value.null == nil {
                    // A string is a shell line when shell: true, else it is split at spaces into argv.
                    runArgv = [text]
                } else if let argv = argv(item, in: context) {
                    runArgv = argv
                } else {
                    valid = false
                }
            case "shell":
                if let flag = boolean(item, in: context) { shell = flag } else { valid = false }
            case "cwd":
                cwd = scalar(item, example: "/srv/worker", in: context)
            case "env":
                if let map = stringMap(item, in: context) { environment = map } else { valid = false }
            case "output_limit":
                if let text = scalar(item, example: "65536", in: context),
                    let value = integer(text, at: item, in: 0...100_000_000, unit: "bytes", example: "65536")
                {
                    outputLimit = value
                } else {
                    valid = false
                }
            case "http":
                kinds.append(item)
                if let text = scalar(item, example: "http://127.0.0.1:8000/restart", in: context), let parsed = httpURL(text) {
                    url = parsed
                } else {
                    report(item.value, "\(context.prefix)http must be an http or https URL — e.g. http://127.0.0.1:8000/restart")
                    valid = false
                }
            case "method":
                if let text = scalar(item, example: "POST", in: context) { method = text.uppercased() } else { valid = false }
            case "headers":
                if let map = stringMap(item, in: context) { headers = map } else { valid = false }
            case "body":
                body = scalar(item, example: "{\"restart\": true}", in: context)
            case "expect":
                if let range = statusRange(item, in: context) { expect = range } else { valid = false }
            case "pause":
                kinds.append(item)
                pauseTarget = scalar(item, example: "trading-bot", in: context)
                if let target = pauseTarget { refer(.monitor, target, item.value, user: "\(context.prefix)pause") }
            case "resume":
                kinds.append(item)
                resumeTarget = scalar(item, example: "trading-bot", in: context)
                if let target = resumeTarget { refer(.monitor, target, item.value, user: "\(context.prefix)resume") }
            case "notify":
                kinds.append(item)
                message = scalar(item, example: "\"the worker needs a hand\"", in: context)
            case "requires":
                guard let names = list(item, example: "[content-creation]", in: context) else { valid = false; continue }
                requires = names.map(\.1)
                for (node, capability) in names { refer(.capability, capability, node, user: "\(context.prefix)requires") }
            case "cost":
                if let value = number(item, in: 0...1_000_000, example: "1", in: context) { cost = value } else { valid = false }
            case "timeout":
                if let value = durationValue(item, example: "60s", in: context) { timeout = value } else { valid = false }
            default:
                reportUnknownKey(item, in: context)
                valid = false
            }
        }
        if kinds.count > 1 {
            report(kinds[1].key, "\(context.prefix)does more than one thing (\(kinds.map(\.name).joined(separator: ", ")))"
                + " — keep one of run, http, pause, resume, notify, and declare another action for the rest")
            return nil
        }
        guard valid, let what = kinds.first else {
            if kinds.isEmpty {
                report(entry.key, "action \"\(name)\" does nothing — add one of run:, http:, pause:, resume: or notify:")
            }
            return nil
        }
        let kind: ActionKind
        switch what.name {
        case "run":
            guard var argv = runArgv else { return nil }
            if !shell, argv.count == 1 { argv = argv[0].split(separator: " ").map(String.init) }
            kind = .run(CommandSpec(
                argv: argv, shell: shell, workingDirectory: cwd, environment: environment, outputLimit: outputLimit))
        case "http":
            guard let url else { return nil }
            kind = .http(HTTPRequestSpec(method: method, url: url, headers: headers, body: body, expect: expect))
        case "pause":
            guard let pauseTarget else { return nil }
            kind = .pause(monitor: pauseTarget)
        case "resume":
            guard let resumeTarget else { return nil }
            kind = .resume(monitor: resumeTarget)
        default:
            guard let message else { return nil }
            kind = .notify(message: message)
        }
        return Action(name: name, kind: kind, requires: requires, cost: cost, timeout: timeout)
    }

    // MARK: - Guards

    private mutating func guardRule(_ name: String, _ entry: Entry) -> GuardRule? {
        let context = Context.section(prefix: "guard \"\(name)\": ", suffix: " in guard \"\(name)\"", keys: Self.guardKeys)
        guard let mapping = sectionMapping(entry, what: "guard \"\(name)\"", example: "when: \"volatility > 3 over 5m\"")
        else { return nil }
        var valid = true
        var monitor: String?
        var rule: (kind: String, condition: GuardRule.Condition, window: TimeInterval)?
        var minimumSamples = 1
        var coolDown: TimeInterval = 600
        var halt: [String] = []
        var resume: [String] = []
        var sawMonitor = false
        var sawWhen = false
        for item in entries(of: mapping, in: context) {
            switch item.name {
            case "monitor":
                sawMonitor = true
                monitor = scalar(item, example: "trading-bot", in: context)
                if let monitor { refer(.monitor, monitor, item.value, user: "\(context.prefix)monitor") }
            case "when":
                sawWhen = true
                if let text = scalar(item, example: "\"volatility > 3.0 over 5m\"", in: context),
                    let parsed = guardCondition(text, at: item, in: context)
                {
                    rule = parsed
                } else {
                    valid = false
                }
            case "min_samples":
                if let text = scalar(item, example: "3", in: context),
                    let value = integer(text, at: item, in: 1...100_000, unit: "samples", example: "3")
                {
                    minimumSamples = value
                } else {
                    valid = false
                }
            case "cool_down":
                if let value = durationValue(item, example: "10m", in: context) { coolDown = value } else { valid = false }
            case "halt", "resume":
                guard let names = list(item, example: "[pause-bot]", in: context) else { valid = false; continue }
                for (node, action) in names { refer(.action, action, node, user: "\(context.prefix)\(item.name)") }
                if item.name == "halt" { halt = names.map(\.1) } else { resume = names.map(\.1) }
            default:
                reportUnknownKey(item, in: context)
                valid = false
            }
        }
        guard let monitor, let rule else {
            // A when: or monitor: that was written but is wrong has been reported already.
            if sawMonitor && sawWhen { return nil }
            report(entry.key, "guard \"\(name)\" needs monitor: and when: — e.g. monitor: trading-bot and"
                + " when: \"volatility > 3.0 over 5m\"")
            return nil
        }
        guard valid else { return nil }
        return GuardRule(
            name: name, monitor: monitor, kind: rule.kind, condition: rule.condition, window: rule.window,
            minimumSamples: minimumSamples, coolDown: coolDown, halt: halt, resume: resume
        )
    }

    /// `KIND > N over D`, `KIND < N over D`, `failure_ratio > R over D` or `KIND drops`.
    private mutating func guardCondition(_ text: String, at item: Entry, in context: Context)
        -> (kind: String, condition: GuardRule.Condition, window: TimeInterval)?
    {
        let words = text.split(separator: " ").map(String.init)
        let example = "e.g. \"volatility > 3.0 over 5m\", \"failure_ratio > 0.5 over 10m\" or \"engagement drops\""
        if words.count == 2, words[1] == "drops" {
            guard SignalKind.isValidTypedName(words[0]), words[0] != "failure_ratio" else {
                report(item.value, "\(context.prefix)when \"\(text)\": \"\(words[0])\" is not a signal kind — \(example)")
                return nil
            }
            return (words[0], .drops, 0)
        }
        guard words.count == 5, words[3] == "over", let threshold = Double(words[2]),
            words[1] == ">" || words[1] == "<"
        else {
            report(item.value, "\(context.prefix)when \"\(text)\" is not a rule — \(example)")
            return nil
        }
        guard let window = try? DurationFormat.parse(words[4]) else {
            report(item.value, "\(context.prefix)when \"\(text)\": \"\(words[4])\" is not a duration — \(example)")
            return nil
        }
        if words[0] == "failure_ratio" {
            guard words[1] == ">", (0...1).contains(threshold) else {
                report(item.value, "\(context.prefix)failure_ratio takes > and a share from 0 to 1 — \(example)")
                return nil
            }
            return ("failure_ratio", .failureRatioAbove(threshold), window)
        }
        guard SignalKind.isValidTypedName(words[0]) else {
            report(item.value, "\(context.prefix)when \"\(text)\": \"\(words[0])\" is not a signal kind — \(example)")
            return nil
        }
        return (words[0], words[1] == ">" ? .meanAbove(threshold) : .meanBelow(threshold), window)
    }

    // MARK: - Escalation

    private mutating func escalationPolicy(_ name: String, _ entry: Entry) -> EscalationPolicy? {
        let context = Context.section(
            prefix: "escalation \"\(name)\": ", suffix: " in escalation \"\(name)\"", keys: Self.escalationKeys)
        guard let mapping = sectionMapping(entry, what: "escalation \"\(name)\"", example: "levels:") else { return nil }
        var levels: [EscalationPolicy.Level] = []
        var repeatEvery: TimeInterval?
        var valid = true
        for item in entries(of: mapping, in: context) {
            switch item.name {
            case "levels":
                guard let sequence = item.value.sequence else {
                    report(item.value, "\(context.prefix)levels must be a list — e.g. \"- notify: [ops]\" then"
                        + " \"  after: 15m\"")
                    valid = false
                    continue
                }
                for (index, node) in sequence.enumerated() {
                    let levelContext = Context.section(
                        prefix: "\(context.prefix)level \(index + 1): ", suffix: " in level \(index + 1) of \(name)",
                        keys: Self.levelKeys)
                    guard let levelMapping = node.mapping else {
                        report(node, "\(levelContext.prefix)must be a mapping — e.g. {notify: [ops], after: 15m}")
                        valid = false
                        continue
                    }
                    var channels: [String] = ["all"]
                    var after: TimeInterval = 0
                    for field in entries(of: levelMapping, in: levelContext) {
                        switch field.name {
                        case "notify":
                            if let names = list(field, example: "[ops, oncall-email]", in: levelContext) {
                                channels = names.map(\.1)
                                for (node, channel) in names {
                                    refer(.channel, channel, node, user: "\(levelContext.prefix)notify")
                                }
                            } else {
                                valid = false
                            }
                        case "after":
                            if let text = scalar(field, example: "15m", in: levelContext) {
                                if text == "0" || text == "0s" {
                                    after = 0
                                } else if let value = duration(text, at: field, in: levelContext) {
                                    after = value
                                } else {
                                    valid = false
                                }
                            }
                        default:
                            reportUnknownKey(field, in: levelContext)
                            valid = false
                        }
                    }
                    levels.append(EscalationPolicy.Level(channels: channels, after: after))
                }
            case "repeat":
                if let value = durationValue(item, example: "1h", in: context) { repeatEvery = value } else { valid = false }
            default:
                reportUnknownKey(item, in: context)
                valid = false
            }
        }
        guard valid else { return nil }
        if levels.isEmpty {
            report(entry.key, "escalation \"\(name)\" has no levels — e.g. levels: [{notify: [ops], after: 0s}]")
            return nil
        }
        return EscalationPolicy(levels: levels, repeatEvery: repeatEvery)
    }

    // MARK: - Values

    /// The entries of a section whose keys are names, e.g. `capabilities:`.
    private mutating func named(_ entry: Entry, what: String, example: String) -> [(String, Entry)] {
        if entry.value.null != nil { return [] }
        guard let mapping = entry.value.mapping else {
            report(entry.value, "\(entry.name) must map each \(what)'s name to its settings — e.g. \(example) on its"
                + " own line with its settings indented below")
            return []
        }
        let context = Context.section(prefix: "", suffix: " under \(entry.name)", keys: [])
        return entries(of: mapping, in: context).compactMap { item in
            guard Self.isValidName(item.name) else {
                report(item.key, "\(what) name \"\(item.name)\" must be lowercase letters, digits, \"-\", \"_\" or \".\""
                    + " — e.g. x-api")
                return nil
            }
            return (item.name, item)
        }
    }

    private mutating func sectionMapping(_ entry: Entry, what: String, example: String) -> Node.Mapping? {
        guard let mapping = entry.value.mapping else {
            report(entry.value, "\(what): its settings must be indented below its name — e.g. \(example)")
            return nil
        }
        return mapping
    }

    mutating func refer(_ kind: RecoveryReference.Kind, _ name: String, _ node: Node, user: String) {
        recoveryReferences.append(RecoveryReference(kind: kind, name: name, line: node.mark?.line ?? 0, user: user))
    }

    private mutating func durationValue(_ item: Entry, example: String, in context: Context) -> TimeInterval? {
        guard let text = scalar(item, example: example, in: context) else { return nil }
        return duration(text, at: item, in: context)
    }

    private mutating func argv(_ item: Entry, in context: Context) -> [String]? {
        if let text = item.value.scalar?.string, item.value.null == nil {
            let words = text.split(separator: " ").map(String.init)
            if words.isEmpty { report(item.key, "\(context.prefix)\(item.name) is empty — e.g. [./probe.sh, --quick]") }
            return words.isEmpty ? nil : words
        }
        guard let items = list(item, example: "[./probe.sh, --quick]", in: context) else { return nil }
        guard !items.isEmpty else {
            report(item.key, "\(context.prefix)\(item.name) is empty — e.g. [./probe.sh, --quick]")
            return nil
        }
        return items.map(\.1)
    }

    mutating func boolean(_ item: Entry, in context: Context) -> Bool? {
        switch scalar(item, example: "true", in: context)?.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        case nil: return nil
        case let other?:
            report(item.value, "\(context.prefix)\(item.name) \"\(other)\" is not true or false")
            return nil
        }
    }

    private mutating func number(_ item: Entry, in range: ClosedRange<Double>, example: String, in context: Context)
        -> Double?
    {
        guard let text = scalar(item, example: example, in: context) else { return nil }
        guard let value = Double(text), range.contains(value) else {
            report(item.value, "\(context.prefix)\(item.name) \"\(text)\" is not a number from \(Self.plain(range.lowerBound))"
                + " to \(Self.plain(range.upperBound)) — e.g. \(item.name): \(example)")
            return nil
        }
        return value
    }

    private mutating func statusRange(_ item: Entry, in context: Context) -> ClosedRange<Int>? {
        guard let text = scalar(item, example: "200-299", in: context) else { return nil }
        let parts = text.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        if parts.count == 1, let code = parts[0], (100...599).contains(code) { return code...code }
        if parts.count == 2, let low = parts[0], let high = parts[1], 100 <= low, low <= high, high <= 599 {
            return low...high
        }
        report(item.value, "\(context.prefix)expect \"\(text)\" is not an HTTP status or range — e.g. 200 or 200-299")
        return nil
    }

    private mutating func stringMap(_ item: Entry, in context: Context) -> [String: String]? {
        guard let mapping = item.value.mapping else {
            report(item.value, "\(context.prefix)\(item.name) must be a mapping — e.g. \(item.name): {KEY: value}")
            return nil
        }
        var result: [String: String] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string, let text = value.scalar?.string else {
                report(key, "\(context.prefix)\(item.name) must map names to plain values")
                return nil
            }
            result[name] = text
        }
        return result
    }

    /// `COUNT/DURATION`, e.g. `5/1h`.
    private mutating func countPerDuration(_ text: String, at item: Entry, example: String) -> (Int, TimeInterval)? {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let count = Int(parts[0]), count > 0,
            let window = try? DurationFormat.parse(parts[1].first?.isNumber == true ? parts[1] : "1" + parts[1])
        else {
            report(item.value, "\(item.name) \"\(text)\" is not COUNT/DURATION — e.g. \(item.name): \(example)")
            return nil
        }
        return (count, window)
    }

    private func capabilityCycle(from start: String, in capabilities: [String: Capability]) -> Bool {
        var stack = capabilities[start]?.needs ?? []
        var seen = Set<String>()
        while let name = stack.popLast() {
            if name == start { return true }
            guard seen.insert(name).inserted else { continue }
            stack.append(contentsOf: capabilities[name]?.needs ?? [])
        }
        return false
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, (1...64).contains(name.unicodeScalars.count),
            CharacterSet.lowercaseLetters.contains(first) || CharacterSet.decimalDigits.contains(first)
        else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar)
        }
    }

    static func date(_ text: String) -> Date? {
        if let date = try? Date.ISO8601FormatStyle().parse(text) { return date }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) { return date }
        return try? Date.ISO8601FormatStyle().year().month().day().parse(text)
    }

    private static func plain(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
