import Foundation
import Testing
import VigilCore

@testable import VigilEngine

@Suite("notify: configuration")
struct NotifyConfigurationTests {
    func mistakes(in text: String) -> [String] {
        do {
            let configuration = try ConfigurationLoader.parse(text, fileName: "vigil.yml")
            Issue.record("expected mistakes, loaded \(configuration)")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test("every channel kind loads, with its options and names")
    func everyKind() throws {
        let text = """
            notify:
              - webhook: http://127.0.0.1:9000/hook
              - webhook: https://hooks.example.com/vigil
                name: ops-hook
                template: '{"text": "{{monitor}} is {{new_state}}: {{reason}}"}'
              - slack: https://hooks.slack.com/services/T000/B000/XXXX
                name: team
              - discord: https://discord.com/api/webhooks/123/abc
              - ntfy: https://ntfy.sh/vigil-alerts
                priority: high
                tags: [warning, vigil]
              - email:
                  smtp: 127.0.0.1:2525
                  from: Vigil <vigil@example.com>
                  to: [ops@example.com, oncall@example.com]
                  username: vigil
                  password: s3cret
                  timeout: 10s
                name: ops-mail
              - email: {smtp: mail.example.com, from: vigil@example.com, to: ops@example.com}
              - command: [/usr/local/bin/page, --team, ops]
                timeout: 5s
                name: pager
              - command: notify-send
            """
        let configuration = try ConfigurationLoader.parse(text, fileName: "vigil.yml")
        let url = { (text: String) in URL(string: text)! }
        #expect(
            configuration.notify == [
                .webhook(url("http://127.0.0.1:9000/hook")),
                NotifyTarget(
                    .webhook(
                        url("https://hooks.example.com/vigil"),
                        template: try NoticeTemplate(#"{"text": "{{monitor}} is {{new_state}}: {{reason}}"}"#)),
                    name: "ops-hook"),
                NotifyTarget(.slack(url("https://hooks.slack.com/services/T000/B000/XXXX")), name: "team"),
                NotifyTarget(.discord(url("https://discord.com/api/webhooks/123/abc"))),
                NotifyTarget(.ntfy(url("https://ntfy.sh/vigil-alerts"), priority: 4, tags: ["warning", "vigil"])),
                NotifyTarget(
                    .email(
                        SMTPSettings(
                            host: "127.0.0.1", port: 2525, from: "Vigil <vigil@example.com>",
                            to: ["ops@example.com", "oncall@example.com"], username: "vigil", password: "s3cret",
                            timeout: 10
                        )),
                    name: "ops-mail"),
                NotifyTarget(
                    .email(
                        SMTPSettings(
                            host: "mail.example.com", port: 25, from: "vigil@example.com", to: ["ops@example.com"]))),
                NotifyTarget(.command(["/usr/local/bin/page", "--team", "ops"], timeout: 5), name: "pager"),
                NotifyTarget(.command(["notify-send"], timeout: 30)),
            ])
        #expect(configuration.notifyTarget(named: "pager")?.channel.kind == "command")
        #expect(configuration.notifyTarget(named: "nobody") == nil)
        let chosen = configuration.notifyTargets(named: ["pager", "nobody", "team"])
        #expect(chosen.targets.compactMap(\.name) == ["team", "pager"])
        #expect(chosen.unknown == ["nobody"])
        #expect(configuration.notifyTargets(named: ["all"]).targets == configuration.notify)
    }

    @Test(
        "a notify mistake names its line and what to do",
        arguments: [
            (
                "notify:\n  - slack: hooks.slack.com/x\n",
                "vigil.yml:2: notify entry 1: slack \"hooks.slack.com/x\" is not an http or https URL — e.g."
                    + " https://hooks.slack.com/services/T000/B000/XXXX"
            ),
            (
                "notify:\n  - name: ops\n",
                "vigil.yml:2: notify entry 1 has no channel — add one of webhook, slack, discord, ntfy, email,"
                    + " command, e.g. \"- webhook: https://example.com/hook\""
            ),
            (
                "notify:\n  - webhook: http://127.0.0.1:9000/hook\n    slack: http://127.0.0.1:9000/slack\n",
                "vigil.yml:3: notify entry 1: names two channels, webhook and slack — write each channel as its"
                    + " own entry"
            ),
            (
                "notify:\n  - slack: http://127.0.0.1:9000/slack\n    template: '{{monitor}}'\n",
                "vigil.yml:3: notify entry 1: template applies only to webhook, not to slack — remove it"
            ),
            (
                "notify:\n  - webhook: http://127.0.0.1:9000/hook\n    template: '{\"t\": \"{{monitr}}\"}'\n",
                "vigil.yml:3: notify entry 1: template uses an unknown placeholder {{monitr}} — known: {{monitor}},"
                    + " {{monitor_id}}, {{event}}, {{old_state}}, {{new_state}}, {{reason}}, {{incident_id}},"
                    + " {{ping_url}}, {{at}}, {{noticed_at}}, {{onset}}, {{tags}}"
            ),
            (
                "notify:\n  - ntfy: https://ntfy.sh/t\n    priority: loud\n",
                "vigil.yml:3: notify entry 1: priority \"loud\" is not an ntfy priority — use 1 to 5, or min, low,"
                    + " default, high, max"
            ),
            (
                "notify:\n  - command: notify-send --urgency critical\n",
                "vigil.yml:2: notify entry 1: command must be a list of the program and its arguments (Vigil runs no"
                    + " shell) — e.g. command: [/usr/local/bin/page, --team, ops]"
            ),
            (
                "notify:\n  - command: []\n",
                "vigil.yml:2: notify entry 1: command has no program — e.g. command: [/usr/local/bin/page, --team, ops]"
            ),
            (
                "notify:\n  - email:\n      smtp: 127.0.0.1:25\n      from: vigil@example.com\n",
                "vigil.yml:2: notify entry 1: email has no to — e.g. email: {smtp: 127.0.0.1:25, from:"
                    + " vigil@example.com, to: [ops@example.com]}"
            ),
            (
                "notify:\n  - email:\n      smtp: 127.0.0.1:25\n      from: vigil\n      to: ops@example.com\n",
                "vigil.yml:4: notify entry 1: email from \"vigil\" is not a mail address — e.g. vigil@example.com"
            ),
            (
                "notify:\n  - email:\n      smtp: 127.0.0.1:99999\n      from: a@b.c\n      to: ops@example.com\n",
                "vigil.yml:3: notify entry 1: email smtp \"127.0.0.1:99999\" is not host:port — e.g. smtp:"
                    + " 127.0.0.1:25 or smtp: mail.example.com"
            ),
            (
                "notify:\n  - email:\n      smtp: 127.0.0.1:25\n      form: a@b.c\n      to: ops@example.com\n",
                "vigil.yml:4: unknown key \"form\" in the email of notify entry 1 — did you mean \"from\"?"
            ),
            (
                "notify:\n  - email:\n      smtp: mail.example.com:587\n      from: a@b.c\n      to: o@b.c\n"
                    + "      username: u\n      password: p\n",
                "vigil.yml:2: notify entry 1: email sends username and password only to a loopback smtp host (Vigil"
                    + " speaks SMTP without TLS) — run a local relay that forwards with TLS, e.g. smtp: 127.0.0.1:25"
            ),
            (
                "notify:\n  - slack: http://127.0.0.1:9000/a\n    name: team\n  - discord: http://127.0.0.1:9000/b\n"
                    + "    name: team\n",
                "vigil.yml:4: notify entry 2: name \"team\" is already used by notify entry 1 — give each channel its"
                    + " own name"
            ),
            (
                "notify:\n  - command: [/bin/true]\n    timeout: 0s\n",
                "vigil.yml:3: notify entry 1: timeout \"0s\" is not a duration: it must be longer than zero (try 30s or 5m)"
            ),
            (
                "notify:\n  - command: [/bin/true]\n    timeout: soon\n",
                "vigil.yml:3: notify entry 1: timeout \"soon\" is not a duration (try 5m, 2h or 1h30m)"
            ),
            (
                "notify:\n  - slack: http://127.0.0.1:9000/a\n    name: Team Chat\n",
                "vigil.yml:3: notify entry 1: name \"Team Chat\" must be up to 64 lowercase letters, digits, \"-\" or"
                    + " \"_\" — e.g. name: ops-pager"
            ),
        ]
    )
    func mistake(text: String, message: String) {
        #expect(mistakes(in: text) == [message])
    }
}
