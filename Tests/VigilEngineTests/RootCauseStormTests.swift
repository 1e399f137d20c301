import Foundation
import Logging
import Synchronization
import Testing
import VigilCore
import VigilStore

@testable import VigilEngine

/// Many monitors stalled by the same outage: people hear of each root cause once, however many incidents it opens.
/// The real engine and recovery loop on a real SQLite file, with a probe that finds the capability blocked.
@Suite("Root-cause storm")
struct RootCauseStormTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let perCause = 150
    static let causes = ["x-api", "disk"]

    @Test("a storm of stalls sharing two root causes escalates once per cause, and once again after they resolve")
    func sharedRootCauseEscalatesOnce() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-storm-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteStore(path: folder.appendingPathComponent("vigil.sqlite").path)
        let clock = Mutex(Self.t0)
        let now: @Sendable () -> Date = { clock.withLock { $0 } }
        let hook = try #require(URL(string: "http://127.0.0.1:9/hook"))
        var quiet = Logger(label: "vigil.test.storm")
        quiet.logLevel = .critical
        let engine = Engine(
            store: store,
            settings: Engine.Settings(
                baseURL: "http://127.0.0.1:8080", pingKey: nil, notify: [NotifyTarget(.webhook(hook))],
                defaultRateLimit: nil),
            logger: quiet, now: now)
        var declarations: [MonitorDeclaration] = []
        var configs: [String: MonitorRecoveryConfig] = [:]
        for cause in Self.causes {
            for index in 0..<Self.perCause {
                let slug = "\(cause)-\(index)"
                declarations.append(MonitorDeclaration(slug: slug, schedule: .every(3_600), grace: 600))
                configs[slug] = MonitorRecoveryConfig(dependsOn: [cause], plan: .none, escalation: "default")
            }
        }
        try await engine.start(declaring: declarations)
        // Both capabilities are files that do not exist: every probe finds them blocked.
        let missing = folder.appendingPathComponent("missing").path
        let capabilities = Dictionary(uniqueKeysWithValues: Self.causes.map { cause in
            (cause, Capability(name: cause, probe: .file(path: "\(missing)/\(cause)", maxAge: nil)))
        })
        let recovery = RecoveryCoordinator(
            engine: engine,
            settings: RecoverySettings(
                capabilities: capabilities,
                escalation: ["default": EscalationPolicy(levels: [.init(channels: ["all"], after: 0)])]),
            configs: configs, logger: quiet, now: now)
        let keys = engine.snapshots().map(\.monitor.key)
        let total = keys.count

        // Wave 1: every monitor progresses once, then all stall at the same deadline; the recovery loop starts
        // after, so it takes all of them at once from the open incidents.
        for key in keys { _ = try await engine.receive(Signal(kind: .success, at: Self.t0), for: .key(key)) }
        let stall = Self.t0 + 3_600 + 600 + 1
        clock.withLock { $0 = stall }
        #expect(await engine.fireDeadlines(at: stall) == total)
        let running = Task { try await recovery.run() }
        defer { running.cancel() }
        try await Self.waitFor("every incident of wave 1 escalated") {
            try await Self.escalationLines(in: store).count == total
        }
        #expect(try await Self.humanNotices(in: store).count == Self.causes.count)
        let covered = try await Self.escalationLines(in: store).filter { $0.hasSuffix("already escalated; not sent again") }
        #expect(covered.count == total - Self.causes.count)

        // Progress resumes everywhere, so every incident closes.
        let resumed = stall + 60
        clock.withLock { $0 = resumed }
        for key in keys { _ = try await engine.receive(Signal(kind: .success, at: resumed), for: .key(key)) }
        try await Self.waitFor("every incident of wave 1 closed") {
            try await Self.journal(of: store).filter { $0.event == .recovery && $0.detail.hasPrefix("progress resumed") }
                .count == total
        }

        // Wave 2, through live events this time: the same causes block again. Those escalations ended with their
        // incidents, so each cause is escalated once more, and still only once.
        let again = resumed + 3_600 + 600 + 1
        clock.withLock { $0 = again }
        #expect(await engine.fireDeadlines(at: again) == total)
        try await Self.waitFor("every incident of wave 2 escalated") {
            try await Self.escalationLines(in: store).count == 2 * total
        }
        let notices = try await Self.humanNotices(in: store)
        #expect(notices.count == 2 * Self.causes.count, "\(notices)")
        // Two incidents per cause in a day is below the recurring-blocker rule's three: no recurring notice.
        #expect(!notices.contains { $0.hasPrefix("recurring.") }, "\(notices)")
    }

    static func journal(of store: SQLiteStore) async throws -> [JournalEntry] {
        try await store.journal(monitorID: nil, limit: 100_000)
    }

    static func escalationLines(in store: SQLiteStore) async throws -> [String] {
        try await journal(of: store).filter { $0.event == .escalated }.map(\.detail)
    }

    /// The idempotency keys of escalation notices in the outbox (state-change notices are not counted).
    static func humanNotices(in store: SQLiteStore) async throws -> [String] {
        try await store.dueNotices(at: .distantFuture, limit: 100_000).map(\.idempotencyKey)
            .filter { $0.contains(".escalation.") || $0.hasPrefix("recurring.") }
    }

    /// Polls until `done`; the bound only catches a hang.
    static func waitFor(_ what: String, _ done: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now.advanced(by: .seconds(120))
        while !(try await done()) {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting until \(what)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
