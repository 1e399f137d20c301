import Foundation
import VigilCore
import Yams

extension ConfigurationReader.Context {
    /// The keys of a `notify:` entry: one channel kind and its options.
    static let notifyEntryKeys = Channel.kinds + ["name", "template", "priority", "tags", "timeout"]
    static let emailKeys = ["smtp", "from", "to", "username", "password", "timeout"]
}

// Reading `notify:`: a list of channels, each `- KIND: …` with options and an optional `name:`.
extension ConfigurationReader {
    mutating func notifyTargets(_ entry: Entry) -> [NotifyTarget] {
        if entry.value.null != nil { return [] }
        guard let sequence = entry.value.sequence else {
            report(
                entry.value,
                "notify must be a list — write each target on its own line, e.g. \"- webhook:"
                    + " https://example.com/hook\""
            )
            return []
        }
        var targets: [NotifyTarget] = []
        var names: [String: Int] = [:]
        for (index, item) in sequence.enumerated() {
            let number = index + 1
            guard let mapping = item.mapping else {
                report(item, "notify entry \(number) must name its kind — e.g. \"- webhook: https://example.com/hook\"")
                continue
            }
            guard let target = notifyTarget(mapping, at: item, number: number) else { continue }
            if let name = target.name {
                if let first = names[name] {
                    report(
                        item,
                        "notify entry \(number): name \"\(name)\" is already used by notify entry \(first)"
                            + " — give each channel its own name"
                    )
                    continue
                }
                names[name] = number
            }
            targets.append(target)
        }
        return targets
    }

    private mutating func notifyTarget(_ mapping: Node.Mapping, at item: Node, number: Int) -> NotifyTarget? {
        let context = Context.notifyEntry(number)
        let prefix = context.prefix
        var kinds: [Entry] = []
        var options: [String: Entry] = [:]
        var unknown = false
        for field in entries(of: mapping, in: context) {
            if Channel.kinds.contains(field.name) {
                kinds.append(field)
            } else if Context.notifyEntryKeys.contains(field.name) {
                options[field.name] = field
            } else {
                unknown = true
                reportUnknownKey(field, in: context)
            }
        }
        guard let kind = kinds.first else {
            if !unknown {
                report(
                    item,
                    "notify entry \(number) has no channel — add one of \(Channel.kinds.joined(separator: ", ")),"
                        + " e.g. \"- webhook: https://example.com/hook\""
                )
            }
            return nil
        }
        for extra in kinds.dropFirst() {
            report(
                extra.key,
                "\(prefix)names two channels, \(kind.name) and \(extra.name) — write each channel as its own entry"
            )
        }
        guard kinds.count == 1 else { return nil }

        var valid = true
        let allowed: [String: [String]] = [
            "template": ["webhook"], "priority": ["ntfy"], "tags": ["ntfy"], "timeout": ["command", "email"],
        ]
        for (name, field) in options.sorted(by: { $0.value.line < $1.value.line }) {
            guard let kinds = allowed[name], !kinds.contains(kind.name) else { continue }
            report(
                field.key,
                "\(prefix)\(name) applies only to \(kinds.joined(separator: " and ")), not to \(kind.name)"
                    + " — remove it"
            )
            valid = false
        }

        var name: String?
        if let field = options["name"], let text = scalar(field, example: "ops-pager", in: context) {
            if isValidChannelName(text) {
                name = text
            } else {
                report(
                    field.value,
                    "\(prefix)name \"\(text)\" must be up to 64 lowercase letters, digits, \"-\" or \"_\""
                        + " — e.g. name: ops-pager"
                )
                valid = false
            }
        }
        var timeout: TimeInterval?
        if let field = options["timeout"] {
            timeout = positiveDuration(field, in: context)
            if timeout == nil { valid = false }
        }

        let channel: Channel?
        switch kind.name {
        case "webhook":
            var template: NoticeTemplate?
            let example = "'{\"text\": \"{{monitor}} is {{new_state}}\"}'"
            if let field = options["template"], let text = scalar(field, example: example, in: context) {
                do {
                    template = try NoticeTemplate(text)
                } catch {
                    report(field.value, "\(prefix)template \(error.message)")
                    valid = false
                }
            }
            channel = channelURL(kind, in: context, example: "http://127.0.0.1:9000/hook").map {
                .webhook($0, template: template)
            }
        case "slack":
            channel = channelURL(kind, in: context, example: "https://hooks.slack.com/services/T000/B000/XXXX")
                .map { .slack($0) }
        case "discord":
            channel = channelURL(kind, in: context, example: "https://discord.com/api/webhooks/123/abc")
                .map { .discord($0) }
        case "ntfy":
            let priority = options["priority"].flatMap { ntfyPriority($0, in: context) }
            if options["priority"] != nil, priority == nil { valid = false }
            var tags: [String] = []
            if let field = options["tags"] {
                if let items = list(field, example: "[warning, vigil]", in: context) {
                    tags = items.map(\.1)
                } else {
                    valid = false
                }
            }
            channel = channelURL(kind, in: context, example: "https://ntfy.sh/my-topic").map {
                .ntfy($0, priority: priority, tags: tags)
            }
        case "email":
            channel = emailSettings(kind, number: number, timeout: timeout).map { .email($0) }
        case "command":
            channel = commandArguments(kind, in: context).map { .command($0, timeout: timeout ?? 30) }
        default:
            channel = nil
        }
        guard valid, let channel else { return nil }
        return NotifyTarget(channel, name: name)
    }

