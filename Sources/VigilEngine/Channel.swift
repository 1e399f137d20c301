import Foundation

/// Where a notice goes and in which form: the kinds of `notify:` entry.
///
/// A channel renders a notice into an outbox row (`Notice`) that holds everything needed to deliver it, so a notice
/// queued before a restart is delivered after it even if the configuration changed in between.
public enum Channel: Sendable, Hashable {
    /// `POST` to a URL: the notice as JSON (`NoticePayload`), or the rendered `template`.
    case webhook(URL, template: NoticeTemplate? = nil)
    /// A Slack incoming webhook: `{"text": …}`.
    case slack(URL)
    /// A Discord webhook: `{"content": …}`.
    case discord(URL)
    /// An ntfy topic URL: the message text as the body, with `Title`, `Priority` and `Tags` headers.
    /// - Parameters:
    ///   - priority: 1 (min) to 5 (max); default `nil`, which sends 4 (high) for an incident and 3 otherwise.
    ///   - tags: sent before the new state, which is always the last tag.
    case ntfy(URL, priority: Int? = nil, tags: [String] = [])
    /// Mail over SMTP.
    case email(SMTPSettings)
    /// A program run with the notice as JSON on stdin and in `VIGIL_NOTICE`; exit status 0 means delivered.
    /// - Parameter timeout: seconds before the program is killed; default 30.
    case command([String], timeout: TimeInterval = 30)

    /// The outbox's `channel` column: `webhook`, `slack`, `discord`, `ntfy`, `email` or `command`.
    public var kind: String {
        switch self {
        case .webhook: "webhook"
        case .slack: "slack"
        case .discord: "discord"
        case .ntfy: "ntfy"
        case .email: "email"
        case .command: "command"
        }
    }

    /// The kinds a `notify:` entry may name, in the order the documentation lists them.
    public static let kinds = ["webhook", "slack", "discord", "ntfy", "email", "command"]
}

/// How to reach an SMTP server and whom to write to.
///
/// Vigil speaks plain SMTP without TLS, so a username and password are only sent to a loopback server (a local relay
/// such as Postfix or msmtpd that forwards with TLS); the configuration loader refuses them for any other host.
public struct SMTPSettings: Sendable, Hashable, Codable {
    /// The server's host name or address.
    public var host: String
    /// The server's port; default 25.
    public var port: Int
    /// The envelope sender and `From:` address.
    public var from: String
    /// The recipients; at least one.
    public var to: [String]
    /// For `AUTH PLAIN` or `AUTH LOGIN`; default `nil`, no authentication.
    public var username: String?
    public var password: String?
    /// Seconds for the whole conversation; default 30.
    public var timeout: TimeInterval

    public init(
        host: String,
        port: Int = 25,
        from: String,
        to: [String],
        username: String? = nil,
        password: String? = nil,
        timeout: TimeInterval = 30
    ) {
        self.host = host
        self.port = port
        self.from = from
        self.to = to
        self.username = username
        self.password = password
        self.timeout = timeout
    }
}

/// A configured channel with an optional name, so escalation levels can refer to it.
public struct NotifyTarget: Sendable, Hashable {
    /// `name:`; default `nil`.
    public var name: String?
    public var channel: Channel

    public init(_ channel: Channel, name: String? = nil) {
        self.channel = channel
        self.name = name
    }

    /// An HTTP or HTTPS address that receives a JSON `POST` for each notice.
    public static func webhook(_ url: URL) -> NotifyTarget {
        NotifyTarget(.webhook(url))
    }
}

extension Configuration {
    /// The `notify:` entry with this `name:`, if any.
    public func notifyTarget(named name: String) -> NotifyTarget? {
        notify.first { $0.name == name }
    }

    /// The `notify:` entries an escalation level names, in file order; `all` stands for every entry.
    /// - Returns: the targets found, and the names that no entry has.
    public func notifyTargets(named names: [String]) -> (targets: [NotifyTarget], unknown: [String]) {
        if names.contains("all") { return (notify, names.filter { $0 != "all" && notifyTarget(named: $0) == nil }) }
        let wanted = Set(names)
        return (notify.filter { $0.name.map(wanted.contains) ?? false }, names.filter { notifyTarget(named: $0) == nil })
    }
}
