import Foundation
import Testing
import VigilCore
import VigilStore

@testable import VigilEngine

/// Every channel rendered by `Channel`, put in a real SQLite outbox and delivered by the real `Notifier` to a real
/// loopback receiver.
@Suite("Notification channels")
struct ChannelDeliveryTests {
    /// Renders `payload` through `channel`, delivers it and returns whether the outbox is empty afterwards.
    private func deliver(
        _ channel: Channel, _ payload: NoticePayload = NoticeHarness.payload(), key: String = "m.1.0.0",
        in harness: NoticeHarness
    ) async throws -> Bool {
        let notice = try #require(channel.notice(for: payload, idempotencyKey: key, createdAt: harness.now))
        try await harness.enqueue([notice])
        await harness.notifier.deliverDue()
        return try await harness.store.pendingNoticeCount() == 0
    }

    @Test("the default webhook body is the notice JSON, byte for byte")
    func webhookDefault() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let receiver = HTTPReceiver()
        try await receiver.start()
        defer { receiver.stop() }

        let payload = NoticeHarness.payload()
        #expect(try await deliver(.webhook(receiver.url()), payload, key: "m.7.0.0", in: harness))
        let request = try #require(receiver.received.first)
        #expect(receiver.received.count == 1)
        #expect(request.body == (try VigilJSON.encoder.encode(payload)))
        #expect(try VigilJSON.decoder.decode(NoticePayload.self, from: request.body) == payload)
        #expect(request.headers["content-type"] == "application/json")
        #expect(request.idempotencyKey == "m.7.0.0")
    }

    @Test("a JSON template gets its values JSON-escaped")
    func webhookJSONTemplate() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let receiver = HTTPReceiver()
        try await receiver.start()
        defer { receiver.stop() }

        let template = try NoticeTemplate(
            #"{"text": "{{monitor}} is {{ new_state }}: {{reason}}", "incident": "{{incident_id}}", "#
                + #""at": "{{at}}", "url": "{{ping_url}}"}"#
        )
        #expect(template.isJSON)
        let reason = "disk \"full\" at C:\\data\nsecond line\ttab \u{01}"
        let payload = NoticeHarness.payload(reason: reason)
        #expect(try await deliver(.webhook(receiver.url(), template: template), payload, in: harness))

        let request = try #require(receiver.received.first)
        #expect(request.headers["content-type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: String])
        #expect(body["text"] == "nightly-backup is stalled: \(reason)")
        #expect(body["incident"] == payload.incidentID)
        #expect(body["at"] == "2027-01-15T08:00:00.000Z")
        #expect(body["url"] == payload.pingURL)
    }

    @Test("a plain-text template is sent as it is, and a missing incident is empty")
    func webhookTextTemplate() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let receiver = HTTPReceiver()
        try await receiver.start()
        defer { receiver.stop() }

        let template = try NoticeTemplate(
            "{{monitor}} went {{old_state}} -> {{new_state}} \"{{reason}}\" [{{incident_id}}]")
        #expect(!template.isJSON)
        let payload = NoticeHarness.payload(from: "stalled", to: "up", reason: "progress resumed", incident: false)
        #expect(try await deliver(.webhook(receiver.url(), template: template), payload, in: harness))
        let request = try #require(receiver.received.first)
        #expect(request.text == "nightly-backup went stalled -> up \"progress resumed\" []")
        #expect(request.headers["content-type"] == "text/plain; charset=utf-8")
    }

    @Test(
        "a template with an unknown or unclosed placeholder is refused",
        arguments: [
            ("{{monitr}} is down", "unknown placeholder {{monitr}}"),
            ("{{monitor is down", "has a \"{{\" without \"}}\""),
        ]
    )
    func badTemplate(text: String, message: String) {
        #expect {
            try NoticeTemplate(text)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test("Slack gets {\"text\": …} with the title, the reason and mrkdwn escaped")
    func slack() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let receiver = HTTPReceiver()
        try await receiver.start()
        defer { receiver.stop() }

        let payload = NoticeHarness.payload(reason: "no <commit> & no post for 25h")
        #expect(try await deliver(.slack(receiver.url("/services/T0/B0/x")), payload, in: harness))
        let request = try #require(receiver.received.first)
        #expect(request.path == "/services/T0/B0/x")
        #expect(request.headers["content-type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: String])
        #expect(Array(body.keys) == ["text"])
        let text = try #require(body["text"])
        #expect(text.hasPrefix("*nightly-backup is stalled*\n"))
        #expect(text.contains("Reason: no &lt;commit&gt; &amp; no post for 25h"))
        #expect(text.contains(payload.pingURL))
    }

    @Test("Discord gets {\"content\": …}, and its 204 counts as delivered")
    func discord() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let receiver = HTTPReceiver(finalStatus: .noContent)
        try await receiver.start()
        defer { receiver.stop() }

        #expect(try await deliver(.discord(receiver.url("/api/webhooks/1/abc")), in: harness))
        let request = try #require(receiver.received.first)
        let body = try #require(try JSONSerialization.jsonObject(with: request.body) as? [String: String])
        #expect(Array(body.keys) == ["content"])
        #expect(body["content"]?.hasPrefix("**nightly-backup is stalled**\nnightly-backup: up -> stalled at ") == true)
    }

    @Test("ntfy gets the message as text with Title, Priority and Tags headers")
    func ntfy() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let receiver = HTTPReceiver()
        try await receiver.start()
        defer { receiver.stop() }

        #expect(try await deliver(.ntfy(receiver.url("/vigil-alerts"), tags: ["warning"]), key: "a", in: harness))
        let recovered = NoticeHarness.payload(from: "stalled", to: "up", reason: "progress resumed")
        #expect(try await deliver(.ntfy(receiver.url("/vigil-alerts"), priority: 2), recovered, key: "b", in: harness))

        let requests = receiver.received
        try #require(requests.count == 2)
        #expect(requests[0].path == "/vigil-alerts")
        #expect(requests[0].headers["title"] == "nightly-backup is stalled")
        #expect(requests[0].headers["priority"] == "4")
        #expect(requests[0].headers["tags"] == "warning,stalled")
        #expect(requests[0].headers["content-type"] == "text/plain; charset=utf-8")
        #expect(requests[0].text.hasPrefix("nightly-backup: up -> stalled at "))
        #expect(requests[0].text.contains("\nReason: no progress for 25h\n"))
        #expect(requests[1].headers["title"] == "nightly-backup is up")
        #expect(requests[1].headers["priority"] == "2")
        #expect(requests[1].headers["tags"] == "up")
    }

    @Test("a refused HTTP delivery stays in the outbox with a later attempt")
    func refusedIsRetried() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let receiver = HTTPReceiver(statuses: [.serviceUnavailable])
        try await receiver.start()
        defer { receiver.stop() }

        #expect(try await deliver(.slack(receiver.url()), in: harness) == false)
        let next = try #require(try await harness.store.nextNoticeAttempt())
        #expect(next > harness.now)
        #expect(try await harness.store.dueNotices(at: harness.now, limit: 10).isEmpty)
        harness.advance(to: next)
        await harness.notifier.deliverDue()
        #expect(try await harness.store.pendingNoticeCount() == 0)
        #expect(receiver.received.map(\.idempotencyKey) == ["m.1.0.0", "m.1.0.0"])
    }

    // MARK: - Email

    private func email(_ receiver: SMTPReceiver, username: String? = nil, password: String? = nil) -> Channel {
        .email(
            SMTPSettings(
                host: "127.0.0.1", port: receiver.port, from: "Vigil <vigil@example.com>",
                to: ["ops@example.com", "oncall@example.com"], username: username, password: password, timeout: 5
            ))
    }

    @Test("email goes over SMTP with CRLF lines and dot-stuffing undone by the server")
    func email() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let receiver = try SMTPReceiver()
        defer { receiver.stop() }

        let payload = NoticeHarness.payload(reason: "first line\n.hidden line\n..two dots\r\n.")
        #expect(try await deliver(email(receiver), payload, key: "m.3.0.1", in: harness))
        let message = try #require(receiver.received.first)
        #expect(message.from == "vigil@example.com")
        #expect(message.recipients == ["ops@example.com", "oncall@example.com"])
        #expect(message.greeting.hasPrefix("EHLO "))
        #expect(message.authenticatedAs == nil)
        #expect(!message.data.contains("<bare LF>"))
        let lines = message.data.components(separatedBy: "\r\n")
        #expect(lines.contains("Subject: Vigil: nightly-backup is stalled"))
        #expect(lines.contains("To: ops@example.com, oncall@example.com"))
        #expect(lines.contains("Message-ID: <m.3.0.1@vigil>"))
        #expect(lines.contains("Date: Fri, 15 Jan 2027 08:00:00 +0000"))
        #expect(lines.contains("Reason: first line"))
        #expect(lines.contains(".hidden line"))
        #expect(lines.contains("..two dots"))
        #expect(lines.contains("."))
    }

    @Test("email with a non-ASCII reason is base64 and reads back intact")
    func emailUnicode() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let receiver = try SMTPReceiver()
        defer { receiver.stop() }

        let payload = NoticeHarness.payload(reason: "Festplatte voll — über 99 %")
        #expect(try await deliver(email(receiver), payload, in: harness))
        let message = try #require(receiver.received.first)
        let parts = message.data.components(separatedBy: "\r\n\r\n")
        try #require(parts.count == 2)
        #expect(parts[0].contains("Content-Transfer-Encoding: base64"))
        let body = try #require(Data(base64Encoded: parts[1], options: .ignoreUnknownCharacters))
        #expect(String(decoding: body, as: UTF8.self).contains("Reason: Festplatte voll — über 99 %"))
    }

    @Test(
        "email authenticates with AUTH PLAIN or AUTH LOGIN, whichever the server offers",
        arguments: ["PLAIN LOGIN", "LOGIN"])
    func emailAuth(mechanisms: String) async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let receiver = try SMTPReceiver(credentials: ("vigil", "s3cret:pass"), authMechanisms: mechanisms)
        defer { receiver.stop() }

        #expect(try await deliver(email(receiver, username: "vigil", password: "s3cret:pass"), in: harness))
        #expect(receiver.received.first?.authenticatedAs == "vigil")
    }

    @Test("email with a wrong password is not delivered and stays in the outbox")
    func emailWrongPassword() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let receiver = try SMTPReceiver(credentials: ("vigil", "right"))
        defer { receiver.stop() }

        let channel = email(receiver, username: "vigil", password: "wrong")
        #expect(try await deliver(channel, in: harness) == false)
        #expect(receiver.received.isEmpty)
        let notice = try #require(channel.notice(for: NoticeHarness.payload(), idempotencyKey: "x", createdAt: Date()))
        await #expect {
            try await NoticeDelivery(client: OutboundHTTP.client, timeout: .seconds(5)).deliver(notice)
        } throws: { error in
            "\(error)".contains("refused the username or password: 535")
        }
    }

    @Test("email falls back to HELO when the server does not know EHLO")
    func emailHELO() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let receiver = try SMTPReceiver(ehlo: false)
        defer { receiver.stop() }

        #expect(try await deliver(email(receiver), in: harness))
        #expect(receiver.received.first?.greeting.hasPrefix("HELO ") == true)
    }

    @Test("email to a port where nothing listens fails fast with a clear error")
    func emailRefused() async throws {
        let port = try freeLoopbackPort()
        let settings = SMTPSettings(host: "127.0.0.1", port: port, from: "a@b.c", to: ["d@e.f"], timeout: 200)
        let started = ContinuousClock.now
        await #expect {
            try await SMTPClient(settings: settings).send(Data("Subject: x\r\n\r\nbody\r\n".utf8))
        } throws: { error in
            "\(error)" == "SMTP server 127.0.0.1:\(port): connection refused — is the server running?"
        }
        #expect(ContinuousClock.now - started < .seconds(100))
    }

    @Test("the DATA section has CRLF lines, doubled leading dots and the final dot")
    func dataSection() {
        let data = SMTPClient.dataSection(Data("a\n.b\r\nc\r..d".utf8))
        #expect(String(decoding: data, as: UTF8.self) == "a\r\n..b\r\nc\r\n...d\r\n.\r\n")
    }

    // MARK: - Command

    private func script(_ body: String, in harness: NoticeHarness) throws -> String {
        let path = harness.folder.appendingPathComponent("notify-\(UUID().uuidString).sh").path
        try Data("#!/bin/sh\n\(body)\n".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    @Test("a command gets the notice JSON on stdin and in VIGIL_NOTICE, and its key; exit 0 is delivered")
    func command() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let stdin = harness.folder.appendingPathComponent("stdin.json").path
        let environment = harness.folder.appendingPathComponent("env.json").path
        let program = try script(
            #"cat > "$1"; printf '%s' "$VIGIL_NOTICE" > "$2"; [ "$VIGIL_IDEMPOTENCY_KEY" = m.1.0.0 ]"#, in: harness)

        let payload = NoticeHarness.payload()
        #expect(try await deliver(.command([program, stdin, environment], timeout: 10), payload, in: harness))
        let expected = try VigilJSON.encoder.encode(payload)
        #expect(FileManager.default.contents(atPath: stdin) == expected)
        #expect(FileManager.default.contents(atPath: environment) == expected)
    }

    @Test("a command that exits non-zero is not delivered, and its stderr is in the error")
    func commandFails() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let program = try script("echo 'pager API said no' >&2; exit 3", in: harness)

        #expect(try await deliver(.command([program], timeout: 10), in: harness) == false)
        await #expect {
            try await CommandDelivery(argv: [program], timeout: 10).run(notice: Data("{}".utf8))
        } throws: { error in
            "\(error)" == "command \(program) exited with status 3: pager API said no"
        }
    }

    @Test("a command that overruns its timeout is killed and not delivered")
    func commandTimeout() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let pidFile = harness.folder.appendingPathComponent("pid").path
        let program = try script("echo $$ > \(pidFile); exec sleep 300", in: harness)

        let started = ContinuousClock.now
        await #expect {
            try await CommandDelivery(argv: [program], timeout: 0.5).run(notice: Data("{}".utf8))
        } throws: { error in
            "\(error)".contains("did not finish within")
        }
        #expect(ContinuousClock.now - started < .seconds(100))
        let pid = try #require(
            FileManager.default.contents(atPath: pidFile).flatMap {
                Int32(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            })
        #expect(kill(pid, 0) == -1)
    }

    @Test("a command's children are ended with it at the timeout")
    func commandTimeoutEndsChildren() async throws {
        let harness = try NoticeHarness()
        defer { harness.remove() }
        let pidFile = harness.folder.appendingPathComponent("child").path
        let program = try script("sleep 300 & echo $! > \(pidFile); wait", in: harness)

        await #expect(throws: (any Error).self) {
            try await CommandDelivery(argv: [program], timeout: 0.5).run(notice: Data("{}".utf8))
        }
        let pid = try #require(
            FileManager.default.contents(atPath: pidFile).flatMap {
                Int32(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            })
        // Gone, or a zombie waiting for init to reap it.
        let deadline = ContinuousClock.now + .seconds(100)
        func alive() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
            return !stat.contains(") Z ")
        }
        while alive(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!alive())
    }

    @Test("a command that is not installed is a clear error")
    func commandMissing() async throws {
        await #expect {
            try await CommandDelivery(argv: ["vigil-no-such-program"], timeout: 1).run(notice: Data())
        } throws: { error in
            "\(error)" == "command vigil-no-such-program is not found or not executable — give its full path"
        }
    }
}
