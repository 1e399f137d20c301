import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import VigilCore
import VigilEngine
import VigilServer
import VigilStore

/// The healthchecks.io-compatible ping API, through the production router over a real engine and SQLite store.
@Suite struct PingAPITests {
    /// How a ping names its monitor: `/ping/<uuid>` or `/ping/<project ping key>/<slug>`.
    enum Address: String, CaseIterable, Sendable {
        case key
        case slug

        func url(_ slug: String, in api: PingAPI) throws -> String {
            switch self {
            case .key: "/ping/\(try api.key(slug))"
            case .slug: "/ping/\(PingAPI.pingKey)/\(slug)"
            }
        }
    }

    static let methods: [HTTPRequest.Method] = [.head, .get, .post]

    /// The monitor as `GET /api/v1/monitors/<slug>` shows it.
    static func view(_ slug: String, _ client: some TestClientProtocol) async throws -> MonitorView {
        let response = try await client.execute(uri: "/api/v1/monitors/\(slug)", method: .get)
        #expect(response.status == .ok)
        return try VigilJSON.decoder.decode(MonitorView.self, from: Data(buffer: response.body))
    }

    // MARK: - URL forms

    static let forms: [(suffix: String, kind: String, value: Double?)] = [
        ("", "success", nil),
        ("/start", "start", nil),
        ("/fail", "fail", nil),
        ("/log", "log", nil),
        ("/0", "success", nil),
        ("/1", "exit:1", nil),
        ("/255", "exit:255", nil),
        ("/signal/post.published", "post.published", nil),
        ("/signal/queue.offset?value=-3.25", "queue.offset", -3.25),
    ]

