import Foundation
import Testing
import VigilCore

@testable import VigilEngine

@Suite("recovery configuration")
struct RecoveryConfigurationTests {
    func mistakes(in text: String) -> [String] {
        do {
            let configuration = try ConfigurationLoader.parse(text, fileName: "vigil.yml")
            Issue.record("expected mistakes, loaded \(configuration)")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    func url(_ text: String) -> URL { URL(string: text)! }

    // MARK: - The shipped example

    @Test("examples/content-pipeline/vigil.yml loads as the essay's morning")
    func contentPipelineExample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let file = root.appendingPathComponent("examples/content-pipeline/vigil.yml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let configuration = try ConfigurationLoader.parse(text, fileName: "vigil.yml")
        let recovery = configuration.recovery

        #expect(recovery.capabilities == [
            "network": Capability(
                name: "network", probe: .command(argv: ["./probes/always.sh", "loopback is up"], timeout: 5)),
            "x-api": Capability(
                name: "x-api", probe: .command(argv: ["./probes/credential.sh", "x-api"], timeout: 5),
                needs: ["network"], ttl: 1),
            "reddit-session": Capability(
                name: "reddit-session", probe: .command(argv: ["./probes/credential.sh", "reddit-session"], timeout: 5),
                needs: ["network"], ttl: 1),
            "content-creation": Capability(
                name: "content-creation", probe: .command(argv: ["./probes/can-write.sh"], timeout: 5), ttl: 1),
        ])
        #expect(recovery.actions == [
            "post-thread": Action(
                name: "post-thread",
                kind: .run(CommandSpec(argv: ["./actions/publish.sh", "thread.published", "x-api"])),
                requires: ["x-api"], cost: 1, timeout: 10),
            "cross-post": Action(
                name: "cross-post",
                kind: .run(CommandSpec(argv: ["./actions/publish.sh", "post.published", "reddit-session"])),
                requires: ["reddit-session"], cost: 1, timeout: 10),
            "write-article": Action(
                name: "write-article", kind: .run(CommandSpec(argv: ["./actions/write-article.sh"])),
                requires: ["content-creation"], cost: 3, timeout: 10),
        ])

        let pipeline = try #require(configuration.monitors.first { $0.slug == "content-pipeline" })
        #expect(pipeline.dependsOn == ["x-api", "reddit-session", "content-creation"])
        #expect(pipeline.recovery == RecoveryPlan(
            actions: ["post-thread", "cross-post", "write-article"], verifyWithin: 5,
            backoff: Backoff(base: 1, factor: 2, cap: 5, jitter: 0.5),
            limit: IntensityLimit(count: 5, window: 3_600)))
        #expect(pipeline.escalation == nil)
        #expect(recovery.guards.isEmpty)
        #expect(recovery.globalLimit == IntensityLimit(count: 60, window: 3_600))
        #expect(recovery.recurringBlocker == RecurringBlockerRule(count: 3, window: 86_400))

        // And the plan it describes picks write-article on the essay's morning.
        let diagnosis = Diagnosis(
            blocked: [
                .init(capability: "reddit-session", reason: "expired", blockedBy: nil),
                .init(capability: "x-api", reason: "expired", blockedBy: nil),
            ],
            available: ["content-creation", "network"], rootCauses: ["reddit-session", "x-api"], warnings: [:],
            at: Date(timeIntervalSince1970: 0))
        let plan = try #require(pipeline.recovery)
        #expect(Recovery.choose(from: plan, actions: recovery.actions, diagnosis: diagnosis, tried: [:])?.name
            == "write-article")
    }

    // MARK: - Everything that loads

    static let everything = """
        notify:
          - webhook: http://127.0.0.1:9000/ops
            name: ops
          - webhook: http://127.0.0.1:9000/pager
            name: pager
          - webhook: http://127.0.0.1:9000/mail
            name: ops-mail
        monitors:
          trading-bot:
            every: 1m
          agent:
            every: 2s
            depends_on: [api-health, x-api]
            recovery: [restart-worker, kick-api]
            escalation: oncall
        capabilities:
          api-health:
            http: http://127.0.0.1:8000/health
            expect: 200-299
            timeout: 2s
          api-default:
            http: https://api.example.com/ping
          database:
            tcp: 127.0.0.1:5432
          heartbeat:
            file: /var/run/worker.heartbeat
            max_age: 10m
          drafts:
            file: /srv/drafts
          x-token:
            expires: 2027-01-31
            warn_before: 3d
          tls-cert:
            expires_command: [openssl, x509, -enddate, -noout, -in, /etc/ssl/site.pem]
            timeout: 3s
          session:
            expires_file: /var/lib/reddit/session.expiry
          x-api:
            command: [./probes/x-api.sh, --quick]
            needs: [database, api-health]
            ttl: 1m
        actions:
          restart-worker:
            run: [systemctl, restart, worker]
            requires: [database]
            cost: 2
            timeout: 30s
          clear-cache:
            run: "rm -rf /tmp/cache/* && touch /tmp/cache/.keep"
            shell: true
            cwd: /srv/worker
            env: {CACHE: /tmp/cache}
            output_limit: 4096
          split-line:
            run: ./restart.sh --hard
          kick-api:
            http: http://127.0.0.1:8000/restart
            method: put
            headers: {Authorization: Bearer abc}
            body: '{"restart": true}'
            expect: 202
            cost: 0.5
          ping-api:
            http: http://127.0.0.1:8000/ping
          pause-bot:
            pause: trading-bot
          resume-bot:
            resume: trading-bot
          tell-ops:
            notify: "the worker needs a hand"
        guards:
          volatility:
            monitor: trading-bot
            when: "volatility > 3.0 over 5m"
            min_samples: 3
            cool_down: 15m
            halt: [pause-bot]
            resume: [resume-bot]
          flaky:
            monitor: agent
            when: "failure_ratio > 0.5 over 10m"
            halt: [tell-ops]
          engagement:
            monitor: trading-bot
            when: "engagement < 0.2 over 1h"
        escalation:
          oncall:
            levels:
              - notify: [ops]
                after: 0
              - notify: [pager, ops-mail]
                after: 15m
              - after: 1h
            repeat: 2h
          once:
            levels:
              - notify: [ops]
        recovery_limit: 30/1h
        recurring_blocker: 4/12h
        """

    @Test("every probe kind loads with its options and defaults")
    func probeKinds() throws {
        let capabilities = try ConfigurationLoader.parse(Self.everything, fileName: "vigil.yml").recovery.capabilities
        #expect(capabilities["api-health"]?.probe
            == .http(url: url("http://127.0.0.1:8000/health"), expect: 200...299, timeout: 2))
        #expect(capabilities["api-default"]?.probe
            == .http(url: url("https://api.example.com/ping"), expect: 200...399, timeout: 5))
        #expect(capabilities["database"]?.probe == .tcp(host: "127.0.0.1", port: 5432, timeout: 5))
        #expect(capabilities["heartbeat"]?.probe == .file(path: "/var/run/worker.heartbeat", maxAge: 600))
        #expect(capabilities["drafts"]?.probe == .file(path: "/srv/drafts", maxAge: nil))
        #expect(capabilities["x-token"]?.probe == .expires(
            source: .date(Date(timeIntervalSince1970: 1_801_353_600)), warnBefore: 3 * 86_400, timeout: 5))
        #expect(capabilities["tls-cert"]?.probe == .expires(
            source: .command(["openssl", "x509", "-enddate", "-noout", "-in", "/etc/ssl/site.pem"]),
            warnBefore: 7 * 86_400, timeout: 3))
        #expect(capabilities["session"]?.probe == .expires(
            source: .file("/var/lib/reddit/session.expiry"), warnBefore: 7 * 86_400, timeout: 5))
        #expect(capabilities["x-api"] == Capability(
            name: "x-api", probe: .command(argv: ["./probes/x-api.sh", "--quick"], timeout: 5),
            needs: ["database", "api-health"], ttl: 60))
        #expect(capabilities["database"]?.needs == [])
        #expect(capabilities["database"]?.ttl == 30)
        #expect(capabilities.count == 9)
    }

    @Test("every action kind loads with its options and defaults")
    func actionKinds() throws {
        let actions = try ConfigurationLoader.parse(Self.everything, fileName: "vigil.yml").recovery.actions
        #expect(actions["restart-worker"] == Action(
            name: "restart-worker", kind: .run(CommandSpec(argv: ["systemctl", "restart", "worker"])),
            requires: ["database"], cost: 2, timeout: 30))
        #expect(actions["clear-cache"]?.kind == .run(CommandSpec(
            argv: ["rm -rf /tmp/cache/* && touch /tmp/cache/.keep"], shell: true, workingDirectory: "/srv/worker",
            environment: ["CACHE": "/tmp/cache"], outputLimit: 4096)))
        #expect(actions["split-line"]?.kind == .run(CommandSpec(argv: ["./restart.sh", "--hard"])))
        #expect(actions["kick-api"] == Action(
            name: "kick-api",
            kind: .http(HTTPRequestSpec(
                method: "PUT", url: url("http://127.0.0.1:8000/restart"), headers: ["Authorization": "Bearer abc"],
                body: #"{"restart": true}"#, expect: 202...202)),
            requires: [], cost: 0.5, timeout: 60))
        #expect(actions["ping-api"]?.kind
            == .http(HTTPRequestSpec(method: "POST", url: url("http://127.0.0.1:8000/ping"), expect: 200...299)))
        #expect(actions["pause-bot"]?.kind == .pause(monitor: "trading-bot"))
        #expect(actions["resume-bot"]?.kind == .resume(monitor: "trading-bot"))
        #expect(actions["tell-ops"]?.kind == .notify(message: "the worker needs a hand"))
        #expect(actions["tell-ops"]?.cost == 1)
        #expect(actions["tell-ops"]?.timeout == 60)
        #expect(actions.count == 8)
    }

    @Test("guards load their rule, window, samples, cool-down and actions, in file order")
    func guards() throws {
        let guards = try ConfigurationLoader.parse(Self.everything, fileName: "vigil.yml").recovery.guards
        #expect(guards == [
            GuardRule(
                name: "volatility", monitor: "trading-bot", kind: "volatility", condition: .meanAbove(3.0),
                window: 300, minimumSamples: 3, coolDown: 900, halt: ["pause-bot"], resume: ["resume-bot"]),
            GuardRule(
                name: "flaky", monitor: "agent", kind: "failure_ratio", condition: .failureRatioAbove(0.5),
                window: 600, minimumSamples: 1, coolDown: 600, halt: ["tell-ops"], resume: []),
            GuardRule(
                name: "engagement", monitor: "trading-bot", kind: "engagement", condition: .meanBelow(0.2),
                window: 3_600, minimumSamples: 1, coolDown: 600, halt: [], resume: []),
        ])
    }

    @Test("escalation policies, the global limit, the recurring-blocker rule and a monitor's short plan load")
    func escalationAndLimits() throws {
        let configuration = try ConfigurationLoader.parse(Self.everything, fileName: "vigil.yml")
        let recovery = configuration.recovery
        #expect(recovery.escalation["oncall"] == EscalationPolicy(
            levels: [
                .init(channels: ["ops"], after: 0),
                .init(channels: ["pager", "ops-mail"], after: 900),
                .init(channels: ["all"], after: 3_600),
            ],
            repeatEvery: 7_200))
        #expect(recovery.escalation["once"] == EscalationPolicy(levels: [.init(channels: ["ops"], after: 0)]))
        #expect(recovery.globalLimit == IntensityLimit(count: 30, window: 3_600))
        #expect(recovery.recurringBlocker == RecurringBlockerRule(count: 4, window: 43_200))

        let agent = try #require(configuration.monitors.first { $0.slug == "agent" })
        #expect(agent.dependsOn == ["api-health", "x-api"])
        #expect(agent.escalation == "oncall")
        #expect(agent.recovery == RecoveryPlan(actions: ["restart-worker", "kick-api"]))
        #expect(agent.recovery?.verifyWithin == 300)
        #expect(agent.recovery?.limit == IntensityLimit(count: 5, window: 3_600))
        let bot = try #require(configuration.monitors.first { $0.slug == "trading-bot" })
        #expect(bot.recovery == nil)
        #expect(bot.dependsOn.isEmpty)
    }

    // MARK: - Mistakes, each on its line

    @Test("an unknown key in a capability is reported on its line with the key it probably meant")
    func unknownCapabilityKey() {
        let found = mistakes(in: """
            capabilities:
              x-api:
                command: [./x.sh]
                neds: [network]
            """)
        #expect(found == [#"vigil.yml:4: unknown key "neds" in capability "x-api" — did you mean "needs"?"#])
    }

    @Test("a misspelt probe is an unknown key, and the capability is then said to have no probe")
    func misspeltProbe() {
        let found = mistakes(in: """
            capabilities:
              x-api:
                comand: [./x.sh]
            """)
        #expect(found.contains(#"vigil.yml:3: unknown key "comand" in capability "x-api" — did you mean "command"?"#),
            "\(found)")
        #expect(found.contains { $0.hasPrefix(#"vigil.yml:2: capability "x-api" has no probe"#) }, "\(found)")
    }

    @Test("two probes in one capability are reported on the second")
    func twoProbes() {
        let found = mistakes(in: """
            capabilities:
              db:
                tcp: 127.0.0.1:5432
                http: http://127.0.0.1:5432/health
            """)
        #expect(found == [
            #"vigil.yml:4: capability "db": has more than one probe (tcp, http)"#
                + " — keep one of command, http, tcp, file, expires, expires_command, expires_file"
        ])
    }

    @Test("an action that does two things is reported on the second")
    func actionDoesTwoThings() {
        let found = mistakes(in: """
            actions:
              fix:
                requires: []
                run: [./fix.sh]
                notify: fixed
            """)
        #expect(found == [
            #"vigil.yml:5: action "fix": does more than one thing (run, notify) — keep one of run, http, pause,"#
                + " resume, notify, and declare another action for the rest"
        ])
    }

    @Test("depends_on naming an undeclared capability is reported where it is named, with a suggestion")
    func undeclaredDependency() {
        let found = mistakes(in: """
            monitors:
              agent:
                every: 1m
                depends_on:
                  - x-api
                  - databse
            capabilities:
              database:
                tcp: 127.0.0.1:5432
              x-api:
                command: [./x.sh]
            """)
        #expect(found == [
            #"vigil.yml:6: monitor "agent": depends_on names capability "databse", which is not declared"#
                + #" — did you mean "database"?"#
        ])
    }

    @Test("requires naming an undeclared capability is reported on its line")
    func undeclaredRequirement() {
        let found = mistakes(in: """
            capabilities:
              database:
                tcp: 127.0.0.1:5432
            actions:
              restart:
                run: [./restart.sh]
                requires: [x-api]
            """)
        #expect(found == [
            #"vigil.yml:7: action "restart": requires names capability "x-api", which is not declared"#
                + " — declare it under capabilities: or fix the name"
        ])
    }

    @Test("a recovery plan naming an undeclared action is reported on its line")
    func undeclaredRecoveryAction() {
        let found = mistakes(in: """
            monitors:
              agent:
                every: 1m
                recovery:
                  verify_within: 2m
                  actions: [restart-workr]
            actions:
              restart-worker:
                run: [./restart.sh]
            """)
        #expect(found == [
            #"vigil.yml:6: monitor "agent": recovery.actions names action "restart-workr", which is not declared"#
                + #" — did you mean "restart-worker"?"#
        ])

        let short = mistakes(in: """
            monitors:
              agent:
                every: 1m
                recovery: [page-someone]
            """)
        #expect(short == [
            #"vigil.yml:4: monitor "agent": recovery names action "page-someone", which is not declared"#
                + " — declare it under actions: or fix the name"
        ])
    }

    @Test("a guard whose halt names an undeclared action, or whose monitor is undeclared, is reported on its line")
    func undeclaredGuardNames() {
        let found = mistakes(in: """
            monitors:
              trading-bot:
                every: 1m
            guards:
              volatility:
                monitor: trading-bot
                when: "volatility > 3.0 over 5m"
                halt: [pause-bot]
              other:
                monitor: trading-bat
                when: "volatility > 3.0 over 5m"
            """)
        #expect(found == [
            #"vigil.yml:8: guard "volatility": halt names action "pause-bot", which is not declared"#
                + " — declare it under actions: or fix the name",
            #"vigil.yml:10: guard "other": monitor names monitor "trading-bat", which is not declared"#
                + #" — did you mean "trading-bot"?"#,
        ])
    }

    @Test("a guard can watch a kind for drops")
    func dropsGuard() throws {
        let configuration = try ConfigurationLoader.parse("""
            monitors:
              content-pipeline:
                every: 1h
            actions:
              pause-posting:
                pause: content-pipeline
            guards:
              engagement:
                monitor: content-pipeline
                when: "engagement drops"
                min_samples: 3
                halt: [pause-posting]
            """, fileName: "vigil.yml")
        #expect(configuration.recovery.guards == [
            GuardRule(
                name: "engagement", monitor: "content-pipeline", kind: "engagement", condition: .drops, window: 0,
                minimumSamples: 3, coolDown: 600, halt: ["pause-posting"], resume: []),
        ])
    }

    @Test("a when: that is not a rule is reported on its line", arguments: [
        "engagement drops over 5m", "failure_ratio drops", "Engagement drops",
        "volatility >> 3 over 5m", "volatility > 3 in 5m", "volatility > high over 5m", "volatility > 3 over",
        "failure_ratio > 2 over 5m", "failure_ratio < 0.5 over 5m", "Volatility > 3 over 5m", "volatility > 3 over 5x",
    ])
    func badWhen(rule: String) {
        let found = mistakes(in: """
            monitors:
              trading-bot:
                every: 1m
            guards:
              volatility:
                monitor: trading-bot
                when: "\(rule)"
            """)
        #expect(found.count == 1, "\(found)")
        #expect(found.first?.hasPrefix(#"vigil.yml:7: guard "volatility": "#) == true, "\(found)")
    }

    @Test("a bad duration is reported once, on its line; what uses the faulty declaration is not called undeclared")
    func badDurations() {
        let found = mistakes(in: """
            monitors:
              agent:
                every: 1m
                recovery:
                  actions: [restart]
                  verify_within: 5x
            capabilities:
              heartbeat:
                file: /tmp/heartbeat
                max_age: soon
            actions:
              restart:
                run: [./restart.sh]
                timeout: forever
            guards:
              slow:
                monitor: agent
                when: "failure_ratio > 0.5 over 10m"
                cool_down: 10 minutes
            """)
        #expect(found.count == 4, "\(found)")
        #expect(found.map { $0.split(separator: ":").prefix(2).joined(separator: ":") }
            == ["vigil.yml:6", "vigil.yml:10", "vigil.yml:14", "vigil.yml:19"])
        #expect(found.first?.contains(#"monitor "agent": recovery: verify_within "5x" is not a duration"#) == true,
            "\(found)")
        #expect(found.last?.contains(#"guard "slow": cool_down "10 minutes" is not a duration"#) == true, "\(found)")
    }

    @Test("a capability that needs itself is reported on its needs line")
    func needsItself() {
        let found = mistakes(in: """
            capabilities:
              x-api:
                command: [./x.sh]
                needs: [x-api]
            """)
        #expect(found == [
            #"vigil.yml:4: capability "x-api" needs itself through x-api — remove the loop from needs:"#
        ])
    }

    @Test("a loop through two capabilities is reported on each needs line, in file order")
    func needsLoop() {
        let found = mistakes(in: """
            capabilities:
              vpn:
                command: [./vpn.sh]
                needs: [network]
              network:
                needs: [vpn]
                command: [./network.sh]
            """)
        #expect(found == [
            #"vigil.yml:4: capability "vpn" needs itself through network — remove the loop from needs:"#,
            #"vigil.yml:6: capability "network" needs itself through vpn — remove the loop from needs:"#,
        ])
    }
}
