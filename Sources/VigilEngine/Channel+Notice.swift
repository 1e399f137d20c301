import Foundation
import VigilStore

extension Channel {
    /// The outbox row that delivers `payload` through this channel; `nil` only if the payload cannot be encoded.
    ///
    /// The row is self-contained: `channel` is `kind`, `target` says where (a URL, or JSON for email and command),
    /// and `payload` is the rendered body, so delivery needs nothing from the configuration.
    public func notice(for payload: NoticePayload, idempotencyKey: String, createdAt: Date) -> Notice? {
        guard let rendered = try? render(payload, idempotencyKey: idempotencyKey) else { return nil }
        return Notice(
            idempotencyKey: idempotencyKey, channel: kind, target: rendered.target, payload: rendered.body,
            createdAt: createdAt, nextAttemptAt: createdAt
        )
    }

    func render(_ payload: NoticePayload, idempotencyKey: String) throws -> (target: String, body: Data) {
        // The words are built only for channels that show them: a webhook in a storm of thousands of stalls
        // would otherwise pay for Slack escaping it never sends, while the engine holds its registry.
        switch self {
        case .webhook(let url, let template):
            guard let template else { return (url.absoluteString, payload.json) }
            return (url.absoluteString, Data(template.render(payload).utf8))
        case .slack(let url):
            return (url.absoluteString, try VigilJSON.encoder.encode(SlackMessage(text: NoticeText(payload).slack)))
        case .discord(let url):
            let text = NoticeText(payload)
            return (url.absoluteString, try VigilJSON.encoder.encode(DiscordMessage(content: text.discord)))
        case .ntfy(let url, let priority, let tags):
            let text = NoticeText(payload)
            let message = NtfyMessage(
                title: text.title, message: text.plain,
                priority: priority ?? (text.isIncident ? 4 : 3), tags: tags + [payload.newState]
            )
            return (url.absoluteString, try VigilJSON.encoder.encode(message))
        case .email(let settings):
            let target = String(decoding: try VigilJSON.encoder.encode(settings), as: UTF8.self)
            return (
                target,
                EmailMessage(settings: settings, text: NoticeText(payload), messageID: idempotencyKey, date: payload.noticedAt)
                    .rendered
            )
        case .command(let argv, let timeout):
            let target = String(
                decoding: try VigilJSON.encoder.encode(CommandTarget(argv: argv, timeout: timeout)), as: UTF8.self)
            return (target, payload.json)
        }
    }
}

/// The words of a notice, for channels a person reads.
struct NoticeText {
    /// `nightly-backup is stalled`
    var title: String
    /// Several lines: what changed and when, why, the incident and the ping URL.
    var plain: String
    var slack: String
    var discord: String
    var isIncident: Bool

    init(_ payload: NoticePayload) {
        isIncident = payload.newState == "stalled" || payload.newState == "failing"
        title = "\(payload.monitor) is \(payload.newState)"
        var lines = [
            "\(payload.monitor): \(payload.oldState) -> \(payload.newState) at \(VigilJSON.format(payload.at))"
        ]
        if !payload.reason.isEmpty { lines.append("Reason: \(payload.reason)") }
        if let incident = payload.incidentID { lines.append("Incident: \(incident)") }
        lines.append("Ping URL: \(payload.pingURL)")
        plain = lines.joined(separator: "\n")
        // Slack's mrkdwn needs only &, < and > escaped.
        let escaped = plain.replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        slack = "*\(title)*\n" + escaped
        // Discord refuses content longer than 2000 characters.
        let discord = "**\(title)**\n" + plain
        self.discord = discord.count > 2000 ? String(discord.prefix(1999)) + "…" : discord
    }
}

struct SlackMessage: Codable {
    var text: String
}

struct DiscordMessage: Codable {
    var content: String
}

/// How an ntfy notice waits in the outbox: the body and the headers it is sent with.
struct NtfyMessage: Codable {
    var title: String
    var message: String
    var priority: Int
    var tags: [String]
}

/// How a command notice names its program in the outbox.
struct CommandTarget: Codable {
    var argv: [String]
    var timeout: TimeInterval
}

/// An RFC 5322 message with CRLF line endings, not yet dot-stuffed.
struct EmailMessage {
    var rendered: Data

    init(settings: SMTPSettings, text: NoticeText, messageID: String, date: Date) {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let body = text.plain
        let isASCII = body.unicodeScalars.allSatisfy(\.isASCII)
        var headers = [
            "From: \(Self.headerSafe(settings.from))",
            "To: \(settings.to.map(Self.headerSafe).joined(separator: ", "))",
            "Subject: \(Self.encodedWord("Vigil: " + text.title))",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(Self.headerSafe(messageID))@vigil>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Auto-Submitted: auto-generated",
        ]
        let encodedBody: String
        if isASCII {
            headers.append("Content-Transfer-Encoding: 7bit")
            encodedBody = body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        } else {
            // Base64 keeps a non-ASCII reason intact through servers that do not offer 8BITMIME.
            headers.append("Content-Transfer-Encoding: base64")
            encodedBody = Data(body.utf8).base64EncodedString(
                options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        }
        rendered = Data((headers.joined(separator: "\r\n") + "\r\n\r\n" + encodedBody + "\r\n").utf8)
    }

    /// A header value on one line: a CR or LF would start a header of the reader's choosing.
    static func headerSafe(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" }.map(Character.init))
    }

    /// RFC 2047 for a subject with non-ASCII characters.
    static func encodedWord(_ text: String) -> String {
        let safe = headerSafe(text)
        guard !safe.unicodeScalars.allSatisfy(\.isASCII) else { return safe }
        return "=?utf-8?B?\(Data(safe.utf8).base64EncodedString())?="
    }
}
