import Foundation
import Testing
import VigilCore

@testable import VigilEngine

@Suite struct ConfigurationLoaderTests {
    static let example = """
        listen: 127.0.0.1:8080
        ping_key: 5f2b8c1e9d7a4e3b            # project ping key for slug URLs
        monitors:
          nightly-backup:
            schedule: "30 2 * * *"            # cron, 5 fields
            tz: Europe/Berlin
            grace: 30m
          content-pipeline:
            every: 4h
            grace: 15m
            progress: [post.published, thread.published]   # only these kinds count as progress
          agent:
            every: 2s
            grace: 1s
            max_runtime: 10s                  # a started run must end within this
        notify:
          - webhook: http://127.0.0.1:9000/hook

        """

    /// The diagnostics of text that must not load, as the user reads them.
    func mistakes(in text: String) -> [String] {
        do {
            let configuration = try ConfigurationLoader.parse(text, fileName: "vigil.yml")
            Issue.record("expected mistakes, loaded \(configuration)")
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    func monitor(_ settings: String, top: String = "") throws -> MonitorDeclaration {
        let text = top + "monitors:\n  m:\n" + settings.split(separator: "\n").map { "    \($0)\n" }.joined()
        let configuration = try ConfigurationLoader.parse(text, fileName: "vigil.yml")
        return try #require(configuration.monitors.first)
    }

    // MARK: - What loads

    @Test func theExampleLoadsAsWritten() throws {
        let configuration = try ConfigurationLoader.parse(Self.example, fileName: "vigil.yml")
        let cron = try CronExpression(parsing: "30 2 * * *")
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let expected = Configuration(
            listen: ListenAddress(host: "127.0.0.1", port: 8080),
            pingKey: "5f2b8c1e9d7a4e3b",
            monitors: [
                MonitorDeclaration(
                    slug: "nightly-backup", schedule: .cron(cron, berlin), grace: 30 * 60, line: 4
                ),
                MonitorDeclaration(
                    slug: "content-pipeline", schedule: .every(4 * 3600), grace: 15 * 60,
                    progressKinds: ["post.published", "thread.published"], line: 8
                ),
                MonitorDeclaration(slug: "agent", schedule: .every(2), grace: 1, maxRuntime: 10, line: 12),
            ],
            notify: [.webhook(try #require(URL(string: "http://127.0.0.1:9000/hook")))]
        )
        #expect(configuration == expected)
        #expect(configuration.monitors.map(\.slug) == ["nightly-backup", "content-pipeline", "agent"])
        #expect(configuration.monitors[0].progressKinds == ["success"])
        #expect(configuration.baseURL == nil)
        #expect(configuration.durability == .normal)
    }

    @Test(arguments: ["", "\n\n", "# nothing configured yet\n", "---\n", "~\n"])
    func anEmptyFileIsTheDefaultConfiguration(text: String) throws {
        #expect(try ConfigurationLoader.parse(text, fileName: "vigil.yml") == .default)
    }

    @Test func theDefaultConfigurationListensOnLoopbackWithNoMonitors() {
        let configuration = Configuration.default
        #expect(configuration.listen.description == "127.0.0.1:8080")
        #expect(configuration.baseURL == nil)
        #expect(configuration.pingKey == nil)
        #expect(configuration.durability == .normal)
        #expect(configuration.pingBodyLimit == 100_000)
        #expect(configuration.signalsKept == 100)
        #expect(configuration.rateLimit == nil)
        #expect(configuration.monitors.isEmpty)
        #expect(configuration.notify.isEmpty)
    }

    @Test func topLevelSettingsLoad() throws {
        let text = """
            listen: "[::1]:9090"
            base_url: https://vigil.example.com/
            ping_key: project_key-01
            durability: full
            ping_body_limit: 2_000
            keep_signals: 500
            rate_limit: 60/1m
            notify:
              - webhook: https://hooks.example.com/vigil?team=ops
              - webhook: http://127.0.0.1:9000/hook
            """
        let configuration = try ConfigurationLoader.parse(text, fileName: "vigil.yml")
        #expect(configuration.listen == ListenAddress(host: "::1", port: 9090))
        #expect(configuration.listen.description == "[::1]:9090")
        #expect(configuration.baseURL == "https://vigil.example.com")
        #expect(configuration.pingKey == "project_key-01")
        #expect(configuration.durability == .full)
        #expect(configuration.pingBodyLimit == 2000)
        #expect(configuration.signalsKept == 500)
        #expect(configuration.rateLimit == RateLimit(count: 60, window: 60))
        #expect(configuration.notify.count == 2)
        #expect(configuration.monitors.isEmpty)
    }

    @Test(arguments: [
        ("localhost:0", ListenAddress(host: "localhost", port: 0)),
        ("0.0.0.0:80", ListenAddress(host: "0.0.0.0", port: 80)),
        ("\"[::1]:8080\"", ListenAddress(host: "::1", port: 8080)),
    ])
    func listenAddressesLoad(text: String, expected: ListenAddress) throws {
        let configuration = try ConfigurationLoader.parse("listen: \(text)", fileName: "vigil.yml")
        #expect(configuration.listen == expected)
    }

    @Test func graceDefaultsToThePeriodUpToAnHourAndToAnHourForCron() throws {
        #expect(try monitor("every: 10m").grace == 600)
        #expect(try monitor("every: 4h").grace == 3600)
        #expect(try monitor("schedule: \"*/5 * * * *\"").grace == 3600)
    }

    @Test func aMonitorHasDefaultsForWhatItLeavesOut() throws {
        let declaration = try monitor("schedule: \"0 3 * * *\"")
        #expect(
            declaration.schedule
                == .cron(try CronExpression(parsing: "0 3 * * *"), try #require(TimeZone(identifier: "UTC"))))
        #expect(declaration.key == nil)
        #expect(declaration.maxRuntime == nil)
        #expect(declaration.progressKinds == Monitor.defaultProgressKinds)
        #expect(declaration.advancingKinds.isEmpty)
        #expect(declaration.rateLimit == nil)
        #expect(declaration.tags.isEmpty)
        #expect(declaration.line == 2)
    }

    @Test func monitorSettingsLoad() throws {
        let declaration = try monitor(
            """
            every: 1h30m
            key: 0B8C1B8E-4C5E-4F3A-9D55-8F0F0B7B9E21
            progress: [commit, job.succeeded]
            advancing: [queue.done]
            rate_limit: 10/s
            tags: backups nightly backups
            """
        )
        #expect(declaration.schedule == .every(5400))
        #expect(declaration.key == UUID(uuidString: "0b8c1b8e-4c5e-4f3a-9d55-8f0f0b7b9e21"))
        #expect(declaration.progressKinds == ["commit", "job.succeeded"])
        #expect(declaration.advancingKinds == ["queue.done"])
        #expect(declaration.rateLimit == RateLimit(count: 10, window: 1))
        #expect(declaration.tags == ["backups", "nightly"])
        #expect(try monitor("every: 1m\ntags: [a, b]").tags == ["a", "b"])
    }

    @Test func aMonitorInheritsTheTopLevelRateLimitUnlessItSaysOtherwise() throws {
        let text = """
            monitors:
              inherits:
                every: 1m
              own:
                every: 1m
                rate_limit: 5/1s
              unlimited:
                every: 1m
                rate_limit: off
            rate_limit: 60/1m
            """
        let configuration = try ConfigurationLoader.parse(text, fileName: "vigil.yml")
        #expect(
            configuration.monitors.map(\.rateLimit) == [
                RateLimit(count: 60, window: 60), RateLimit(count: 5, window: 1), nil,
            ])
    }

    @Test func loadReadsTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-\(UUID().uuidString).yml").path
        try Self.example.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try ConfigurationLoader.load(contentsOf: path)
        #expect(configuration.monitors.count == 3)
    }

    // MARK: - Mistakes

    @Test(
        arguments: [
            // Unknown keys, with the nearest known one.
            (
                "monitors:\n  agent:\n    every: 2s\n    gracee: 1s\n",
                "vigil.yml:4: unknown key \"gracee\" in monitor \"agent\" — did you mean \"grace\"?"
            ),
            ("lisen: 127.0.0.1:8080\n", "vigil.yml:1: unknown key \"lisen\" — did you mean \"listen\"?"),
            ("monitor:\n  a:\n    every: 1m\n", "vigil.yml:1: unknown key \"monitor\" — did you mean \"monitors\"?"),
            (
                "monitors:\n  a:\n    every: 1m\n    maxRuntime: 5m\n",
                "vigil.yml:4: unknown key \"maxRuntime\" in monitor \"a\" — did you mean \"max_runtime\"?"
            ),
            (
                "notify:\n  - webhok: http://127.0.0.1:9000/hook\n",
                "vigil.yml:2: unknown key \"webhok\" in notify entry 1 — did you mean \"webhook\"?"
            ),
            (
                "colour: blue\n",
                "vigil.yml:1: unknown key \"colour\" — known keys: listen, base_url, ping_key, durability,"
                    + " ping_body_limit,"
                    + " keep_signals, rate_limit, monitors, notify, auth, api_keys, capabilities, actions, guards, escalation,"
                    + " recovery_limit, recurring_blocker"
            ),
            // Wrong types.
            (
                "monitors:\n  a:\n    every: [1m, 2m]\n",
                "vigil.yml:3: monitor \"a\": every must be a single value, not a list — e.g. every: 1h"
            ),
            (
                "listen:\n  host: 127.0.0.1\n",
                "vigil.yml:2: listen must be a single value, not a mapping — e.g. listen: 127.0.0.1:8080"
            ),
            (
                "monitors:\n  a:\n    every: 1m\n    grace:\n",
                "vigil.yml:4: monitor \"a\": grace has no value — e.g. grace: 30m"
            ),
            (
                "monitors:\n  - every: 1m\n",
                "vigil.yml:2: monitors must map each monitor's name to its settings, not be a list or a value"
                    + " — e.g. \"nightly-backup:\" on its own line with its settings indented below"
            ),
            (
                "monitors:\n  a: 5m\n",
                "vigil.yml:2: monitor \"a\": its settings must be indented below its name, not written as a"
                    + " list or a value"
                    + " — e.g. \"every: 1h\" on the next line"
            ),
            (
                "monitors:\n  a:\n",
                "vigil.yml:2: monitor \"a\" has no settings — add every: 1h or schedule: \"0 3 * * *\" below it"
            ),
            (
                "monitors:\n  a:\n    every: 1m\n    progress: {kind: x}\n",
                "vigil.yml:4: monitor \"a\": progress must be a list, not a mapping"
                    + " — e.g. progress: [post.published, thread.published]"
            ),
            (
                "- listen: 127.0.0.1:8080\n",
                "vigil.yml:1: the file must be a mapping of settings — e.g. \"listen: 127.0.0.1:8080\" and"
                    + " \"monitors:\""
            ),
            (
                "notify:\n  webhook: http://127.0.0.1:9000/hook\n",
                "vigil.yml:2: notify must be a list — write each target on its own line,"
                    + " e.g. \"- webhook: https://example.com/hook\""
            ),
            // Durations, cron and time zones.
            (
                "monitors:\n  nightly-backup:\n    schedule: \"30 2 * * *\"\n    grace: 5x\n",
                "vigil.yml:4: monitor \"nightly-backup\": grace \"5x\" is not a duration (try 5m, 2h or 1h30m)"
            ),
            (
                "monitors:\n  a:\n    every: soon\n",
                "vigil.yml:3: monitor \"a\": every \"soon\" is not a duration (try 5m, 2h or 1h30m)"
            ),
            (
                "monitors:\n  a:\n    every: 1m\n    max_runtime: 10 minutes\n",
                "vigil.yml:4: monitor \"a\": max_runtime \(Self.durationMessage("10 minutes"))"
            ),
            (
                "monitors:\n  a:\n    every: 0s\n",
                "vigil.yml:3: monitor \"a\": every \(Self.durationMessage("0s"))"
            ),
            (
                "monitors:\n  a:\n    schedule: 5m\n",
                "vigil.yml:3: monitor \"a\": schedule \"5m\" is a period, not a cron expression — write every: 5m"
            ),
            (
                "monitors:\n  a:\n    schedule: \"30 2 * *\"\n",
                "vigil.yml:3: monitor \"a\": schedule \"30 2 * *\": \(Self.cronMessage("30 2 * *"))"
            ),
            (
                "monitors:\n  a:\n    schedule: \"30 2 * * *\"\n    tz: Europe/Berln\n",
                "vigil.yml:4: monitor \"a\": tz \"Europe/Berln\" is not an IANA time zone — e.g. Europe/Berlin,"
                    + " America/New_York, UTC"
            ),
            // every and schedule: both, neither, tz with every.
            (
                "monitors:\n  a:\n    every: 1h\n    schedule: \"0 * * * *\"\n",
                "vigil.yml:4: monitor \"a\": every: and schedule: are both set — keep one:"
                    + " every: for a fixed period, schedule: for a cron expression"
            ),
            (
                "monitors:\n  a:\n    grace: 5m\n",
                "vigil.yml:2: monitor \"a\": neither every: nor schedule: is set — add every: 1h or schedule:"
                    + " \"0 3 * * *\""
            ),
            (
                "monitors:\n  a:\n    every: 1h\n    tz: Europe/Berlin\n",
                "vigil.yml:4: monitor \"a\": tz: applies only to schedule: — remove it, every: counts the same in every"
                    + " time zone"
            ),
            // Addresses, keys and URLs.
            (
                "listen: 127.0.0.1\n",
                "vigil.yml:1: listen \"127.0.0.1\" has no port — write host:port, e.g. 127.0.0.1:8080"
            ),
            ("listen: 8080\n", "vigil.yml:1: listen \"8080\" has no port — write host:port, e.g. 127.0.0.1:8080"),
            (
                "listen: 127.0.0.1:99999\n",
                "vigil.yml:1: listen \"127.0.0.1:99999\": port \"99999\" is not a number from 0 to 65535"
                    + " — e.g. 127.0.0.1:8080"
            ),
            (
                "listen: \"::1:8080\"\n",
                "vigil.yml:1: listen \"::1:8080\" is ambiguous — put an IPv6 address in brackets, e.g. \"[::1]:8080\""
            ),
            (
                "listen: local host:80\n",
                "vigil.yml:1: listen \"local host:80\": \"local host\" is not a host name or address"
                    + " — e.g. 127.0.0.1, localhost or [::1]"
            ),
            (
                "base_url: vigil.example.com\n",
                "vigil.yml:1: base_url \"vigil.example.com\" is not an http or https URL — e.g."
                    + " https://vigil.example.com"
            ),
            (
                "notify:\n  - webhook: ftp://files.example.com/hook\n",
                "vigil.yml:2: notify entry 1: webhook \"ftp://files.example.com/hook\" is not an http or https URL"
                    + " — e.g. http://127.0.0.1:9000/hook"
            ),
            (
                "notify:\n  - http://127.0.0.1:9000/hook\n",
                "vigil.yml:2: notify entry 1 must name its kind — e.g. \"- webhook: https://example.com/hook\""
            ),
            (
                "ping_key: short\n",
                "vigil.yml:1: ping_key \"short\" must be 8 to 64 letters, digits, \"-\" or \"_\""
                    + " — e.g. the output of openssl rand -hex 8"
            ),
            (
                "ping_key: 0b8c1b8e-4c5e-4f3a-9d55-8f0f0b7b9e21\n",
                "vigil.yml:1: ping_key \"0b8c1b8e-4c5e-4f3a-9d55-8f0f0b7b9e21\" looks like a UUID, which ping URLs take"
                    + " for a monitor's key — use another value, e.g. the output of openssl rand -hex 8"
            ),
            (
                "monitors:\n  a:\n    every: 1m\n    key: abc\n",
                "vigil.yml:4: monitor \"a\": key \"abc\" is not a UUID — leave key: out to get one, or use the"
                    + " output of uuidgen"
            ),
            // Other settings.
            ("durability: fast\n", "vigil.yml:1: durability \"fast\" is not known — use normal or full"),
            (
                "ping_body_limit: 20000000\n",
                "vigil.yml:1: ping_body_limit \"20000000\" is not a number of bytes from 0 to 10000000"
                    + " — e.g. ping_body_limit: 100000"
            ),
            (
                "keep_signals: 0\n",
                "vigil.yml:1: keep_signals \"0\" is not a number of signals from 1 to 100000 — e.g. keep_signals: 100"
            ),
            (
                "rate_limit: 60 per minute\n",
                "vigil.yml:1: rate_limit \"60 per minute\" is not COUNT/DURATION — e.g. 60/1m or 10/s, or off"
            ),
            ("rate_limit: 0/1m\n", "vigil.yml:1: rate_limit \"0/1m\" allows no pings — e.g. 60/1m or 10/s, or off"),
            (
                "monitors:\n  a:\n    every: 1m\n    rate_limit: 5/fortnight\n",
                "vigil.yml:4: monitor \"a\": rate_limit \"5/fortnight\": \"fortnight\" is not a duration"
                    + " — e.g. 60/1m or 10/s, or off"
            ),
            // Names and kinds.
            (
                "monitors:\n  Nightly Backup:\n    every: 1d\n",
                "vigil.yml:2: monitor name \"Nightly Backup\" is not a valid slug — use up to 64 lowercase"
                    + " letters, digits,"
                    + " \"-\" and \"_\", starting with a letter or digit, e.g. nightly-backup"
            ),
            (
                "monitors:\n  a:\n    every: 1m\n    progress: [Post Published]\n",
                "vigil.yml:4: monitor \"a\": progress kind \"Post Published\" is not a valid kind — use up to"
                    + " 64 lowercase"
                    + " letters, digits, \".\", \"_\", \":\" and \"-\", e.g. post.published"
            ),
            (
                "monitors:\n  a:\n    every: 1m\n    advancing:\n      - queue.done\n      - success\n",
                "vigil.yml:6: monitor \"a\": \"success\" cannot be an advancing kind, it carries no value to compare"
                    + " — list it under progress:, or name a kind that sends a value, e.g. items.done"
            ),
            (
                "monitors:\n  a:\n    every: 1m\n    progress: []\n",
                "vigil.yml:4: monitor \"a\": progress is empty, so nothing would count as progress"
                    + " — list kinds such as [success], or leave progress: out"
            ),
            (
                "monitors:\n  a:\n    every: 1m\n    tags: [\"two words\"]\n",
                "vigil.yml:4: monitor \"a\": tag \"two words\" must be one word of up to 64 characters"
                    + " — e.g. tags: [backups, nightly]"
            ),
        ] as [(String, String)])
    func eachMistakeIsReportedWithItsLine(text: String, expected: String) {
        #expect(mistakes(in: text) == [expected])
    }

    static func durationMessage(_ text: String) -> String {
        do {
            _ = try DurationFormat.parse(text)
            return "(parses)"
        } catch {
            return error.message
        }
    }

    static func cronMessage(_ text: String) -> String {
        do {
            _ = try CronExpression(parsing: text)
            return "(parses)"
        } catch {
            return error.message
        }
    }

    @Test func aMonitorDeclaredTwiceIsReportedAtItsSecondDeclaration() {
        let text = """
            monitors:
              agent:
                every: 2s
              other:
                every: 1m
              agent:
                every: 5s
                grace: soon
            """
        #expect(
            mistakes(in: text) == [
                "vigil.yml:6: monitor \"agent\" is declared twice (first on line 2) — give each monitor its own name"
            ])
        #expect(
            mistakes(in: "monitors:\n  a:\n    every: 1m\n  a:\n    every: 1m\n  a: {}\n") == [
                "vigil.yml:4: monitor \"a\" is declared twice (first on line 2) — give each monitor its own name",
                "vigil.yml:6: monitor \"a\" is declared twice (first on line 2) — give each monitor its own name",
            ])
    }

    @Test func aSettingWrittenTwiceIsReportedAndTheRestIsStillRead() {
        let text = """
            listen: 127.0.0.1:8080
            monitors:
              agent:
                every: 2s
                grace: 1s
                "grace": 5x
              other:
                every: never
            listen: 127.0.0.1:9090
            """
        #expect(
            mistakes(in: text) == [
                "vigil.yml:6: monitor \"agent\": grace is set twice (first on line 5) — keep one",
                "vigil.yml:8: monitor \"other\": every \"never\" is not a duration (try 5m, 2h or 1h30m)",
                "vigil.yml:9: listen is set twice (first on line 1) — keep one",
            ])
    }

