import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VigilCore
import VigilEngine
import VigilServer
import VigilStore

/// The healthchecks.io Management API v3 over Vigil: every route, its keys, its shapes and its refusals, through the
/// production router over a real SQLite file.
@Suite struct HealthchecksAPITests {
    static let writeKey = "vigil_hc-read-write-key-000001"
    static let readKey = "vigil_hc-read-only-key-0000001"
    /// The declared monitor's ping key, so that its `unique_key` can be checked against healthchecks.io's formula:
    /// SHA-1 of the first 16 hex digits of the uuid, computed outside Vigil.
    static let declaredKey = UUID(uuidString: "f618072a-7bde-4eee-af63-71a77c5723bc")!
    static let declaredUniqueKey = "69ac51664c827e8f64a265bb001c5fc29512285c"
    static let notify = [
        NotifyTarget(.webhook(URL(string: "http://127.0.0.1:9/hook")!), name: "ops"),
        NotifyTarget(.slack(URL(string: "http://127.0.0.1:9/slack")!)),
    ]

    /// A running engine on a real store that declares `declared` (tags `prod db`), and the production router over it
    /// with a read-write and a read-only key.
    struct Harness {
        let directory: URL
        let store: SQLiteStore
        let faults: FaultyStore
        let engine: Engine

        func snapshot(_ slug: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Engine.Snapshot {
            try #require(engine.snapshot(slugOrKey: slug), "no monitor \(slug)", sourceLocation: sourceLocation)
        }

        func uuid(_ slug: String) throws -> String {
            try snapshot(slug).monitor.key.uuidString.lowercased()
        }
    }

    static func withV3(
        auth: Bool = true,
        notify: [NotifyTarget] = notify,
        _ body: @Sendable (Harness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-hc-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try SQLiteStore(path: directory.appendingPathComponent("vigil.sqlite").path)
        let faults = FaultyStore(store)
        let engine = Engine(
            store: faults,
            settings: Engine.Settings(
                baseURL: PingAPI.baseURL, pingKey: PingAPI.pingKey, notify: notify, defaultRateLimit: nil)
        )
        try await engine.start(declaring: [
            MonitorDeclaration(
                slug: "declared", key: declaredKey, schedule: .every(3_600), grace: 600, tags: ["prod", "db"])
        ])
        let settings = AccessSettings(
            required: auth,
            keys: [
                ConfiguredAPIKey(name: "rw", hash: APIKey.hash(writeKey), readOnly: false),
                ConfiguredAPIKey(name: "ro", hash: APIKey.hash(readKey), readOnly: true),
            ]
        )
        let router = buildRouter(
            engine: engine, pingBodyLimit: 1_000, gate: Gate(settings: settings, store: store),
            badgeSecret: Array("badge-secret-for-the-hc-tests".utf8)
        )
        let harness = Harness(directory: directory, store: store, faults: faults, engine: engine)
        try await Application(router: router).test(.router) { client in try await body(harness, client) }
    }

    // MARK: - Helpers

    static func headers(_ key: String?) -> HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let key { fields[HTTPField.Name("X-Api-Key")!] = key }
        return fields
    }

    @discardableResult
    static func call(
        _ client: any TestClientProtocol,
        _ method: HTTPRequest.Method,
        _ uri: String,
        key: String? = writeKey,
        body: String? = nil,
        expect status: HTTPResponse.Status,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> TestResponse {
        let response = try await client.execute(
            uri: uri, method: method, headers: headers(key), body: body.map { ByteBuffer(string: $0) }
        )
        #expect(response.status == status, "\(method) \(uri): \(String(buffer: response.body))",
                sourceLocation: sourceLocation)
        return response
    }

