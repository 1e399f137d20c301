import Foundation
import Testing
import VigilCore
import VigilEngine

/// Probes against real processes, a real loopback HTTP server, real sockets and real files.
@Suite struct ProbeRunnerTests {
    func probe(_ probe: Probe, now: Date? = nil) async -> ProbeResult {
        let runner = now.map { date in ProbeRunner(now: { date }) } ?? ProbeRunner()
        return await runner.probe(Capability(name: "target", probe: probe), useCache: false)
    }

    // MARK: - Command

    @Test func aProbeThatHangsTimesOutAndCountsAsBlocked() async throws {
        let started = ContinuousClock.now
        let result = await probe(.command(argv: ["sh", "-c", "sleep 300 & sleep 300"], timeout: 1))
        #expect(ContinuousClock.now - started < .seconds(100))
        #expect(result.status == .blocked)
        #expect(result.reason == "timed out after 1s")
        #expect(result.capability == "target")
    }

    @Test func theFirstLineOfACommandIsTheReason() async throws {
        let good = await probe(
            .command(argv: ["sh", "-c", "printf '\\n   token valid for 3 days  \\nmore\\n'"], timeout: 30))
        #expect(good.status == .available)
        #expect(good.reason == "token valid for 3 days")

        let bad = await probe(
            .command(argv: ["sh", "-c", "echo session expired >&2; echo relogin; exit 2"], timeout: 30))
        #expect(bad.status == .blocked)
        #expect(bad.reason == "session expired")

        let silent = await probe(.command(argv: ["false"], timeout: 30))
        #expect(silent.status == .blocked)
        #expect(silent.reason == "exit status 1")

        let missing = await probe(.command(argv: ["vigil-no-such-probe"], timeout: 30))
        #expect(missing.status == .blocked)
        #expect(missing.reason.contains("command not found"))
    }

    @Test func theReasonIsTheFirstLineEvenWhenTheOutputIsLong() async throws {
        let result = await probe(.command(argv: ["sh", "-c", "echo first; yes | head -c 1000000"], timeout: 60))
        #expect(result.status == .available)
        #expect(result.reason == "first")
    }

    // MARK: - HTTP and TCP

    @Test func anHTTPProbeChecksTheStatus() async throws {
        let server = try await RuntimeSupport.StatusServer.running()

        let good = await probe(.http(url: server.url("/ok"), expect: 200...399, timeout: 10))
        #expect(good.status == .available)
        #expect(good.reason == "HTTP 200")

        let bad = await probe(.http(url: server.url("/down"), expect: 200...399, timeout: 10))
        #expect(bad.status == .blocked)
        #expect(bad.reason == "HTTP 503, expected 200...399")

        let expected = await probe(.http(url: server.url("/down"), expect: 503...503, timeout: 10))
        #expect(expected.status == .available)

        let started = ContinuousClock.now
        let slow = await probe(.http(url: server.url("/slow"), expect: 200...399, timeout: 1))
        #expect(ContinuousClock.now - started < .seconds(100))
        #expect(slow.status == .blocked)
        #expect(slow.reason.contains("timed out"), "\(slow.reason)")
    }

    @Test func anHTTPProbeOfARefusedPortIsBlocked() async throws {
        let port = try RuntimeSupport.unusedPort()
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/health"))
        let result = await probe(.http(url: url, expect: 200...399, timeout: 10))
        #expect(result.status == .blocked)
        #expect(result.reason == "connection refused")
    }

    @Test func aTCPProbeConnects() async throws {
        let server = try await RuntimeSupport.StatusServer.running()

        let open = await probe(.tcp(host: "127.0.0.1", port: server.port, timeout: 10))
        #expect(open.status == .available)
        #expect(open.reason == "127.0.0.1:\(server.port): connected")

        let port = try RuntimeSupport.unusedPort()
        let refused = await probe(.tcp(host: "127.0.0.1", port: port, timeout: 10))
        #expect(refused.status == .blocked)
        #expect(refused.reason == "127.0.0.1:\(port): connection refused")
    }