    @Test func aMistypedScheduleKeyIsOneMistakeNotTwo() {
        #expect(
            mistakes(in: "monitors:\n  a:\n    evry: 1m\n") == [
                "vigil.yml:3: unknown key \"evry\" in monitor \"a\" — did you mean \"every\"?"
            ])
        #expect(
            mistakes(in: "monitors:\n  a:\n    cron: \"0 3 * * *\"\n") == [
                "vigil.yml:3: unknown key \"cron\" in monitor \"a\" — did you mean \"schedule\"?"
            ])
    }

    @Test func twoMonitorsWithOneKeyAreReported() {
        let text = """
            monitors:
              a:
                every: 1m
                key: 0b8c1b8e-4c5e-4f3a-9d55-8f0f0b7b9e21
              b:
                every: 1m
                key: 0B8C1B8E-4C5E-4F3A-9D55-8F0F0B7B9E21
            """
        #expect(
            mistakes(in: text) == [
                "vigil.yml:5: monitor \"b\": key \"0b8c1b8e-4c5e-4f3a-9d55-8f0f0b7b9e21\" is also the key of"
                    + " monitor \"a\""
                    + " (line 2) — give each monitor its own key"
            ])
    }

    @Test func everyMistakeInAFileIsReportedInFileOrder() {
        let text = """
            listen: localhost
            monitors:
              nightly-backup:
                schedule: "30 2 * * *"
                tz: Europe/Berln
                grace: 5x
              agent:
                every: 2s
                gracee: 1s
              pipeline:
                every: 4h
                schedule: "0 * * * *"
            durability: sometimes
            notify:
              - webhook: not a url
            """
        let found = mistakes(in: text)
        #expect(
            found.map { $0.split(separator: ":").prefix(2).joined(separator: ":") } == [
                "vigil.yml:1", "vigil.yml:5", "vigil.yml:6", "vigil.yml:9", "vigil.yml:12", "vigil.yml:13",
                "vigil.yml:15",
            ])
        #expect(found[1].contains("tz \"Europe/Berln\""))
        #expect(found[2].contains("grace \"5x\""))
        #expect(found[3].contains("did you mean \"grace\""))
    }

    @Test func aYAMLSyntaxErrorNamesTheLineYamsReports() {
        let text = """
            listen: 127.0.0.1:8080
            monitors:
              agent:
                every: 2s
               grace: 1s
            """
        let found = mistakes(in: text)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("vigil.yml:5: YAML syntax error: ") == true)
        #expect(found.first?.hasSuffix(" — check the indentation, colons and quotes") == true)
    }

    @Test func aTabInTheIndentationSaysSo() {
        #expect(
            mistakes(in: "monitors:\n\tagent:\n    every: 1s\n") == [
                "vigil.yml:2: YAML syntax error: found character that cannot start any token"
                    + " (while scanning for the next token on line 2) — indent with spaces, not tabs"
            ])
    }

    @Test func aSecondDocumentIsReported() {
        #expect(
            mistakes(in: "listen: 127.0.0.1:8080\n---\nmonitors:\n") == [
                "vigil.yml:2: the file holds more than one YAML document — keep one, without a second \"---\""
            ])
    }

    @Test func anUnquotedIPv6AddressIsASyntaxErrorThatSuggestsQuotes() {
        let found = mistakes(in: "listen: [::1]:8080\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("vigil.yml:1: YAML syntax error: ") == true)
        #expect(found.first?.hasSuffix("e.g. \"[::1]:8080\"") == true)
    }

    @Test func anUnclosedQuoteIsASyntaxError() {
        let found = mistakes(in: "monitors:\n  a:\n    schedule: \"30 2 * * *\n    grace: 1m\n")
        #expect(found.count == 1)
        #expect(found.first?.contains("YAML syntax error") == true)
    }

    @Test func aMissingFileIsAConfigurationError() throws {
        let path = "/nonexistent-\(UUID().uuidString)/vigil.yml"
        let error = try #require(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(contentsOf: path)
        }
        #expect(
            error.description
                == "\(path): no such file — check the path, or leave out the configuration file to run with defaults"
        )
    }

    @Test func aDirectoryIsAConfigurationError() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try ConfigurationLoader.load(contentsOf: FileManager.default.temporaryDirectory.path)
        }
        #expect(error.diagnostics.count == 1)
        #expect(error.diagnostics.first?.line == nil)
        #expect(error.description.hasSuffix(": is a directory — give the path of the YAML file, e.g. vigil.yml"))
    }

    @Test func messagesNameTheFileAndNeverASwiftType() throws {
        let error = try #require(throws: ConfigurationError.self) {
            try ConfigurationLoader.parse(
                "monitors:\n  a:\n    every: {x: 1}\n    grace: [1]\n    key: [2]\n    tags: {a: b}\n",
                fileName: "/etc/vigil/vigil.yml"
            )
        }
        #expect(error.diagnostics.count == 4)
        for line in error.description.split(separator: "\n") {
            #expect(line.hasPrefix("/etc/vigil/vigil.yml:"))
            for word in ["DecodingError", "Optional", "Swift.", "Yams", "Node", "Error("] {
                #expect(!line.contains(word), "\(line)")
            }
        }
    }
}