    /// A `timeout:` longer than zero; reports anything else.
    private mutating func positiveDuration(_ field: Entry, in context: Context) -> TimeInterval? {
        guard let text = scalar(field, example: "30s", in: context),
            let value = duration(text, at: field, in: context)
        else { return nil }
        guard value > 0 else {
            report(field.value, "\(context.prefix)\(field.name) must be longer than zero — e.g. \(field.name): 30s")
            return nil
        }
        return value
    }

    private mutating func channelURL(_ field: Entry, in context: Context, example: String) -> URL? {
        guard let text = scalar(field, example: example, in: context) else { return nil }
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = components.host, !host.isEmpty,
            let url = components.url
        else {
            report(
                field.value,
                "\(context.prefix)\(field.name) \"\(text)\" is not an http or https URL — e.g. \(example)"
            )
            return nil
        }
        return url
    }

    private mutating func ntfyPriority(_ field: Entry, in context: Context) -> Int? {
        guard let text = scalar(field, example: "high", in: context) else { return nil }
        let names = ["min": 1, "low": 2, "default": 3, "high": 4, "max": 5, "urgent": 5]
        if let value = names[text.lowercased()] ?? Int(text), (1...5).contains(value) { return value }
        report(
            field.value,
            "\(context.prefix)priority \"\(text)\" is not an ntfy priority — use 1 to 5, or min, low, default, high,"
                + " max"
        )
        return nil
    }

    private mutating func commandArguments(_ field: Entry, in context: Context) -> [String]? {
        let example = "e.g. command: [/usr/local/bin/page, --team, ops]"
        if let scalar = field.value.scalar, field.value.null == nil {
            let text = scalar.string.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty, !text.contains(where: \.isWhitespace) else {
                report(
                    field.value,
                    "\(context.prefix)command must be a list of the program and its arguments (Vigil runs no shell)"
                        + " — \(example)"
                )
                return nil
            }
            return [text]
        }
        guard let sequence = field.value.sequence, !sequence.isEmpty else {
            report(field.value, "\(context.prefix)command has no program — \(example)")
            return nil
        }
        var argv: [String] = []
        for item in sequence {
            guard let scalar = item.scalar, item.null == nil else {
                report(
                    item, "\(context.prefix)command arguments must be plain values, not lists or mappings — \(example)")
                return nil
            }
            argv.append(scalar.string)
        }
        guard !argv[0].trimmingCharacters(in: .whitespaces).isEmpty else {
            report(field.value, "\(context.prefix)command has no program — \(example)")
            return nil
        }
        return argv
    }

