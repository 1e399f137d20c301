import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VigilStore

/// Sends one outbox row through its channel; throws when it was not delivered, so the notifier retries it.
struct NoticeDelivery: Sendable {
    let client: HTTPClient
    /// For one HTTP delivery; email and command rows carry their own.
    let timeout: TimeAmount

    func deliver(_ notice: Notice) async throws {
        switch notice.channel {
        case "webhook":
            let isJSON = Self.looksLikeJSON(notice.payload)
            try await post(notice, contentType: isJSON ? "application/json" : "text/plain; charset=utf-8")
        case "slack", "discord":
            try await post(notice, contentType: "application/json")
        case "ntfy":
            let message = try decode(NtfyMessage.self, from: notice.payload, in: notice)
            try await post(
                notice, body: Data(message.message.utf8), contentType: "text/plain; charset=utf-8",
                headers: [
                    ("Title", message.title), ("Priority", String(message.priority)),
                    ("Tags", message.tags.joined(separator: ",")),
                ]
            )
        case "email":
            let settings = try decode(SMTPSettings.self, from: Data(notice.target.utf8), in: notice)
            try await SMTPClient(settings: settings).send(notice.payload)
        case "command":
            let target = try decode(CommandTarget.self, from: Data(notice.target.utf8), in: notice)
            try await CommandDelivery(argv: target.argv, timeout: target.timeout)
                .run(notice: notice.payload, idempotencyKey: notice.idempotencyKey)
        default:
            throw NoticeDeliveryError(
                "channel \"\(notice.channel)\" is not known to this version of Vigil — upgrade, or delete the notice")
        }
    }

    private func post(
        _ notice: Notice, body: Data? = nil, contentType: String, headers: [(String, String)] = []
    ) async throws {
        var request = HTTPClientRequest(url: notice.target)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        request.headers.add(name: "User-Agent", value: "Vigil")
        request.headers.add(name: "Idempotency-Key", value: notice.idempotencyKey)
        for (name, value) in headers where !value.isEmpty {
            request.headers.add(name: name, value: EmailMessage.headerSafe(value))
        }
        request.body = .bytes(ByteBuffer(bytes: body ?? notice.payload))
        let response = try await client.execute(request, timeout: timeout)
        // Drain the body so the connection can be reused.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        guard (200..<300).contains(response.status.code) else {
            throw NoticeDeliveryError("HTTP \(response.status.code)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, from data: Data, in notice: Notice) throws -> T {
        do {
            return try VigilJSON.decoder.decode(type, from: data)
        } catch {
            throw NoticeDeliveryError("the \(notice.channel) notice in the outbox is damaged and cannot be sent")
        }
    }

    /// Where a notice goes, for logs: never the SMTP password that an email row holds.
    static func describe(_ notice: Notice) -> String {
        switch notice.channel {
        case "email":
            guard let settings = try? VigilJSON.decoder.decode(SMTPSettings.self, from: Data(notice.target.utf8)) else {
                return "email"
            }
            return "smtp://\(settings.host):\(settings.port) to \(settings.to.joined(separator: ", "))"
        case "command":
            let target = try? VigilJSON.decoder.decode(CommandTarget.self, from: Data(notice.target.utf8))
            return target?.argv.first ?? "command"
        default:
            return notice.target
        }
    }

    static func looksLikeJSON(_ data: Data) -> Bool {
        guard let first = data.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) else { return false }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }
}

/// Why a notice was not delivered; the message is kept in the outbox and logged.
struct NoticeDeliveryError: Error, Sendable, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}
