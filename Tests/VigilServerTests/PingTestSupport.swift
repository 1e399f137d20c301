import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
import VigilCore
import VigilEngine
import VigilServer
import VigilStore

/// A real SQLite store on a temporary file, an engine started on it and the production router over both.
struct PingAPI {
    static let pingKey = "project-key-4f9a"
    static let baseURL = "http://127.0.0.1:8080"

    let directory: URL
    /// The real store; the engine writes through `faults`, which passes everything on until it is told to fail.
    let store: SQLiteStore
    let faults: FaultyStore
    let engine: Engine
    let bodyLimit: Int

    /// Starts an engine that declares `monitors`, with `Ping-Body-Limit` `bodyLimit`.
    static func start(_ monitors: [MonitorDeclaration], bodyLimit: Int = 1_000) async throws -> PingAPI {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-ping-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: directory.appendingPathComponent("vigil.sqlite").path)
        let faults = FaultyStore(store)
        let engine = Engine(
            store: faults,
            settings: Engine.Settings(baseURL: baseURL, pingKey: pingKey, notify: [], defaultRateLimit: nil)
        )
        try await engine.start(declaring: monitors)
        return PingAPI(directory: directory, store: store, faults: faults, engine: engine, bodyLimit: bodyLimit)
    }

    /// Runs `test` against the production router in-process, then removes the database.
    static func test(
        _ monitors: [MonitorDeclaration],
        bodyLimit: Int = 1_000,
        _ test: @Sendable (PingAPI, any TestClientProtocol) async throws -> Void
    ) async throws {
        let api = try await start(monitors, bodyLimit: bodyLimit)
        defer { try? FileManager.default.removeItem(at: api.directory) }
        let app = Application(router: buildRouter(engine: api.engine, pingBodyLimit: bodyLimit, gate: .open))
        try await app.test(.router) { client in try await test(api, client) }
    }

    /// A monitor due every hour with ten minutes of grace, so that nothing changes by time alone during a test.
    static func hourly(
        _ slug: String,
        progress: Set<String> = Monitor.defaultProgressKinds,
        advancing: Set<String> = [],
        rateLimit: RateLimit? = nil
    ) -> MonitorDeclaration {
        MonitorDeclaration(
            slug: slug, schedule: .every(3_600), grace: 600, progressKinds: progress, advancingKinds: advancing,
            rateLimit: rateLimit
        )
    }

    // MARK: - Looking

    func snapshot(_ slug: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Engine.Snapshot {
        try #require(engine.snapshot(slugOrKey: slug), "no monitor \(slug)", sourceLocation: sourceLocation)
    }

    /// The monitor's own ping key, as it appears in `/ping/<uuid>`.
    func key(_ slug: String) throws -> String {
        try snapshot(slug).monitor.key.uuidString.lowercased()
    }

    /// The stored signals of a monitor, newest first.
    func signals(_ slug: String) async throws -> [StoredSignal] {
        try await store.signals(monitorID: snapshot(slug).monitor.id, limit: 1_000)
    }

    /// Every signal stored for any monitor the engine watches.
    func allSignals() async throws -> [StoredSignal] {
        var all: [StoredSignal] = []
        for snapshot in engine.snapshots() {
            all += try await store.signals(monitorID: snapshot.monitor.id, limit: 1_000)
        }
        return all
    }
}

extension TestClientProtocol {
    /// Sends a request and checks what every ping response carries: the status and `Ping-Body-Limit`.
    @discardableResult
    func ping(
        _ uri: String,
        _ method: HTTPRequest.Method = .get,
        body: String? = nil,
        expect status: HTTPResponse.Status,
        limit: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> TestResponse {
        let response = try await execute(uri: uri, method: method, body: body.map { ByteBuffer(string: $0) })
        #expect(response.status == status, "\(method) \(uri): \(String(buffer: response.body))",
                sourceLocation: sourceLocation)
        #expect(response.headers[HTTPField.Name("Ping-Body-Limit")!] == String(limit), "\(method) \(uri)",
                sourceLocation: sourceLocation)
        return response
    }
}

/// The real store with a switch that makes every write fail as a full or read-only disk would.
final class FaultyStore: Store {
    let base: SQLiteStore
    private let failing = Atomic<Bool>(false)

    init(_ base: SQLiteStore) {
        self.base = base
    }

    /// From now on, writes throw `StoreError.unavailable` (or succeed again when `false`).
    func failWrites(_ fail: Bool) {
        failing.store(fail, ordering: .sequentiallyConsistent)
    }

    func checkWritable() throws(StoreError) {
        if failing.load(ordering: .sequentiallyConsistent) {
            throw StoreError.unavailable("disk I/O error (injected by the test)")
        }
    }

    func loadMonitors() async throws(StoreError) -> [StoredMonitor] { try await base.loadMonitors() }

    func saveMonitor(_ monitor: Monitor, initialState: MonitorState) async throws(StoreError) {
        try checkWritable()
        try await base.saveMonitor(monitor, initialState: initialState)
    }

    func archiveMonitor(id: UUID) async throws(StoreError) {
        try checkWritable()
        try await base.archiveMonitor(id: id)
    }

    func commit(_ batch: ChangeBatch) async throws(StoreError) {
        try checkWritable()
        try await base.commit(batch)
    }

    func commit(_ batch: ChangeBatch, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        do {
            try checkWritable()
        } catch {
            completion(.failure(error))
            return
        }
        base.commit(batch, completion: completion)
    }

    func afterEachGroup(_ body: @escaping @Sendable () -> Void) {
        base.afterEachGroup(body)
    }

    func signals(monitorID: UUID, limit: Int) async throws(StoreError) -> [StoredSignal] {
        try await base.signals(monitorID: monitorID, limit: limit)
    }

    func journal(monitorID: UUID?, limit: Int) async throws(StoreError) -> [JournalEntry] {
        try await base.journal(monitorID: monitorID, limit: limit)
    }

    func incidents(monitorID: UUID?, limit: Int) async throws(StoreError) -> [Incident] {
        try await base.incidents(monitorID: monitorID, limit: limit)
    }

    func dueNotices(at now: Date, limit: Int) async throws(StoreError) -> [Notice] {
        try await base.dueNotices(at: now, limit: limit)
    }

    func nextNoticeAttempt() async throws(StoreError) -> Date? { try await base.nextNoticeAttempt() }

    func recordAttempt(noticeID: Int64, outcome: NoticeOutcome) async throws(StoreError) {
        try checkWritable()
        try await base.recordAttempt(noticeID: noticeID, outcome: outcome)
    }

    func pendingNoticeCount() async throws(StoreError) -> Int { try await base.pendingNoticeCount() }
}