    private mutating func emailSettings(_ field: Entry, number: Int, timeout: TimeInterval?) -> SMTPSettings? {
        let example = "e.g. email: {smtp: 127.0.0.1:25, from: vigil@example.com, to: [ops@example.com]}"
        let prefix = "notify entry \(number): email "
        guard let mapping = field.value.mapping else {
            report(field.value, "notify entry \(number): email must be a mapping of smtp, from and to — \(example)")
            return nil
        }
        let context = Context.section(
            prefix: prefix, suffix: " in the email of notify entry \(number)", keys: Context.emailKeys)
        var host: String?
        var port = 25
        var from: String?
        var to: [String] = []
        var username: String?
        var password: String?
        var emailTimeout = timeout
        var valid = true
        for setting in entries(of: mapping, in: context) {
            switch setting.name {
            case "smtp":
                guard let text = scalar(setting, example: "127.0.0.1:25", in: context) else {
                    valid = false
                    continue
                }
                let address = text.contains(":") ? text : "\(text):25"
                if case .success(let parsed) = ListenAddress.parse(address), (1...65535).contains(parsed.port) {
                    host = parsed.host
                    port = parsed.port
                } else {
                    report(
                        setting.value,
                        "\(prefix)smtp \"\(text)\" is not host:port — e.g. smtp: 127.0.0.1:25 or smtp: mail.example.com"
                    )
                    valid = false
                }
            case "from":
                guard let text = scalar(setting, example: "vigil@example.com", in: context) else {
                    valid = false
                    continue
                }
                if isMailAddress(text) {
                    from = text
                } else {
                    report(setting.value, "\(prefix)from \"\(text)\" is not a mail address — e.g. vigil@example.com")
                    valid = false
                }
            case "to":
                guard let items = list(setting, example: "[ops@example.com]", in: context) else {
                    valid = false
                    continue
                }
                for (node, text) in items {
                    if isMailAddress(text) {
                        to.append(text)
                    } else {
                        report(node, "\(prefix)to \"\(text)\" is not a mail address — e.g. ops@example.com")
                        valid = false
                    }
                }
            case "username":
                username = scalar(setting, example: "vigil", in: context)
                if username == nil { valid = false }
            case "password":
                password = scalar(setting, example: "secret", in: context)
                if password == nil { valid = false }
            case "timeout":
                if let value = positiveDuration(setting, in: context) {
                    emailTimeout = value
                } else {
                    valid = false
                }
            default:
                reportUnknownKey(setting, in: context)
                valid = false
            }
        }
        guard valid else { return nil }
        var missing: [String] = []
        if host == nil { missing.append("smtp") }
        if from == nil { missing.append("from") }
        if to.isEmpty { missing.append("to") }
        if !missing.isEmpty {
            report(
                field.key,
                "notify entry \(number): email has no \(missing.joined(separator: ", ")) — \(example)"
            )
            return nil
        }
        if (username == nil) != (password == nil) {
            report(field.key, "\(prefix)needs both username and password, or neither")
            return nil
        }
        if username != nil, let host, !isLoopback(host) {
            report(
                field.key,
                "\(prefix)sends username and password only to a loopback smtp host (Vigil speaks SMTP without TLS)"
                    + " — run a local relay that forwards with TLS, e.g. smtp: 127.0.0.1:25"
            )
            return nil
        }
        guard let host, let from else { return nil }
        return SMTPSettings(
            host: host, port: port, from: from, to: to, username: username, password: password,
            timeout: emailTimeout ?? 30
        )
    }
}

/// `[a-z0-9][a-z0-9_-]{0,63}`, like a monitor's slug.
private func isValidChannelName(_ text: String) -> Bool {
    let scalars = Array(text.unicodeScalars)
    func lowerOrDigit(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }
    guard let first = scalars.first, scalars.count <= 64, lowerOrDigit(first) else { return false }
    return scalars.dropFirst().allSatisfy { lowerOrDigit($0) || $0 == "-" || $0 == "_" }
}

/// `local@domain`, optionally as `Name <local@domain>`; no spaces, brackets or line breaks in the address.
private func isMailAddress(_ text: String) -> Bool {
    var address = Substring(text)
    if let open = text.lastIndex(of: "<"), text.hasSuffix(">") {
        address = text[text.index(after: open)..<text.index(before: text.endIndex)]
    }
    let parts = address.split(separator: "@", omittingEmptySubsequences: false)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
    return !address.contains { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "," }
}

func isLoopback(_ host: String) -> Bool {
    host == "localhost" || host == "::1" || host.hasPrefix("127.")
}