    @Test(arguments: Address.allCases)
    func everyURLFormAndMethodStoresItsSignal(address: Address) async throws {
        try await PingAPI.test([PingAPI.hourly("backup")]) { api, client in
            let url = try address.url("backup", in: api)
            var sent = 0
            for method in Self.methods {
                for form in Self.forms {
                    let body = method == .post ? "\(method) \(form.suffix)" : nil
                    let response = try await client.ping(
                        url + form.suffix, method, body: body, expect: .ok, limit: api.bodyLimit
                    )
                    if method != .head { #expect(String(buffer: response.body) == "OK") }
                    sent += 1
                    let newest = try #require(try await api.signals("backup").first)
                    #expect(newest.signal.kind.rawValue == form.kind, "\(method) \(form.suffix)")
                    #expect(newest.signal.value == form.value, "\(method) \(form.suffix)")
                    #expect(newest.signal.body == body, "\(method) \(form.suffix)")
                    #expect(newest.signal.runID == nil)
                }
            }
            #expect(try await api.signals("backup").count == sent)
        }
    }

    @Test(arguments: Address.allCases)
    func eachPingMovesTheMonitorAsOnHealthchecks(address: Address) async throws {
        try await PingAPI.test([PingAPI.hourly("backup")]) { api, client in
            let url = try address.url("backup", in: api)
            let limit = api.bodyLimit
            #expect(try await Self.view("backup", client).state == "new")

            try await client.ping(url, .head, expect: .ok, limit: limit)
            var view = try await Self.view("backup", client)
            #expect(view.state == "up")
            let firstProgress = try #require(view.lastProgress)

            try await client.ping(url + "/start", .get, expect: .ok, limit: limit)
            view = try await Self.view("backup", client)
            #expect(view.state == "up" && view.running)

            try await client.ping(url + "/log", .post, body: "half way", expect: .ok, limit: limit)
            view = try await Self.view("backup", client)
            #expect(view.state == "up" && view.running)
            #expect(view.lastProgress == firstProgress, "a log is not progress")

            try await client.ping(url + "/3", .post, expect: .ok, limit: limit)
            view = try await Self.view("backup", client)
            #expect(view.state == "failing" && !view.running)
            #expect(view.incidentID != nil)

            try await client.ping(url + "/0", .get, expect: .ok, limit: limit)
            view = try await Self.view("backup", client)
            #expect(view.state == "up" && view.incidentID == nil)
            #expect(try #require(view.lastProgress) >= firstProgress)

            try await client.ping(url + "/fail", .head, expect: .ok, limit: limit)
            #expect(try await Self.view("backup", client).state == "failing")

            // A typed kind that the monitor does not count is stored but is neither progress nor failure.
            try await client.ping(url + "/signal/post.published", .get, expect: .ok, limit: limit)
            #expect(try await Self.view("backup", client).state == "failing")
            #expect(try await api.signals("backup").first?.isProgress == false)

            try await client.ping(url, .post, expect: .ok, limit: limit)
            #expect(try await Self.view("backup", client).state == "up")
        }
    }

    // MARK: - Run ids

    @Test(arguments: Address.allCases)
    func aStartAndAnEndWithTheSameRunIDRecordTheRunDuration(address: Address) async throws {
        try await PingAPI.test([PingAPI.hourly("backup")]) { api, client in
            let url = try address.url("backup", in: api)
            let limit = api.bodyLimit
            let first = UUID()
            let second = UUID()
            try await client.ping(url + "/start?rid=\(first.uuidString.lowercased())", expect: .ok, limit: limit)
            try await client.ping(url + "/start?rid=\(second.uuidString)", .post, expect: .ok, limit: limit)
            #expect(try await Self.view("backup", client).running)

            try await client.ping(url + "/0?rid=\(first.uuidString.lowercased())", .head, expect: .ok, limit: limit)
            var signals = try await api.signals("backup")
            let firstStart = try #require(signals.first { $0.signal.kind == .start && $0.signal.runID == first })
            let firstEnd = try #require(signals.first)
            #expect(firstEnd.signal.kind == .success && firstEnd.signal.runID == first)
            let duration = try #require(firstEnd.runDuration, "the end of a started run records its duration")
            #expect(abs(duration - firstEnd.signal.at.timeIntervalSince(firstStart.signal.at)) < 0.001)
            #expect(try await Self.view("backup", client).running, "the second run has not ended")

            try await client.ping(url + "/fail?rid=\(second.uuidString.lowercased())", expect: .ok, limit: limit)
            signals = try await api.signals("backup")
            #expect(signals.first?.signal.runID == second)
            #expect(signals.first?.runDuration != nil)
            let view = try await Self.view("backup", client)
            #expect(view.state == "failing" && !view.running)

            // No run is open any more, so an end without a start has no duration.
            try await client.ping(url, expect: .ok, limit: limit)
            #expect(try await api.signals("backup").first?.runDuration == nil)
        }
    }

    @Test func anEndWithAnotherRunIDLeavesTheRunOpen() async throws {
        try await PingAPI.test([PingAPI.hourly("backup")]) { api, client in
            let url = try Address.key.url("backup", in: api)
            try await client.ping(url + "/start?rid=\(UUID())", expect: .ok, limit: api.bodyLimit)
            try await client.ping(url + "?rid=\(UUID())", expect: .ok, limit: api.bodyLimit)
            #expect(try await Self.view("backup", client).running)
            #expect(try await api.signals("backup").first?.runDuration == nil)
        }
    }

    // MARK: - Creating and finding monitors

    @Test func createProvisionsAnUnknownSlugAndOnlyThen() async throws {
        try await PingAPI.test([PingAPI.hourly("backup")]) { api, client in
            let limit = api.bodyLimit
            let base = "/ping/\(PingAPI.pingKey)"
            let response = try await client.ping(
                base + "/fresh-job?create=1", .post, body: "first run", expect: .created, limit: limit
            )
            #expect(String(buffer: response.body) == "Created")
            let created = try api.snapshot("fresh-job")
            #expect(created.monitor.origin == .autoProvisioned)
            #expect(created.state.status == .up)
            #expect(try await api.signals("fresh-job").map(\.signal.body) == ["first run"])
            let stored = try await api.store.loadMonitors()
            #expect(stored.contains { $0.monitor.id == created.monitor.id }, "the created monitor is durable")

            // Once it exists, `create` changes nothing and the answer is a plain 200.
            try await client.ping(base + "/fresh-job/start?create=1", expect: .ok, limit: limit)
            #expect(api.engine.snapshots().filter { $0.monitor.slug == "fresh-job" }.count == 1)
            try await client.ping(base + "/fresh-job", .head, expect: .ok, limit: limit)
            #expect(try await api.signals("fresh-job").count == 3)

            for uri in [base + "/other-job", base + "/other-job/start", base + "/other-job?create=0"] {
                try await client.ping(uri, .post, expect: .notFound, limit: limit)
            }
            #expect(api.engine.snapshot(slugOrKey: "other-job") == nil)
            #expect(api.engine.snapshots().count == 2)
        }
    }

    @Test func unknownMonitorsAndWrongKeysAre404AndCreateNothing() async throws {
        try await PingAPI.test([PingAPI.hourly("backup")]) { api, client in
            let key = try api.key("backup")
            let unknown = UUID().uuidString.lowercased()
            let uris = [
                "/ping/\(unknown)",
                "/ping/\(unknown)/start",
                "/ping/\(unknown)?create=1",
                "/ping/\(PingAPI.pingKey)/nightly",
                "/ping/\(PingAPI.pingKey)/nightly/fail",
                "/ping/wrong-key-1234/backup",
                "/ping/wrong-key-1234/backup/start",
                "/ping/wrong-key-1234/backup?create=1",
                "/ping/wrong-key-1234/nightly?create=1",
                "/ping/\(key)/bogus",
                "/ping/\(key)/-1",
                "/ping/\(key)/start/extra",
                "/ping/\(key)/signal/commit/extra",
            ]
            for method in Self.methods {
                for uri in uris {
                    try await client.ping(uri, method, expect: .notFound, limit: api.bodyLimit)
                }
            }
            #expect(api.engine.snapshots().map(\.monitor.slug) == ["backup"])
            #expect(try await api.store.loadMonitors().map(\.monitor.slug) == ["backup"])
            #expect(try await api.allSignals().isEmpty)
            #expect(try await Self.view("backup", client).state == "new")
        }
    }

    @Test func anAmbiguousSlugIs409() async throws {
        try await PingAPI.test([PingAPI.hourly("shared")]) { api, client in
            let limit = api.bodyLimit
            let declared = try api.snapshot("shared").monitor
            let second = Monitor(
                id: UUID(), key: UUID(), slug: "shared", schedule: .every(3_600), grace: 600, origin: .api
            )
            try await api.engine.add(second)
            #expect(try await api.store.loadMonitors().filter { $0.monitor.slug == "shared" }.count == 2)

            let byKey = Monitor(
                id: UUID(), key: declared.key, slug: "other", schedule: .every(60), grace: 60, origin: .api
            )
            await #expect(throws: EngineError.self) { try await api.engine.add(byKey) }

            for uri in ["/ping/\(PingAPI.pingKey)/shared", "/ping/\(PingAPI.pingKey)/shared/start?create=1"] {
                let response = try await client.ping(uri, .post, body: "which one?", expect: .conflict, limit: limit)
                #expect(String(buffer: response.body).contains("ambiguous"))
            }
            #expect(api.engine.snapshots().count == 2)
            #expect(try await api.allSignals().isEmpty)

            // Each can still be pinged by its own key.
            try await client.ping("/ping/\(declared.key.uuidString.lowercased())", expect: .ok, limit: limit)
            try await client.ping("/ping/\(second.key.uuidString)/fail", expect: .ok, limit: limit)
            let states = api.engine.snapshots().map { ($0.monitor.id, $0.state.status) }
            #expect(states.first { $0.0 == declared.id }?.1 == .up)
            #expect(states.first { $0.0 == second.id }?.1 == .failing)
            #expect(try await api.store.signals(monitorID: second.id, limit: 10).map(\.signal.kind) == [.fail])
        }
    }

    // MARK: - Bodies

    @Test(arguments: [0, 16, 40_000])
    func theBodyIsKeptUpToTheLimit(limit: Int) async throws {
        try await PingAPI.test([PingAPI.hourly("backup")], bodyLimit: limit) { api, client in
            let url = try Address.key.url("backup", in: api)
            // Larger than the router's 32 KiB chunks for the biggest limit, so the cut can fall in a later chunk.
            let long = String((0..<(limit * 2 + 7)).map { Character(String($0 % 10)) })
            try await client.ping(url, .post, body: long, expect: .ok, limit: limit)
            let kept = try await api.signals("backup").first?.signal.body
            #expect(kept?.utf8.count ?? 0 == limit)
            #expect(kept == (limit == 0 ? nil : String(long.prefix(limit))))

            let exact = String(repeating: "x", count: limit)
            try await client.ping(url + "/log", .post, body: exact, expect: .ok, limit: limit)
            #expect(try await api.signals("backup").first?.signal.body == (limit == 0 ? nil : exact))

            try await client.ping(url + "/start", .get, expect: .ok, limit: limit)
            #expect(try await api.signals("backup").first?.signal.body == nil)
        }
    }

    // MARK: - Bad input

    /// URL endings that are wrong and what the reason must say.
    static let badEndings: [(suffix: String, reason: String)] = [
        ("/256", "0-255"),
        ("/1000", "0-255"),
        ("/99999999999999999999999", "0-255"),
        ("/signal/queue.offset?value=abc", "not a number"),
        ("/signal/queue.offset?value=nan", "not a number"),
        ("/signal/queue.offset?value=inf", "not a number"),
        ("?value=", "not a number"),
        ("/signal/Post.Published", "not valid"),
        ("/signal/-dash", "not valid"),
        ("/signal/exit:1", "not valid"),
        ("/signal/" + String(repeating: "a", count: 65), "not valid"),
        ("/signal/start", "ping of its own"),
        ("/signal/success", "ping of its own"),
        ("/signal/fail", "ping of its own"),
        ("/signal/log", "ping of its own"),
        ("/start?rid=nope", "not a UUID"),
        ("?rid=", "not a UUID"),
    ]

    @Test(arguments: Address.allCases)
    func badInputIs400WithAReasonAndChangesNothing(address: Address) async throws {
        try await PingAPI.test([PingAPI.hourly("backup")]) { api, client in
            let url = try address.url("backup", in: api)
            for method in [HTTPRequest.Method.get, .post] {
                for bad in Self.badEndings {
                    let response = try await client.ping(
                        url + bad.suffix, method, body: "ignored", expect: .badRequest, limit: api.bodyLimit
                    )
                    let reason = String(buffer: response.body)
                    #expect(reason.contains(bad.reason), "\(bad.suffix): \(reason)")
                }
            }
            #expect(try await api.signals("backup").isEmpty)
            let view = try await Self.view("backup", client)
            #expect(view.state == "new" && view.lastSignal == nil && !view.running)
        }
    }

    // MARK: - Refusals

    @Test func aMonitorOverItsRateLimitIs429AndTheRefusedSignalIsNotStored() async throws {
        let monitors = [
            PingAPI.hourly("chatty", rateLimit: RateLimit(count: 2, window: 3_600)),
            PingAPI.hourly("quiet"),
        ]
        try await PingAPI.test(monitors) { api, client in
            let url = try Address.slug.url("chatty", in: api)
            try await client.ping(url, .post, body: "one", expect: .ok, limit: api.bodyLimit)
            try await client.ping(url, .post, body: "two", expect: .ok, limit: api.bodyLimit)
            let response = try await client.ping(
                url + "/start", .post, body: "three", expect: .tooManyRequests, limit: api.bodyLimit
            )
            #expect(String(buffer: response.body).contains("rate limited"))
            // Two pings an hour: the next token is about half an hour away.
            let retryAfter = try #require(response.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...1_800).contains(retryAfter))

            #expect(try await api.signals("chatty").map(\.signal.body) == ["two", "one"])
            #expect(try await Self.view("chatty", client).running == false)
            // The limit is per monitor.
            try await client.ping(try Address.key.url("quiet", in: api), expect: .ok, limit: api.bodyLimit)
        }
    }

    @Test func aSignalThatCannotBeMadeDurableIs503AndNotRecorded() async throws {
        try await PingAPI.test([PingAPI.hourly("backup")]) { api, client in
            let url = try Address.key.url("backup", in: api)
            let limit = api.bodyLimit
            api.faults.failWrites(true)
            for method in Self.methods {
                let response = try await client.ping(
                    url, method, body: method == .post ? "lost" : nil, expect: .serviceUnavailable, limit: limit
                )
                if method != .head { #expect(String(buffer: response.body).contains("retry")) }
            }
            try await client.ping(
                "/ping/\(PingAPI.pingKey)/fresh-job?create=1", .post, expect: .serviceUnavailable, limit: limit
            )
            #expect(try await api.allSignals().isEmpty)
            #expect(try await api.store.loadMonitors().map(\.monitor.slug) == ["backup"])
            // What was not acknowledged does not show either.
            let view = try await Self.view("backup", client)
            #expect(view.state == "new" && view.lastSignal == nil && view.lastProgress == nil)
            #expect(api.engine.snapshot(slugOrKey: "fresh-job") == nil)

            api.faults.failWrites(false)
            try await client.ping(url, .post, body: "kept", expect: .ok, limit: limit)
            #expect(try await api.signals("backup").map(\.signal.body) == ["kept"])
            #expect(try await Self.view("backup", client).state == "up")
            try await client.ping("/ping/\(PingAPI.pingKey)/fresh-job?create=1", expect: .created, limit: limit)
        }
    }

    // MARK: - Progress, not liveness

    @Test func onlyTheProgressKindsMoveAMonitorUp() async throws {
        try await PingAPI.test([PingAPI.hourly("blog", progress: ["post.published"])]) { api, client in
            let url = try Address.slug.url("blog", in: api)
            try await client.ping(url, expect: .ok, limit: api.bodyLimit)
            try await client.ping(url + "/0", expect: .ok, limit: api.bodyLimit)
            var view = try await Self.view("blog", client)
            #expect(view.state == "new" && view.lastProgress == nil, "a liveness ping is not progress")
            #expect(view.lastSignal != nil)

            try await client.ping(url + "/signal/post.published", .post, expect: .ok, limit: api.bodyLimit)
            view = try await Self.view("blog", client)
            #expect(view.state == "up")
            let published = try #require(try await api.signals("blog").first)
            #expect(published.isProgress)
            #expect(abs(try #require(view.lastProgress).timeIntervalSince(published.signal.at)) < 0.001)

            try await client.ping(url, expect: .ok, limit: api.bodyLimit)
            view = try await Self.view("blog", client)
            #expect(abs(try #require(view.lastProgress).timeIntervalSince(published.signal.at)) < 0.001)
            #expect(try await api.signals("blog").map(\.isProgress) == [false, true, false, false])
        }
    }

    @Test func anAdvancingKindCountsOnlyWhenItsValueGrows() async throws {
        try await PingAPI.test([PingAPI.hourly("queue", advancing: ["queue.offset"])]) { api, client in
            let url = try Address.key.url("queue", in: api) + "/signal/queue.offset"
            for value in ["?value=10", "?value=10", "?value=7", "", "?value=12.5", "?value=12"] {
                try await client.ping(url + value, .post, expect: .ok, limit: api.bodyLimit)
            }
            let signals = try await api.signals("queue")
            #expect(signals.reversed().map(\.isProgress) == [true, false, false, false, true, false])
            #expect(signals.reversed().map(\.signal.value) == [10, 10, 7, nil, 12.5, 12])
            let view = try await Self.view("queue", client)
            #expect(view.state == "up")
            let lastGrowth = signals[1].signal.at
            #expect(abs(try #require(view.lastProgress).timeIntervalSince(lastGrowth)) < 0.001)
        }
    }

    // MARK: - Listing

    @Test func theMonitorListShowsStateProgressDeadlineAndPingURL() async throws {
        try await PingAPI.test([PingAPI.hourly("zeta"), PingAPI.hourly("alpha")]) { api, client in
            try await client.ping(try Address.slug.url("alpha", in: api), expect: .ok, limit: api.bodyLimit)
            let response = try await client.execute(uri: "/api/v1/monitors", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
            let list = try #require(json as? [[String: Any]])
            #expect(list.map { $0["slug"] as? String } == ["alpha", "zeta"])

            let alpha = list[0]
            #expect(alpha["state"] as? String == "up")
            #expect(alpha["ping_url"] as? String == "\(PingAPI.baseURL)/ping/\(try api.key("alpha"))")
            let lastProgress = try Self.date(alpha["last_progress"])
            let nextDeadline = try Self.date(alpha["next_deadline"])
            // Progress is due an hour after the last; the monitor turns late then.
            #expect(abs(nextDeadline.timeIntervalSince(lastProgress) - 3_600) < 0.002)
            let stored = try #require(try await api.signals("alpha").first)
            #expect(abs(lastProgress.timeIntervalSince(stored.signal.at)) < 0.002)

            let zeta = list[1]
            #expect(zeta["state"] as? String == "new")
            #expect(zeta["ping_url"] as? String == "\(PingAPI.baseURL)/ping/\(try api.key("zeta"))")
            #expect(zeta["last_progress"] == nil || zeta["last_progress"] is NSNull)
            #expect(zeta["next_deadline"] == nil || zeta["next_deadline"] is NSNull)
        }
    }

    static func date(_ value: Any?, sourceLocation: SourceLocation = #_sourceLocation) throws -> Date {
        let text = try #require(value as? String, sourceLocation: sourceLocation)
        return try Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)
    }
}
