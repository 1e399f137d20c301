import Foundation
import Testing
import VigilEngine
import VigilServer

/// The dashboard of a live `vigil serve`, opened in a real headless Chromium as a person would open it.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct DashboardBrowserTests {
    static let config = """
        listen: 127.0.0.1:8080
        auth: off
        monitors:
          agent:
            every: 1s
            grace: 1s
            tags: [bots]
          nightly-backup:
            every: 1h
            grace: 10m
            tags: [prod]
          content-pipeline:
            every: 4h
            progress: [post.published]
        """

    /// Where screenshots go: `.build/test-output/`, beside the build products.
    static var outputFolder: URL {
        let build = Command.vigilBinary.deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return build.appendingPathComponent("test-output")
    }

    @Test func aPersonSeesTheStalledMonitorItsIncidentAndALiveIndicator() async throws {
        guard let chromium = Browser.find() else {
            Issue.record(
                "chromium is not installed, so the dashboard cannot be checked in a browser: install it with `apt-get install -y chromium` (.ci/run does this on CI)")
            return
        }
        let server = try ServerProcess(config: Self.config)
        try await server.start()
        defer { server.stop() }

        // The agent progresses once and stops; the backup reports with a log body; the pipeline never starts.
        let agent = try await server.monitor("agent")
        let backup = try await server.monitor("nightly-backup")
        for (url, body) in [(agent.pingURL ?? "", "agent ran"), (backup.pingURL ?? "", "<b>backup</b> done")] {
            let ping = try await Command.curl(["--fail", "--max-time", "10", "--data-binary", body, url])
            #expect(ping.status == 0, "\(ping.stderr)")
        }
        try await eventually("agent stalled") { try await server.monitor("agent").state == "stalled" }
        let incidentID = try #require(try await server.monitor("agent").incidentID)

        let browser = Browser(executable: chromium)
        defer { browser.cleanUp() }

        // The overview, after the page's own script ran.
        let overview = try await browser.dumpDOM("\(server.url)/")
        let agentRow = try #require(Self.row(of: agent.slug, in: overview), "no row for agent in: \(overview)")
        #expect(agentRow.contains("<span class=\"pill stalled\" data-field=\"state\">stalled</span>"))
        let backupRow = try #require(Self.row(of: backup.slug, in: overview))
        #expect(backupRow.contains("<span class=\"pill up\" data-field=\"state\">up</span>"))
        // Its last progress as a relative time ("just now", "12 s ago"), with the absolute time as its title.
        #expect(backupRow.contains("data-field=\"last_progress\"><time datetime=\"") && backupRow.contains(" UTC\""))
        let pipelineRow = try #require(Self.row(of: "content-pipeline", in: overview))
        #expect(pipelineRow.contains(">new</span>"))
        // Problems first.
        #expect(overview.range(of: agentRow)!.lowerBound < overview.range(of: backupRow)!.lowerBound)
        // The live script came from Vigil itself, ran under the page's content security policy and showed its
        // indicator (hidden without JavaScript).
        #expect(overview.contains("<span id=\"live\" class=\"live"))
        #expect(!overview.contains("<span id=\"live\" class=\"live\" hidden"))
        #expect(overview.contains("data-count=\"stalled\">1</strong>"))

        // The agent's page: the open incident and the timeline.
        let page = try await browser.dumpDOM("\(server.url)/monitors/agent")
        #expect(page.contains("<h2 id=\"incident\">Open incident</h2>"))
        #expect(page.contains("href=\"/incidents/\(incidentID)\""))
        #expect(page.contains("<span class=\"pill late\">late</span> → <span class=\"pill stalled\">stalled</span>"))
        #expect(page.contains("<code class=\"body\">agent ran</code>"))
        // The badge on the page is embeddable without a login and says what the page says.
        let badge = try #require(page.firstMatch(of: /<img src="([^"]+\/monitor\/agent\.svg)"/)).output.1
        let svg = try await Command.curl(["--fail", "--max-time", "10", String(badge)])
        #expect(svg.stdout.contains("<title>agent: down</title>"), "\(svg.stdout)\(svg.stderr)")

        // The incident's own page.
        let incident = try await browser.dumpDOM("\(server.url)/incidents/\(incidentID)")
        #expect(incident.contains("<span class=\"pill stalled\">open</span>"))
        #expect(incident.contains("incident.opened"))

        // Screenshots a person can look at: desktop and phone width.
        try FileManager.default.createDirectory(at: Self.outputFolder, withIntermediateDirectories: true)
        for (name, size, path) in [
            ("dashboard.png", "1280,900", "/"), ("dashboard-phone.png", "375,812", "/"),
            ("dashboard-monitor.png", "1280,1400", "/monitors/agent"),
        ] {
            let file = Self.outputFolder.appendingPathComponent(name)
            try await browser.screenshot("\(server.url)\(path)", to: file, size: size)
            let data = try Data(contentsOf: file)
            #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(file.path) is not a PNG")
            #expect(data.count > 10_000, "\(file.path) is only \(data.count) bytes")
            print("dashboard screenshot: \(file.path)")
        }
    }

    /// The `<tr>` of a monitor in the overview.
    static func row(of slug: String, in html: String) -> String? {
        let rows = html.components(separatedBy: "<tr data-monitor-id=").dropFirst()
        return rows.first { $0.contains(">\(slug)</a>") }.map { $0.components(separatedBy: "</tr>")[0] }
    }
}

/// Headless Chromium with its own throwaway profile.
struct Browser {
    let executable: URL
    let profile = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-chromium-\(UUID().uuidString)")

    /// `chromium` on the PATH or in /usr/bin.
    static func find() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":").map(String.init) + ["/usr/bin"] {
            for name in ["chromium", "chromium-browser"] {
                let candidate = URL(fileURLWithPath: folder).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }

    private var common: [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--hide-scrollbars", "--user-data-dir=\(profile.path)",
        ]
    }

    /// The DOM once the page loaded and its deferred script ran. (`--virtual-time-budget` would wait for the
    /// network to go quiet, which an open event stream never does.)
    func dumpDOM(_ url: String) async throws -> String {
        let outcome = try await Command.run(executable, common + ["--dump-dom", url])
        guard outcome.status == 0, outcome.stdout.contains("</html>") else {
            throw TestFailure("chromium --dump-dom \(url) failed (\(outcome.status)): \(outcome.stderr)")
        }
        return outcome.stdout
    }

    func screenshot(_ url: String, to file: URL, size: String) async throws {
        try? FileManager.default.removeItem(at: file)
        let outcome = try await Command.run(
            executable, common + ["--screenshot=\(file.path)", "--window-size=\(size)", url])
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw TestFailure("chromium --screenshot \(url) wrote nothing (\(outcome.status)): \(outcome.stderr)")
        }
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: profile)
    }
}