    static func object(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) throws
        -> [String: Any]
    {
        try #require(
            JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any],
            "not a JSON object: \(String(buffer: response.body))", sourceLocation: sourceLocation)
    }

    static func error(_ response: TestResponse, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try #require(try object(response, sourceLocation: sourceLocation)["error"] as? String,
                     sourceLocation: sourceLocation)
    }

    static func checks(_ response: TestResponse) throws -> [[String: Any]] {
        try #require(try object(response)["checks"] as? [[String: Any]])
    }

    /// healthchecks.io's timestamps: whole seconds with an explicit UTC offset.
    static func isTimestamp(_ value: Any?) -> Bool {
        guard let text = value as? String else { return false }
        return text.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00/) != nil
    }

    // MARK: - Keys

    @Test func missingWrongAndReadOnlyKeysAreRefusedInHealthchecksWords() async throws {
        try await Self.withV3 { api, client in
            let uuid = try api.uuid("declared")
            let missing = try await Self.call(client, .get, "/api/v3/checks/", key: nil, expect: .unauthorized)
            #expect(try Self.error(missing) == "missing api key")
            let wrong = try await Self.call(client, .get, "/api/v3/checks/", key: "vigil_nope", expect: .unauthorized)
            #expect(try Self.error(wrong) == "wrong api key")

            // A read-only key reads checks, flips and badges, and nothing else.
            try await Self.call(client, .get, "/api/v3/checks/", key: Self.readKey, expect: .ok)
            try await Self.call(client, .get, "/api/v3/checks/\(uuid)/flips/", key: Self.readKey, expect: .ok)
            try await Self.call(client, .get, "/api/v3/badges/", key: Self.readKey, expect: .ok)
            let refused: [(HTTPRequest.Method, String, String?)] = [
                (.post, "/api/v3/checks/", #"{"name": "sneaky", "timeout": 3600}"#),
                (.post, "/api/v3/checks/\(uuid)", #"{"name": "renamed"}"#),
                (.delete, "/api/v3/checks/\(uuid)", nil),
                (.post, "/api/v3/checks/\(uuid)/pause", nil),
                (.post, "/api/v3/checks/\(uuid)/resume", nil),
                (.get, "/api/v3/checks/\(uuid)/pings/", nil),
                (.get, "/api/v3/checks/\(uuid)/pings/1/body", nil),
                (.get, "/api/v3/channels/", nil),
            ]
            for (method, uri, body) in refused {
                let response = try await Self.call(
                    client, method, uri, key: Self.readKey, body: body, expect: .unauthorized)
                #expect(try Self.error(response) == "wrong api key", "\(method) \(uri)")
            }
            #expect(api.engine.snapshots().count == 1)
            #expect(try api.snapshot("declared").state.status == .new)
            #expect(try api.snapshot("declared").monitor.name == "")

            // A key in the JSON body counts as healthchecks.io allows, and a wrong one there is still wrong.
            let viaBody = try await Self.call(
                client, .post, "/api/v3/checks/", key: nil,
                body: #"{"api_key": "\#(Self.writeKey)", "name": "From Body", "timeout": 3600}"#, expect: .created)
            #expect(try Self.object(viaBody)["slug"] as? String == "from-body")
            let readOnlyBody = try await Self.call(
                client, .post, "/api/v3/checks/", key: nil,
                body: #"{"api_key": "\#(Self.readKey)", "name": "Nope"}"#, expect: .unauthorized)
            #expect(try Self.error(readOnlyBody) == "wrong api key")
            let wrongBody = try await Self.call(
                client, .post, "/api/v3/checks/", key: nil, body: #"{"api_key": "nope", "name": "Nope"}"#,
                expect: .unauthorized)
            #expect(try Self.error(wrongBody) == "wrong api key")
            #expect(api.engine.snapshots().count == 2)
        }
    }

    @Test func withAuthOffNoKeyIsNeeded() async throws {
        try await Self.withV3(auth: false) { _, client in
            try await Self.call(client, .get, "/api/v3/checks/", key: nil, expect: .ok)
            try await Self.call(
                client, .post, "/api/v3/checks/", key: nil, body: #"{"name": "open"}"#, expect: .created)
        }
    }

    // MARK: - Checks

    @Test func aCheckHasHealthchecksFieldsAndAReadOnlyKeySeesNoPingURL() async throws {
        try await Self.withV3 { api, client in
            let uuid = try api.uuid("declared")
            let full = try Self.object(try await Self.call(client, .get, "/api/v3/checks/\(uuid)", expect: .ok))
            #expect(full["uuid"] as? String == uuid)
            #expect(full["name"] as? String == "")
            #expect(full["slug"] as? String == "declared")
            #expect(full["tags"] as? String == "prod db")
            #expect(full["timeout"] as? Int == 3_600)
            #expect(full["grace"] as? Int == 600)
            #expect(full["status"] as? String == "new")
            #expect(full["started"] as? Bool == false)
            #expect(full["n_pings"] as? Int == 0)
            #expect(full["last_ping"] is NSNull)
            #expect(full["next_ping"] is NSNull)
            #expect(full["manual_resume"] as? Bool == false)
            #expect(full["methods"] as? String == "")
            #expect(full["ping_url"] as? String == "\(PingAPI.baseURL)/ping/\(uuid)")
            #expect(full["update_url"] as? String == "\(PingAPI.baseURL)/api/v3/checks/\(uuid)")
            #expect(full["pause_url"] as? String == "\(PingAPI.baseURL)/api/v3/checks/\(uuid)/pause")
            #expect(full["resume_url"] as? String == "\(PingAPI.baseURL)/api/v3/checks/\(uuid)/resume")
            #expect((full["channels"] as? String)?.split(separator: ",").count == 2)
            #expect(full["schedule"] == nil && full["tz"] == nil && full["unique_key"] == nil)
            // The badge URL is served.
            let badge = try #require(full["badge_url"] as? String)
            let badgePath = String(badge.dropFirst(PingAPI.baseURL.count))
            let svg = try await client.execute(uri: badgePath, method: .get)
            #expect(svg.status == .ok)
            #expect(String(buffer: svg.body).contains("<svg"))

            let readOnly = try await Self.call(client, .get, "/api/v3/checks/\(uuid)", key: Self.readKey, expect: .ok)
            #expect(!String(buffer: readOnly.body).contains(uuid), "a read-only key saw the ping key")
            let view = try Self.object(readOnly)
            #expect(view["unique_key"] as? String == Self.declaredUniqueKey)
            for hidden in ["uuid", "ping_url", "update_url", "pause_url", "resume_url", "channels"] {
                #expect(view[hidden] == nil, "\(hidden) shown to a read-only key")
            }
            #expect(view["badge_url"] is String)

            // The unique key reads the check, with either key.
            let byUniqueKey = try await Self.call(
                client, .get, "/api/v3/checks/\(Self.declaredUniqueKey)", key: Self.readKey, expect: .ok)
            #expect(try Self.object(byUniqueKey)["slug"] as? String == "declared")
            try await Self.call(client, .get, "/api/v3/checks/\(Self.declaredUniqueKey)", expect: .ok)
            let write = try await Self.call(
                client, .post, "/api/v3/checks/\(Self.declaredUniqueKey)", body: "{}", expect: .methodNotAllowed)
            #expect(try Self.error(write).contains("uuid"))

            let unknown = try await Self.call(client, .get, "/api/v3/checks/\(UUID().uuidString)", expect: .notFound)
            #expect(try Self.error(unknown).hasPrefix("not found"))
            try await Self.call(client, .get, "/api/v3/checks/not-a-uuid", expect: .notFound)
            // A slug is no check identifier.
            try await Self.call(client, .get, "/api/v3/checks/declared", expect: .notFound)
        }
    }

    @Test func createMakesAnAPIMonitorAndUniqueUpdatesItInPlace() async throws {
        try await Self.withV3 { api, client in
            let created = try await Self.call(
                client, .post, "/api/v3/checks/",
                body: #"{"name": "Nightly Backups", "tags": "prod  www prod", "desc": "tarballs", "timeout": 7200, "#
                    + #""grace": 300, "channels": "*"}"#,
                expect: .created)
            let check = try Self.object(created)
            #expect(check["slug"] as? String == "nightly-backups")
            #expect(check["tags"] as? String == "prod www")
            #expect(check["timeout"] as? Int == 7_200)
            #expect(check["grace"] as? Int == 300)
            #expect(check["desc"] as? String == "tarballs")
            #expect(check["status"] as? String == "new")
            let uuid = try #require(check["uuid"] as? String)
            let monitor = try api.snapshot("nightly-backups").monitor
            #expect(monitor.origin == .api)
            #expect(monitor.schedule == .every(7_200))
            #expect(monitor.key.uuidString.lowercased() == uuid)
            // The ping URL it gave works at once, and it survives a restart (it is in the store).
            try await client.ping("/ping/\(uuid)", expect: .ok, limit: 1_000)
            #expect(try api.snapshot("nightly-backups").state.status == .up)
            #expect(try await api.store.loadMonitors().contains { $0.monitor.slug == "nightly-backups" })

            // The same name with `unique`: the existing check is updated and returned with 200.
            let upserted = try await Self.call(
                client, .post, "/api/v3/checks/",
                body: #"{"name": "Nightly Backups", "grace": 900, "unique": ["name"]}"#,
                expect: .ok)
            #expect(try Self.object(upserted)["uuid"] as? String == uuid)
            #expect(try Self.object(upserted)["grace"] as? Int == 900)
            #expect(api.engine.snapshots().count == 2)
            // `unique` on a field that does not match creates a new check.
            try await Self.call(
                client, .post, "/api/v3/checks/",
                body: #"{"name": "Nightly Backups", "timeout": 60, "unique": ["name", "timeout"]}"#,
                expect: .created)
            #expect(api.engine.snapshots().count == 3)

            // A cron check, with its own slug.
            let cron = try Self.object(try await Self.call(
                client, .post, "/api/v3/checks/",
                body: #"{"name": "Reports", "slug": "reports", "schedule": "15 5 * * *", "tz": "Europe/Riga"}"#,
                expect: .created))
            #expect(cron["schedule"] as? String == "15 5 * * *")
            #expect(cron["tz"] as? String == "Europe/Riga")
            #expect(cron["timeout"] == nil)
            #expect(cron["grace"] as? Int == 3_600)
            // No name and no slug: Vigil still needs a slug to ping by, made from the uuid.
            let bare = try Self.object(
                try await Self.call(client, .post, "/api/v3/checks/", body: "", expect: .created))
            let bareUUID = try #require(bare["uuid"] as? String)
            #expect(bare["slug"] as? String == "check-" + bareUUID.prefix(8))
            #expect(bare["timeout"] as? Int == 86_400)
        }
    }

    @Test func listFiltersByEveryTagAndBySlug() async throws {
        try await Self.withV3 { api, client in
            for body in [
                #"{"name": "a", "tags": "prod web"}"#, #"{"name": "b", "tags": "prod"}"#,
                #"{"name": "c", "tags": "web"}"#,
            ] {
                try await Self.call(client, .post, "/api/v3/checks/", body: body, expect: .created)
            }
            func slugs(_ query: String) async throws -> [String] {
                let response = try await Self.call(client, .get, "/api/v3/checks/\(query)", expect: .ok)
                return try Self.checks(response).compactMap { $0["slug"] as? String }.sorted()
            }
            #expect(try await slugs("") == ["a", "b", "c", "declared"])
            #expect(try await slugs("?tag=prod") == ["a", "b", "declared"])
            #expect(try await slugs("?tag=prod&tag=web") == ["a"])
            #expect(try await slugs("?tag=nothing") == [])
            #expect(try await slugs("?slug=c") == ["c"])
            #expect(try await slugs("?slug=c&tag=prod") == [])
            // Without the final slash too.
            let bare = try await Self.call(client, .get, "/api/v3/checks?tag=web", expect: .ok)
            #expect(try Self.checks(bare).count == 2)
            // Read-only listings carry unique keys and no ping URLs.
            let readOnly = try await Self.call(client, .get, "/api/v3/checks/", key: Self.readKey, expect: .ok)
            #expect(try Self.checks(readOnly).allSatisfy { $0["unique_key"] is String && $0["ping_url"] == nil })
            #expect(!String(buffer: readOnly.body).contains(try api.uuid("a")))
        }
    }

    @Test func updateChangesOnlyTheGivenFields() async throws {
        try await Self.withV3 { api, client in
            let created = try Self.object(try await Self.call(
                client, .post, "/api/v3/checks/", body: #"{"name": "ETL", "tags": "data", "timeout": 3600}"#,
                expect: .created))
            let uuid = try #require(created["uuid"] as? String)
            let renamed = try Self.object(try await Self.call(
                client, .post, "/api/v3/checks/\(uuid)", body: #"{"desc": "loads the warehouse"}"#, expect: .ok))
            #expect(renamed["desc"] as? String == "loads the warehouse")
            #expect(renamed["name"] as? String == "ETL")
            #expect(renamed["tags"] as? String == "data")
            #expect(renamed["timeout"] as? Int == 3_600)

            // A schedule turns it into a cron check; a later tz alone moves its zone.
            let cron = try Self.object(try await Self.call(
                client, .post, "/api/v3/checks/\(uuid)", body: #"{"schedule": "0 3 * * *", "timeout": 600}"#,
                expect: .ok))
            #expect(cron["schedule"] as? String == "0 3 * * *")
            #expect(cron["tz"] as? String == "UTC")
            #expect(cron["timeout"] == nil)
            let zoned = try Self.object(try await Self.call(
                client, .post, "/api/v3/checks/\(uuid)", body: #"{"tz": "Europe/Berlin"}"#, expect: .ok))
            #expect(zoned["tz"] as? String == "Europe/Berlin")
            #expect(zoned["schedule"] as? String == "0 3 * * *")
            let simple = try Self.object(try await Self.call(
                client, .post, "/api/v3/checks/\(uuid)", body: #"{"timeout": 900, "slug": "etl-2"}"#, expect: .ok))
            #expect(simple["timeout"] as? Int == 900)
            #expect(simple["slug"] as? String == "etl-2")
            #expect(try api.snapshot("etl-2").monitor.key.uuidString.lowercased() == uuid)
            #expect(api.engine.snapshot(slugOrKey: "etl") == nil)

            // A declared monitor belongs to vigil.yml: a change is refused, asking for what it is already is not.
            let declared = try api.uuid("declared")
            let refused = try await Self.call(
                client, .post, "/api/v3/checks/\(declared)", body: #"{"grace": 60}"#, expect: .forbidden)
            #expect(try Self.error(refused).contains("vigil.yml"))
            #expect(try api.snapshot("declared").monitor.grace == 600)
            try await Self.call(client, .post, "/api/v3/checks/\(declared)", body: #"{"grace": 600}"#, expect: .ok)
            // `unique` finding a declared monitor is no way around it.
            try await Self.call(
                client, .post, "/api/v3/checks/", body: #"{"slug": "declared", "grace": 120, "unique": ["slug"]}"#,
                expect: .forbidden)
            #expect(try api.snapshot("declared").monitor.grace == 600)
        }
    }

    @Test func deleteReturnsTheCheckAndDeclaredMonitorsStay() async throws {
        try await Self.withV3 { api, client in
            let created = try Self.object(try await Self.call(
                client, .post, "/api/v3/checks/", body: #"{"name": "Temp"}"#, expect: .created))
            let uuid = try #require(created["uuid"] as? String)
            let deleted = try Self.object(try await Self.call(client, .delete, "/api/v3/checks/\(uuid)", expect: .ok))
            #expect(deleted["uuid"] as? String == uuid)
            #expect(deleted["name"] as? String == "Temp")
            try await Self.call(client, .get, "/api/v3/checks/\(uuid)", expect: .notFound)
            try await client.ping("/ping/\(uuid)", expect: .notFound, limit: 1_000)
            #expect(try await api.store.loadMonitors().allSatisfy { $0.monitor.slug != "temp" })

            let declared = try await Self.call(
                client, .delete, "/api/v3/checks/\(try api.uuid("declared"))", expect: .forbidden)
            #expect(try Self.error(declared).contains("configuration file"))
            #expect(api.engine.snapshot(slugOrKey: "declared") != nil)
        }
    }

    @Test func pauseAndResumeWorkForEveryCheck() async throws {
        try await Self.withV3 { api, client in
            let uuid = try api.uuid("declared")
            try await client.ping("/ping/\(uuid)", expect: .ok, limit: 1_000)
            let paused = try Self.object(
                try await Self.call(client, .post, "/api/v3/checks/\(uuid)/pause", expect: .ok))
            #expect(paused["status"] as? String == "paused")
            #expect(paused["next_ping"] is NSNull)
            #expect(try api.snapshot("declared").state.status == .paused)
            let resumed = try Self.object(
                try await Self.call(client, .post, "/api/v3/checks/\(uuid)/resume", expect: .ok))
            #expect(resumed["status"] as? String == "new")
            let again = try await Self.call(client, .post, "/api/v3/checks/\(uuid)/resume", expect: .conflict)
            #expect(try Self.error(again) == "check is not paused")
            try await Self.call(client, .post, "/api/v3/checks/\(UUID().uuidString)/pause", expect: .notFound)
        }
    }

    // MARK: - Pings and flips

    @Test func pingsComeNewestFirstWithTypesRunsAndBodies() async throws {
        try await Self.withV3 { api, client in
            let uuid = try api.uuid("declared")
            let rid = UUID().uuidString.lowercased()
            let agent: HTTPFields = [.userAgent: "curl/8.5.0"]
            let sent: [(String, String?)] = [
                ("/start?rid=\(rid)", nil), ("?rid=\(rid)", "backup done"), ("/log", "note"), ("/fail", nil),
            ]
            for (path, body) in sent {
                let response = try await client.execute(
                    uri: "/ping/\(uuid)\(path)", method: body == nil ? .get : .post, headers: agent,
                    body: body.map { ByteBuffer(string: $0) })
                #expect(response.status == .ok, "\(path)")
            }
            let started = try await client.execute(uri: "/ping/\(uuid)/start", method: .get)
            #expect(started.status == .ok)

            let response = try await Self.call(client, .get, "/api/v3/checks/\(uuid)/pings/", expect: .ok)
            let pings = try #require(try Self.object(response)["pings"] as? [[String: Any]])
            #expect(pings.compactMap { $0["type"] as? String } == ["start", "fail", "log", "success", "start"])
            let numbers = pings.compactMap { $0["n"] as? Int }
            #expect(numbers == numbers.sorted(by: >) && Set(numbers).count == 5)
            let success = pings[3]
            #expect(success["rid"] as? String == rid)
            #expect(success["ua"] as? String == "curl/8.5.0")
            #expect(success["scheme"] as? String == "http")
            #expect((success["duration"] as? Double).map { $0 >= 0 } == true)
            #expect(pings[4]["duration"] == nil)
            #expect(pings[0]["rid"] is NSNull)
            #expect((pings[0]["date"] as? String)?.hasSuffix("+00:00") == true)
            let bodyURL = try #require(success["body_url"] as? String)
            #expect(pings[0]["body_url"] is NSNull)
            let body = try await Self.call(
                client, .get, String(bodyURL.dropFirst(PingAPI.baseURL.count)), expect: .ok)
            #expect(String(buffer: body.body) == "backup done")
            #expect(body.headers[.contentType]?.hasPrefix("text/plain") == true)
            try await Self.call(client, .get, "/api/v3/checks/\(uuid)/pings/\(numbers[0])/body", expect: .notFound)
            try await Self.call(client, .get, "/api/v3/checks/\(uuid)/pings/99999999/body", expect: .notFound)

            let check = try Self.object(try await Self.call(client, .get, "/api/v3/checks/\(uuid)", expect: .ok))
            #expect(check["n_pings"] as? Int == 5)
            #expect(check["started"] as? Bool == true)
            #expect(check["status"] as? String == "down", "a fail ping makes it failing, healthchecks.io's down")
            #expect(Self.isTimestamp(check["last_ping"]))
        }
    }

    @Test func flipsFollowUpAndDownAndTheirTimeFilters() async throws {
        try await Self.withV3 { api, client in
            let uuid = try api.uuid("declared")
            try await client.ping("/ping/\(uuid)", expect: .ok, limit: 1_000)
            let up = try Self.object(try await Self.call(client, .get, "/api/v3/checks/\(uuid)", expect: .ok))
            #expect(up["status"] as? String == "up")
            #expect(Self.isTimestamp(up["next_ping"]))
            // Past due and past grace: late (still "up" for healthchecks.io, so no flip), then stalled ("down").
            await api.engine.fireDeadlines(at: Date().addingTimeInterval(3_700))
            #expect(try api.snapshot("declared").state.status == .late)
            let grace = try Self.object(try await Self.call(client, .get, "/api/v3/checks/\(uuid)", expect: .ok))
            #expect(grace["status"] as? String == "grace")
            await api.engine.fireDeadlines(at: Date().addingTimeInterval(7_200))
            #expect(try api.snapshot("declared").state.status == .stalled)
            try await client.ping("/ping/\(uuid)", expect: .ok, limit: 1_000)

            let response = try await Self.call(
                client, .get, "/api/v3/checks/\(Self.declaredUniqueKey)/flips/", key: Self.readKey, expect: .ok)
            let flips = try #require(try Self.object(response)["flips"] as? [[String: Any]])
            #expect(flips.compactMap { $0["up"] as? Int } == [1, 0, 1], "\(flips)")
            #expect(flips.allSatisfy { Self.isTimestamp($0["timestamp"]) })

            // The stall is journaled at its deadline, an hour and ten minutes after the first ping.
            let now = Int(Date().timeIntervalSince1970)
            let recent = try Self.object(try await Self.call(
                client, .get, "/api/v3/checks/\(uuid)/flips/?start=\(now + 600)", expect: .ok))
            #expect((recent["flips"] as? [[String: Any]])?.compactMap { $0["up"] as? Int } == [0])
            let early = try Self.object(try await Self.call(
                client, .get, "/api/v3/checks/\(uuid)/flips/?end=\(now + 600)", expect: .ok))
            #expect((early["flips"] as? [[String: Any]])?.count == 2)
            let lastMinute = try Self.object(try await Self.call(
                client, .get, "/api/v3/checks/\(uuid)/flips/?seconds=60", expect: .ok))
            #expect((lastMinute["flips"] as? [[String: Any]])?.count == 3)
            for query in ["start=abc", "start=-1", "seconds=-5", "seconds=99999999999", "end=12345678901234567890"] {
                let bad = try await Self.call(
                    client, .get, "/api/v3/checks/\(uuid)/flips/?\(query)", expect: .badRequest)
                #expect(try Self.error(bad).contains(String(query.split(separator: "=")[0])), "\(query)")
            }
        }
    }

    // MARK: - Integrations, badges, status

    @Test func channelsListTheNotifyEntriesWithStableIds() async throws {
        let first = try await Self.channelIDs()
        let second = try await Self.channelIDs()
        #expect(first == second, "channel ids changed between two starts")
        try await Self.withV3 { api, client in
            let response = try await Self.call(client, .get, "/api/v3/channels/", expect: .ok)
            let channels = try #require(try Self.object(response)["channels"] as? [[String: Any]])
            #expect(channels.compactMap { $0["kind"] as? String } == ["webhook", "slack"])
            #expect(channels.compactMap { $0["name"] as? String } == ["ops", ""])
            let ids = channels.compactMap { $0["id"] as? String }
            #expect(ids.count == 2 && ids.allSatisfy { UUID(uuidString: $0) != nil })

            // Channels by id or name are accepted; unknown ones are refused and nothing is created.
            try await Self.call(
                client, .post, "/api/v3/checks/", body: #"{"name": "x", "channels": "ops,\#(ids[1])"}"#,
                expect: .created)
            let unknown = try await Self.call(
                client, .post, "/api/v3/checks/", body: #"{"name": "y", "channels": "ops,pager"}"#, expect: .badRequest)
            #expect(try Self.error(unknown) == "invalid channel identifier: pager")
            #expect(api.engine.snapshot(slugOrKey: "y") == nil)
        }
    }

    static func channelIDs() async throws -> [String] {
        let ids = IDs()
        try await withV3 { _, client in
            let response = try await call(client, .get, "/api/v3/channels/", expect: .ok)
            let channels = try #require(try object(response)["channels"] as? [[String: Any]])
            ids.set(channels.compactMap { $0["id"] as? String })
        }
        return ids.value
    }

    final class IDs: @unchecked Sendable {
        private let lock = NSLock()
        private var ids: [String] = []
        func set(_ value: [String]) { lock.withLock { ids = value } }
        var value: [String] { lock.withLock { ids } }
    }

    @Test func badgesListEveryTagAndTheOverallBadgeWithWorkingURLs() async throws {
        try await Self.withV3 { _, client in
            let response = try await Self.call(client, .get, "/api/v3/badges/", key: Self.readKey, expect: .ok)
            let badges = try #require(try Self.object(response)["badges"] as? [String: [String: String]])
            #expect(Set(badges.keys) == ["*", "prod", "db"])
            for (tag, formats) in badges {
                #expect(Set(formats.keys) == ["svg", "svg3", "json", "json3", "shields", "shields3"], "\(tag)")
                for url in formats.values {
                    #expect(url.hasPrefix(PingAPI.baseURL + "/badge/"))
                    let path = String(url.dropFirst(PingAPI.baseURL.count))
                    let badge = try await client.execute(uri: path, method: .get)
                    #expect(badge.status == .ok, "\(tag): \(url)")
                }
            }
            let shields = try await client.execute(
                uri: String(try #require(badges["prod"]?["shields"]).dropFirst(PingAPI.baseURL.count)), method: .get)
            let shield = try #require(JSONSerialization.jsonObject(with: Data(buffer: shields.body)) as? [String: Any])
            #expect(shield["schemaVersion"] as? Int == 1)
            #expect(shield["label"] as? String == "prod")
        }
    }

    @Test func statusAnswersOKWithoutAKey() async throws {
        try await Self.withV3 { _, client in
            let response = try await client.execute(uri: "/api/v3/status/", method: .get)
            #expect(response.status == .ok)
            #expect(String(buffer: response.body) == "OK")
        }
    }

    // MARK: - Bad requests

    @Test(arguments: [
        ("{not json", "could not parse request body"),
        ("[1, 2]", "json validation error: value is not an object"),
        (#"{"name": 5}"#, "json validation error: name is not a string"),
        (#"{"name": null}"#, "json validation error: name is not a string"),
        (#"{"name": "\#(String(repeating: "n", count: 101))"}"#, "json validation error: name is too long"),
        (#"{"timeout": "1h"}"#, "json validation error: timeout is not a number"),
        (#"{"timeout": 90.5}"#, "json validation error: timeout is not a number"),
        (#"{"timeout": 59}"#, "json validation error: timeout is too small"),
        (#"{"grace": 31536001}"#, "json validation error: grace is too large"),
        (#"{"manual_resume": "yes"}"#, "json validation error: manual_resume is not a boolean"),
        (#"{"filter_body": 1}"#, "json validation error: filter_body is not a boolean"),
        (#"{"methods": "GET"}"#, "json validation error: methods has unexpected value"),
        (#"{"success_kw": "\#(String(repeating: "k", count: 201))"}"#, "json validation error: success_kw is too long"),
        (#"{"schedule": "* * *"}"#, "json validation error: schedule is not a valid cron or OnCalendar expression"),
        (#"{"schedule": "61 * * * *"}"#, "json validation error: schedule is not a valid cron or OnCalendar"),
        (#"{"schedule": "0 3 * * *", "tz": "Mars/Olympus"}"#, "json validation error: tz is not a valid timezone"),
        (#"{"slug": "Bad Slug"}"#, "json validation error: slug does not match pattern"),
        (#"{"slug": "-leading"}"#, "json validation error: slug is not valid in Vigil"),
        (#"{"unique": "name"}"#, "json validation error: unique is not an array"),
        (#"{"unique": ["desc"]}"#, "json validation error: an item in 'unique' has unexpected value"),
        (#"{"channels": ""}"#, nil),
        (#"{"channels": "ops,,ops"}"#, "empty channel identifier"),
    ] as [(String, String?)])
    func badCreatesNameTheFieldAndCreateNothing(body: String, expected: String?) async throws {
        try await Self.withV3 { api, client in
            let response = try await Self.call(
                client, .post, "/api/v3/checks/", body: body, expect: expected == nil ? .created : .badRequest)
            guard let expected else { return }
            #expect(try Self.error(response).hasPrefix(expected), "\(String(buffer: response.body))")
            #expect(api.engine.snapshots().count == 1)
            #expect(try await api.store.loadMonitors().count == 1)
        }
    }

    @Test func aBadUpdateChangesNothingAtAll() async throws {
        try await Self.withV3 { api, client in
            let created = try Self.object(try await Self.call(
                client, .post, "/api/v3/checks/", body: #"{"name": "Stable", "timeout": 3600}"#, expect: .created))
            let uuid = try #require(created["uuid"] as? String)
            let before = try api.snapshot("stable").monitor
            // The name is fine, the timeout is not: neither is applied.
            let response = try await Self.call(
                client, .post, "/api/v3/checks/\(uuid)", body: #"{"name": "Renamed", "timeout": 5}"#,
                expect: .badRequest)
            #expect(try Self.error(response).contains("timeout is too small"))
            #expect(try api.snapshot("stable").monitor == before)
            #expect(try await api.store.loadMonitors().first { $0.monitor.key == before.key }?.monitor == before)
        }
    }

    @Test func aStoreThatCannotWriteLeavesEveryCheckAsItWas() async throws {
        try await Self.withV3 { api, client in
            let created = try Self.object(try await Self.call(
                client, .post, "/api/v3/checks/", body: #"{"name": "Kept"}"#, expect: .created))
            let uuid = try #require(created["uuid"] as? String)
            api.faults.failWrites(true)
            try await Self.call(
                client, .post, "/api/v3/checks/", body: #"{"name": "Lost"}"#, expect: .serviceUnavailable)
            #expect(api.engine.snapshot(slugOrKey: "lost") == nil)
            try await Self.call(
                client, .post, "/api/v3/checks/\(uuid)", body: #"{"name": "Changed"}"#, expect: .serviceUnavailable)
            #expect(try api.snapshot("kept").monitor.name == "Kept")
            try await Self.call(client, .delete, "/api/v3/checks/\(uuid)", expect: .serviceUnavailable)
            #expect(api.engine.snapshot(slugOrKey: "kept") != nil)
            api.faults.failWrites(false)
            #expect(try await api.store.loadMonitors().map(\.monitor.slug).sorted() == ["declared", "kept"])
        }
    }
}