    // MARK: - File

    @Test func aFileProbeChecksExistenceAndAge() async throws {
        let directory = try RuntimeSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("last-run").path
        let now = Date(timeIntervalSince1970: 1_800_000_000)

        let missing = await probe(.file(path: path, maxAge: nil), now: now)
        #expect(missing.status == .blocked)
        #expect(missing.reason == "\(path): no such file")

        #expect(FileManager.default.createFile(atPath: path, contents: Data("done\n".utf8)))
        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-7200)], ofItemAtPath: path)
        let exists = await probe(.file(path: path, maxAge: nil), now: now)
        #expect(exists.status == .available)

        let stale = await probe(.file(path: path, maxAge: 3600), now: now)
        #expect(stale.status == .blocked)
        #expect(stale.reason == "\(path): not modified for 2h (limit 1h)")

        try FileManager.default.setAttributes([.modificationDate: now.addingTimeInterval(-600)], ofItemAtPath: path)
        let fresh = await probe(.file(path: path, maxAge: 3600), now: now)
        #expect(fresh.status == .available)
        #expect(fresh.reason == "\(path): modified 10m ago")
    }

    // MARK: - Expiry

    @Test func anExpiryDateIsBlockedWhenPastAndExpiringWhenNear() async throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let day: TimeInterval = 86_400

        let past = await probe(.expires(source: .date(now - day), warnBefore: 7 * day, timeout: 5), now: now)
        #expect(past.status == .blocked)
        #expect(past.reason == "expired at 2027-01-14T08:00:00Z")
        #expect(!past.isAvailable)

        let near = await probe(.expires(source: .date(now + 3 * day), warnBefore: 7 * day, timeout: 5), now: now)
        #expect(near.status == .expiring)
        #expect(near.reason.hasPrefix("expires in 3d"))
        #expect(near.isAvailable)

        let far = await probe(.expires(source: .date(now + 90 * day), warnBefore: 7 * day, timeout: 5), now: now)
        #expect(far.status == .available)
        #expect(far.reason.hasPrefix("expires in 90d"))
    }

    @Test func anExpiryDateIsReadAsOpenSSLPrintsIt() async throws {
        let argv = ["sh", "-c", "echo 'notAfter=Nov 29 10:00:00 2027 GMT'"]
        let source = ExpirySource.command(argv)
        let certificateEnd = try #require(ISO8601DateFormatter().date(from: "2027-11-29T10:00:00Z"))

        let near = await probe(
            .expires(source: source, warnBefore: 7 * 86_400, timeout: 30), now: certificateEnd - 3 * 86_400)
        #expect(near.status == .expiring)
        #expect(near.reason == "expires in 3d (2027-11-29T10:00:00Z)")

        let past = await probe(.expires(source: source, warnBefore: 7 * 86_400, timeout: 30), now: certificateEnd + 60)
        #expect(past.status == .blocked)
        #expect(past.reason == "expired at 2027-11-29T10:00:00Z")

        let padded = ExpirySource.command(["echo", "notAfter=Nov  9 10:00:00 2027 GMT"])
        let early = await probe(.expires(source: padded, warnBefore: 86_400, timeout: 30), now: certificateEnd)
        #expect(early.status == .blocked)
        #expect(early.reason == "expired at 2027-11-09T10:00:00Z")
    }

    @Test func anExpiryDateIsReadFromAFileOrFailsClearly() async throws {
        let directory = try RuntimeSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("token-expiry").path
        try "2027-11-29T10:00:00Z\n".write(toFile: path, atomically: true, encoding: .utf8)
        let now = try #require(ISO8601DateFormatter().date(from: "2027-11-29T09:00:00Z"))

        let soon = await probe(.expires(source: .file(path), warnBefore: 86_400, timeout: 30), now: now)
        #expect(soon.status == .expiring)
        #expect(soon.reason == "expires in 1h (2027-11-29T10:00:00Z)")

        try "no date here\n".write(toFile: path, atomically: true, encoding: .utf8)
        let garbled = await probe(.expires(source: .file(path), warnBefore: 86_400, timeout: 30), now: now)
        #expect(garbled.status == .blocked)
        #expect(garbled.reason == "\(path): no expiry date in it")

        let failing = await probe(
            .expires(
                source: .command(["sh", "-c", "echo token store locked; exit 1"]), warnBefore: 86_400, timeout: 30),
            now: now
        )
        #expect(failing.status == .blocked)
        #expect(failing.reason == "cannot read the expiry: token store locked")

        let hanging = await probe(
            .expires(source: .command(["sleep", "300"]), warnBefore: 86_400, timeout: 1), now: now)
        #expect(hanging.status == .blocked)
        #expect(hanging.reason == "timed out after 1s")
    }

    // MARK: - Cache and parallel probes

    @Test func resultsAreCachedForTheCapabilitysTTL() async throws {
        let directory = try RuntimeSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let counter = directory.appendingPathComponent("runs").path
        let clock = RuntimeSupport.ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
        let runner = ProbeRunner(now: { clock.now })
        let capability = Capability(
            name: "session",
            probe: .command(argv: ["sh", "-c", "echo run >> \"$0\"; echo ok", counter], timeout: 30),
            ttl: 30
        )
        func runs() -> Int {
            ((try? String(contentsOfFile: counter, encoding: .utf8)) ?? "").split(separator: "\n").count
        }

        let first = await runner.probe(capability)
        #expect(first.status == .available)
        #expect(runs() == 1)

        clock.advance(by: 29)
        let cached = await runner.probe(capability)
        #expect(runs() == 1)
        #expect(cached == first)
        #expect(runner.cachedResult(for: capability) == first)

        clock.advance(by: 2)
        #expect(runner.cachedResult(for: capability) == nil)
        let second = await runner.probe(capability)
        #expect(runs() == 2)
        #expect(second.checkedAt == clock.now)

        _ = await runner.probe(capability, useCache: false)
        #expect(runs() == 3)

        runner.invalidate("session")
        _ = await runner.probe(capability)
        #expect(runs() == 4)

        runner.invalidateAll()
        _ = await runner.probe(capability)
        #expect(runs() == 5)

        // A changed probe is not answered from the cache of the old one.
        var changed = capability
        changed.probe = .command(argv: ["sh", "-c", "echo run >> \"$0\"; echo changed", counter], timeout: 30)
        let fresh = await runner.probe(changed)
        #expect(runs() == 6)
        #expect(fresh.reason == "changed")
    }

    @Test func manyCapabilitiesAreProbedTogether() async throws {
        let directory = try RuntimeSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let runner = ProbeRunner()
        let port = try RuntimeSupport.unusedPort()
        let capabilities = [
            Capability(
                name: "content-creation", probe: .command(argv: ["echo", "drafts folder writable"], timeout: 30)),
            Capability(name: "x-api", probe: .expires(source: .date(Date() - 60), warnBefore: 0, timeout: 5)),
            Capability(name: "reddit-session", probe: .tcp(host: "127.0.0.1", port: port, timeout: 5)),
            Capability(name: "hung", probe: .command(argv: ["sleep", "300"], timeout: 1)),
            Capability(name: "workspace", probe: .file(path: directory.path, maxAge: nil)),
        ]
        let started = ContinuousClock.now
        let results = await runner.probe(capabilities)
        #expect(ContinuousClock.now - started < .seconds(100))
        #expect(Set(results.keys) == Set(capabilities.map(\.name)))
        #expect(results["content-creation"]?.status == .available)
        #expect(results["content-creation"]?.reason == "drafts folder writable")
        #expect(results["x-api"]?.status == .blocked)
        #expect(results["reddit-session"]?.status == .blocked)
        #expect(results["hung"]?.reason == "timed out after 1s")
        #expect(results["workspace"]?.status == .available)
    }
}
