import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import VigilCore
import VigilEngine
import VigilServer
import VigilStore

/// Vigil's own API with keys: who may read, who may change, and what a bad request changes (nothing).
@Suite struct ManagementAPITests {
    static let writeKey = "vigil_test-read-write-key-0001"
    static let readKey = "vigil_test-read-only-key-00001"

    /// The production router over a real SQLite file, with a read-write and a read-only key from the "file".
    static func withAPI(
        auth: Bool = true,
        _ body: @Sendable (PingAPI, any TestClientProtocol) async throws -> Void
    ) async throws {
        let api = try await PingAPI.start([PingAPI.hourly("declared")])
        defer { try? FileManager.default.removeItem(at: api.directory) }
        let settings = AccessSettings(
            required: auth,
            keys: [
                ConfiguredAPIKey(name: "rw", hash: APIKey.hash(writeKey), readOnly: false),
                ConfiguredAPIKey(name: "ro", hash: APIKey.hash(readKey), readOnly: true),
            ]
        )
        let gate = Gate(settings: settings, store: api.store)
        let app = Application(router: buildRouter(engine: api.engine, pingBodyLimit: 1_000, gate: gate))
        try await app.test(.router) { client in try await body(api, client) }
    }

    static func headers(_ key: String?, json: Bool = false) -> HTTPFields {
        var fields = HTTPFields()
        if let key { fields[HTTPField.Name("X-Api-Key")!] = key }
        if json { fields[.contentType] = "application/json" }
        return fields
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    static func message(_ response: TestResponse) throws -> String {
        let error = try #require(try object(response)["error"] as? [String: Any])
        return try #require(error["message"] as? String)
    }

    @Test func withoutAKeyTheAPIAndMetricsRefuseAndSayHowToGetOne() async throws {
        try await Self.withAPI { _, client in
            let missing = try await client.execute(uri: "/api/v1/monitors", method: .get)
            #expect(missing.status == .unauthorized)
            #expect(try Self.message(missing).contains("vigil keys create"))
            let wrong = try await client.execute(uri: "/api/v1/monitors", method: .get, headers: Self.headers("vigil_nope"))
            #expect(wrong.status == .unauthorized)
            #expect(try Self.message(wrong).contains("not known"))
            let bearer = try await client.execute(
                uri: "/api/v1/monitors", method: .get, headers: [.authorization: "Bearer \(Self.readKey)"]
            )
            #expect(bearer.status == .ok)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .unauthorized)
            // Pings and the health check need no API key.
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
        }
    }

    @Test func aReadOnlyKeyReadsButNeverSeesPingKeysAndChangesNothing() async throws {
        try await Self.withAPI { api, client in
            let list = try await client.execute(uri: "/api/v1/monitors", method: .get, headers: Self.headers(Self.readKey))
            #expect(list.status == .ok)
            let text = String(buffer: list.body)
            #expect(!text.contains(try api.key("declared")), "a read-only key saw a ping key")
            let monitors = try #require(JSONSerialization.jsonObject(with: Data(buffer: list.body)) as? [[String: Any]])
            #expect(monitors.first?["key"] is NSNull)
            #expect(monitors.first?["ping_url"] is NSNull)

            let full = try await client.execute(uri: "/api/v1/monitors", method: .get, headers: Self.headers(Self.writeKey))
            #expect(String(buffer: full.body).contains(try api.key("declared")))

            let create = try await client.execute(
                uri: "/api/v1/monitors", method: .post, headers: Self.headers(Self.readKey, json: true),
                body: ByteBuffer(string: #"{"slug": "sneaky", "every": "1h"}"#)
            )
            #expect(create.status == .forbidden)
            #expect(try Self.message(create).contains("read-only"))
            let pause = try await client.execute(
                uri: "/api/v1/monitors/declared/pause", method: .post, headers: Self.headers(Self.readKey)
            )
            #expect(pause.status == .forbidden)
            #expect(api.engine.snapshot(slugOrKey: "sneaky") == nil)
            #expect(try api.snapshot("declared").state.status != .paused)
        }
    }

    @Test func createUpdatePauseResumeAndDeleteAMonitor() async throws {
        try await Self.withAPI { api, client in
            let created = try await client.execute(
                uri: "/api/v1/monitors", method: .post, headers: Self.headers(Self.writeKey, json: true),
                body: ByteBuffer(string: #"{"slug": "etl", "name": "Nightly ETL", "every": "1d", "grace": 600, "tags": ["data"]}"#)
            )
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let view = try Self.object(created)
            #expect(view["slug"] as? String == "etl")
            #expect(view["name"] as? String == "Nightly ETL")
            #expect(view["schedule"] as? String == "every 1d")
            #expect(view["grace"] as? String == "10m")
            #expect(view["editable"] as? Bool == true)
            #expect(view["origin"] as? String == "api")
            let key = try #require(view["key"] as? String)
            // It is watched and pingable at once.
            try await client.ping("/ping/\(key)", expect: .ok, limit: 1_000)
            #expect(try api.snapshot("etl").state.status == .up)

            let patched = try await client.execute(
                uri: "/api/v1/monitors/etl", method: .patch, headers: Self.headers(Self.writeKey, json: true),
                body: ByteBuffer(string: #"{"schedule": "0 3 * * *", "tz": "Europe/Berlin", "desc": "loads the warehouse"}"#)
            )
            #expect(patched.status == .ok, "\(String(buffer: patched.body))")
            #expect(try Self.object(patched)["schedule"] as? String == "0 3 * * * (Europe/Berlin)")
            #expect(try api.snapshot("etl").monitor.desc == "loads the warehouse")
            #expect(try api.snapshot("etl").monitor.key.uuidString.lowercased() == key, "an update changed the ping key")

            let paused = try await client.execute(
                uri: "/api/v1/monitors/etl/pause", method: .post, headers: Self.headers(Self.writeKey)
            )
            #expect(try Self.object(paused)["state"] as? String == "paused")
            let resumed = try await client.execute(
                uri: "/api/v1/monitors/etl/resume", method: .post, headers: Self.headers(Self.writeKey)
            )
            #expect(try Self.object(resumed)["state"] as? String == "new")

            let deleted = try await client.execute(
                uri: "/api/v1/monitors/etl", method: .delete, headers: Self.headers(Self.writeKey)
            )
            #expect(deleted.status == .noContent)
            let gone = try await client.execute(uri: "/api/v1/monitors/etl", method: .get, headers: Self.headers(Self.writeKey))
            #expect(gone.status == .notFound)
            try await client.ping("/ping/\(key)", expect: .notFound, limit: 1_000)
            // Deleted means archived: gone after a restart too.
            #expect(try await api.store.loadMonitors().allSatisfy { $0.monitor.slug != "etl" })
        }
    }

    @Test func declaredMonitorsAreReadOnlyOverTheAPI() async throws {
        try await Self.withAPI { api, client in
            let patch = try await client.execute(
                uri: "/api/v1/monitors/declared", method: .patch, headers: Self.headers(Self.writeKey, json: true),
                body: ByteBuffer(string: #"{"grace": "1m"}"#)
            )
            #expect(patch.status == .forbidden)
            #expect(try Self.message(patch).contains("configuration file"))
            let delete = try await client.execute(
                uri: "/api/v1/monitors/declared", method: .delete, headers: Self.headers(Self.writeKey)
            )
            #expect(delete.status == .forbidden)
            #expect(try api.snapshot("declared").monitor.grace == 600)
            // Pausing is an operation, not a change of definition: allowed for declared monitors.
            let pause = try await client.execute(
                uri: "/api/v1/monitors/declared/pause", method: .post, headers: Self.headers(Self.writeKey)
            )
            #expect(pause.status == .ok)
        }
    }

    @Test(arguments: [
        (#"{"every": "1h"}"#, "slug is required"),
        (#"{"slug": "Bad Slug", "every": "1h"}"#, "slug \"Bad Slug\""),
        (#"{"slug": "x1", "every": "5x"}"#, "every \"5x\" is not a duration"),
        (#"{"slug": "x2", "every": "1h", "grace": true}"#, "grace"),
        (#"{"slug": "x3", "schedule": "61 * * * *"}"#, "schedule \"61 * * * *\""),
        (#"{"slug": "x4", "schedule": "0 3 * * *", "tz": "Mars/Olympus"}"#, "tz \"Mars/Olympus\""),
        (#"{"slug": "x5", "every": "1h", "schedule": "0 3 * * *"}"#, "not both"),
        (#"{"slug": "x6"}"#, "every or schedule is required"),
        (#"{"slug": "x7", "every": "1h", "progress": ["Not A Kind"]}"#, "progress"),
        (#"[1, 2]"#, "JSON object"),
    ])
    func badRequestsNameTheFieldAndChangeNothing(body: String, expected: String) async throws {
        try await Self.withAPI { api, client in
            let before = api.engine.snapshots().count
            let response = try await client.execute(
                uri: "/api/v1/monitors", method: .post, headers: Self.headers(Self.writeKey, json: true),
                body: ByteBuffer(string: body)
            )
            #expect(response.status == .badRequest)
            #expect(try Self.message(response).contains(expected), "\(String(buffer: response.body))")
            #expect(api.engine.snapshots().count == before)
            #expect(try await api.store.loadMonitors().count == before)
        }
    }

    @Test func aKeyCreatedInTheStoreWorksAtOnceAndStopsWhenRevoked() async throws {
        try await Self.withAPI { api, client in
            let key = APIKey.generate()
            let stored = StoredAPIKey(id: UUID(), name: "ci", hash: APIKey.hash(key), readOnly: false, createdAt: Date())
            try await api.store.saveAPIKey(stored)
            let allowed = try await client.execute(uri: "/api/v1/monitors", method: .get, headers: Self.headers(key))
            #expect(allowed.status == .ok)
            #expect(try await api.store.revokeAPIKey(id: stored.id, at: Date()))
            let refused = try await client.execute(uri: "/api/v1/monitors", method: .get, headers: Self.headers(key))
            #expect(refused.status == .unauthorized)
            // Only the digest is kept.
            #expect(try await api.store.apiKeys().allSatisfy { $0.hash != key })
        }
    }

    @Test func loggingInWithAKeyGivesASessionCookieThatOpensTheAPI() async throws {
        try await Self.withAPI { _, client in
            let page = try await client.execute(uri: "/login?next=/incidents", method: .get)
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("name=\"key\""))

            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            let wrong = try await client.execute(
                uri: "/login", method: .post, headers: form, body: ByteBuffer(string: "key=nope&next=%2Fincidents")
            )
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)

            let login = try await client.execute(
                uri: "/login", method: .post, headers: form,
                body: ByteBuffer(string: "key=\(Self.readKey)&next=%2F%2Fevil.example.com")
            )
            #expect(login.status == .seeOther)
            #expect(login.headers[.location] == "/", "a next that leaves the server must not be followed")
            let cookie = try #require(login.headers[.setCookie])
            #expect(cookie.contains("HttpOnly"))
            let session = String(try #require(cookie.split(separator: ";").first))
            let read = try await client.execute(uri: "/api/v1/monitors", method: .get, headers: [.cookie: session])
            #expect(read.status == .ok)
            let write = try await client.execute(uri: "/api/v1/monitors/declared/pause", method: .post, headers: [.cookie: session])
            #expect(write.status == .forbidden)

            let logout = try await client.execute(uri: "/logout", method: .post, headers: [.cookie: session])
            #expect(logout.status == .seeOther)
            let after = try await client.execute(uri: "/api/v1/monitors", method: .get, headers: [.cookie: session])
            #expect(after.status == .unauthorized)
        }
    }

    @Test func authOffLetsEveryoneReadAndChange() async throws {
        try await Self.withAPI(auth: false) { _, client in
            #expect(try await client.execute(uri: "/api/v1/monitors", method: .get).status == .ok)
            let create = try await client.execute(
                uri: "/api/v1/monitors", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: #"{"slug": "open", "every": "1h"}"#)
            )
            #expect(create.status == .created)
        }
    }

    @Test func metricsSpeakThePrometheusTextFormat() async throws {
        try await Self.withAPI { api, client in
            try await client.ping("/ping/\(try api.key("declared"))", expect: .ok, limit: 1_000)
            try await client.ping("/ping/\(try api.key("declared"))/signal/commit?value=3", expect: .ok, limit: 1_000)
            let response = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(Self.readKey)"])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: response.body)
            #expect(text.contains("# TYPE vigil_monitor_state gauge"))
            #expect(text.contains(#"vigil_monitor_state{monitor="declared",state="up"} 1"#))
            #expect(text.contains(#"vigil_monitor_state{monitor="declared",state="stalled"} 0"#))
            #expect(text.contains(#"vigil_signals_total{kind="success"} 1"#))
            #expect(text.contains(#"vigil_signals_total{kind="commit"} 1"#))
            #expect(text.contains(#"vigil_monitor_seconds_since_progress{monitor="declared"}"#))
            #expect(text.contains(#"vigil_detection_lag_seconds_bucket{le="+Inf"} 0"#))
            #expect(text.contains("# TYPE vigil_time_to_recover_seconds summary"))
            #expect(text.contains("vigil_outbox_depth 0"))
            // Every sample line is NAME{labels} VALUE with a known family.
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: " ")
                #expect(parts.count == 2 && Double(parts[1]) != nil, "not a sample: \(line)")
                #expect(line.hasPrefix("vigil_"), "not a vigil metric: \(line)")
            }
        }
    }
}
