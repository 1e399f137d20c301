import Foundation
import HeapModule
import Logging
import Synchronization
import VigilCore
import VigilStore

/// The one owner of monitor state at run time.
///
/// It feeds signals and the passing of deadlines to each monitor's `Detector`, makes the decisions durable through
/// the `Store` before it acknowledges them, and keeps a deadline queue so that it wakes exactly when the next
/// monitor is due instead of polling.
public final class Engine: Sendable {
    /// A ping's address: the monitor's own key, or the project ping key and a slug.
    public enum Target: Sendable, Hashable {
        case key(UUID)
        case slug(pingKey: String, slug: String)
    }

    /// What came of a signal that was acknowledged.
    public struct Receipt: Sendable {
        public var monitor: Monitor
        /// True when the ping created the monitor (`?create=1`).
        public var created: Bool
        public var verdict: SignalVerdict
    }

    /// Settings that do not belong to any one monitor.
    public struct Settings: Sendable {
        /// The start of every ping URL, e.g. `http://127.0.0.1:8080`.
        public var baseURL: String
        /// The project ping key for slug URLs; slug pings are refused without one.
        public var pingKey: String?
        /// Where notices go.
        public var notify: [NotifyTarget]
        /// The rate limit of monitors that do not set their own.
        public var defaultRateLimit: RateLimit?

        public init(baseURL: String, pingKey: String?, notify: [NotifyTarget], defaultRateLimit: RateLimit?) {
            self.baseURL = baseURL
            self.pingKey = pingKey
            self.notify = notify
            self.defaultRateLimit = defaultRateLimit
        }
    }

    struct Entry {
        var monitor: Monitor
        var state: MonitorState
        /// The deadline that the queue holds for this monitor, if any.
        var queued: Date?
        var limiter: RateLimiter?
    }

    struct QueuedDeadline: Comparable {
        var at: Date
        var monitorID: UUID

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.at < rhs.at }
    }

    struct Registry {
        var entries: [UUID: Entry] = [:]
        var idsByKey: [UUID: UUID] = [:]
        var idsBySlug: [String: [UUID]] = [:]
        var deadlines = Heap<QueuedDeadline>()
    }

    let store: any Store
    let settings: Settings
    let logger: Logger
    let now: @Sendable () -> Date
    let registry = Mutex(Registry())
    /// Gap histories, calibrated deadlines and forecast rules of the monitors that learn; see Engine+Calibration.
    let learning = Mutex(LearningRegistry())
    /// Signalled when a deadline earlier than all others is queued.
    let deadlineWakeup = Wakeup()
    /// Signalled when notices were added to the outbox.
    public let noticeWakeup = Wakeup()
    /// Every durable step, for recovery and live views.
    public let events = EventHub()
    /// What was acknowledged since start, for `/metrics`.
    public let counters = EngineCounters()

    /// - Parameters:
    ///   - now: the clock; default the system's.
    public init(
        store: any Store,
        settings: Settings,
        logger: Logger = Logger(label: "vigil.engine"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.settings = settings
        self.logger = logger
        self.now = now
    }

    // MARK: - Signals

    /// Applies a signal and returns once it is durable; throws when it was not acknowledged.
    public func receive(_ signal: Signal, for target: Target, create: Bool = false) async throws(EngineError)
        -> Receipt
    {
        let (batch, receipt, previous) = try registry.withLock { registry throws(EngineError) in
            var created: Monitor?
            let id: UUID
            switch try lookUp(target, in: registry) {
            case .some(let found):
                id = found
            case .none:
                // Only the holder of the project ping key may create monitors.
                guard create, case .slug(let pingKey, let slug) = target, pingKey == settings.pingKey else {
                    throw EngineError(.notFound, "not found")
                }
                guard Monitor.isValidSlug(slug) else {
                    throw EngineError(
                        .invalid,
                        "slug \"\(slug)\" cannot be created: use 1 to 64 lowercase letters, digits, - and _, e.g. nightly-backup"
                    )
                }
                let monitor = provision(slug: slug)
                register(monitor, state: .new(at: signal.at), in: &registry)
                created = monitor
                id = monitor.id
            }
            var entry = registry.entries[id]!
            if var limiter = entry.limiter {
                let admission = limiter.admit(at: signal.at)
                entry.limiter = limiter
                registry.entries[id] = entry
                if case .limited(let retryAfter) = admission {
                    throw EngineError(
                        .rateLimited(retryAfter: retryAfter),
                        "rate limited: monitor \(entry.monitor.slug) takes at most \(entry.monitor.rateLimit?.count ?? 0)"
                            + " pings per \(DurationFormat.format(entry.monitor.rateLimit?.window ?? 0))"
                    )
                }
            }
            let previous = entry.state
            let decision = Detector(monitor: entry.monitor).handle(signal, in: entry.state, newIncidentID: UUID.init)
            let batch = record(decision, of: &entry, signal: signal, in: &registry)
            let receipt = Receipt(
                monitor: entry.monitor, created: created != nil,
                verdict: decision.verdict ?? SignalVerdict(isProgress: false, runDuration: nil)
            )
            return (batch, receipt, previous)
        }
        do {
            if receipt.created {
                try await store.saveMonitor(receipt.monitor, initialState: .new(at: signal.at))
            }
            try await store.commit(batch)
        } catch {
            registry.withLock { registry in
                withdraw(batch, restoring: previous, created: receipt.created, in: &registry)
            }
            logger.error("signal not durable", metadata: ["vigil.monitor": "\(receipt.monitor.slug)", "vigil.error": "\(error)"])
            throw EngineError(.notDurable, "the signal could not be stored (\(error.message)); it was not recorded — retry")
        }
        if !batch.notices.isEmpty { noticeWakeup.signal() }
        counters.countSignal(kind: signal.kind.rawValue)
        events.publish(.step(receipt.monitor, batch))
        if receipt.verdict.isProgress { learn(fromProgressAt: signal.at, of: receipt.monitor.id) }
        if let value = signal.value { learn(value: value, kind: signal.kind.rawValue, at: signal.at, of: receipt.monitor.id) }
        return receipt
    }

    // MARK: - Deadlines

    /// The earliest queued deadline.
    public func nextDeadline() -> Date? {
        registry.withLock { $0.deadlines.min?.at }
    }

    /// Applies every deadline that has passed by `now` and makes the changes durable.
    @discardableResult
    public func fireDeadlines(at now: Date) async -> Int {
        let batches = registry.withLock { registry in
            var batches: [ChangeBatch] = []
            while let next = registry.deadlines.min, next.at <= now {
                registry.deadlines.removeMin()
                guard var entry = registry.entries[next.monitorID], entry.queued == next.at else { continue }
                entry.queued = nil
                let decision = Detector(monitor: entry.monitor).advance(entry.state, to: now, newIncidentID: UUID.init)
                let batch = record(decision, of: &entry, signal: nil, in: &registry)
                if !batch.effects.isEmpty { batches.append(batch) }
            }
            return batches
        }
        await commitAll(batches)
        return batches.count
    }

    /// Runs until the task is cancelled, waking at each deadline and whenever an earlier one is queued.
    public func runDeadlines() async {
        while !Task.isCancelled {
            let wake = nextDeadline().map { deadline in
                ContinuousClock.now.advanced(by: .seconds(deadline.timeIntervalSince(now())))
            }
            await deadlineWakeup.wait(until: wake)
            if Task.isCancelled { return }
            await fireDeadlines(at: now())
        }
    }

    // MARK: - Reading

    /// A monitor as it stands now.
    public struct Snapshot: Sendable {
        public var monitor: Monitor
        public var state: MonitorState
        /// When progress is next due.
        public var due: Date?
        /// When the state changes next without a signal.
        public var deadline: Date?
        public var pingURL: String
    }

    /// All monitors, in slug order.
    public func snapshots() -> [Snapshot] {
        let entries = registry.withLock { Array($0.entries.values) }
        // The key's text breaks ties only: made for every comparison, it cost more than the rest of a large list.
        return entries.map(snapshot(of:)).sorted { lhs, rhs in
            lhs.monitor.slug != rhs.monitor.slug
                ? lhs.monitor.slug < rhs.monitor.slug : lhs.monitor.key.uuidString < rhs.monitor.key.uuidString
        }
    }

    /// One monitor, by its ping key or slug.
    public func snapshot(slugOrKey: String) -> Snapshot? {
        registry.withLock { registry -> Entry? in
            if let key = UUID(uuidString: slugOrKey), let id = registry.idsByKey[key] { return registry.entries[id] }
            guard let ids = registry.idsBySlug[slugOrKey], ids.count == 1 else { return nil }
            return registry.entries[ids[0]]
        }.map(snapshot(of:))
    }

    func snapshot(of entry: Entry) -> Snapshot {
        let detector = Detector(monitor: entry.monitor)
        return Snapshot(
            monitor: entry.monitor, state: entry.state, due: detector.due(in: entry.state),
            deadline: detector.deadline(of: entry.state), pingURL: pingURL(for: entry.monitor)
        )
    }

    /// The monitor's own ping URL.
    public func pingURL(for monitor: Monitor) -> String {
        "\(settings.baseURL)/ping/\(monitor.key.uuidString.lowercased())"
    }

    // MARK: - Plumbing

    private func lookUp(_ target: Target, in registry: Registry) throws(EngineError) -> UUID? {
        switch target {
        case .key(let key):
            return registry.idsByKey[key]
        case .slug(let pingKey, let slug):
            guard let projectKey = settings.pingKey, projectKey == pingKey else { return nil }
            let ids = registry.idsBySlug[slug] ?? []
            if ids.count > 1 {
                throw EngineError(.ambiguous, "ambiguous slug: \(ids.count) monitors are called \(slug) — ping one by its UUID")
            }
            return ids.first
        }
    }

    /// Takes back what an unacknowledged signal changed in memory, so that it shows nowhere; a step that already
    /// built on it is left alone.
    private func withdraw(
        _ batch: ChangeBatch,
        restoring previous: MonitorState,
        created: Bool,
        in registry: inout Registry
    ) {
        let id = batch.monitorID
        guard var entry = registry.entries[id], entry.state.revision == batch.state.revision else { return }
        if created {
            registry.entries[id] = nil
            registry.idsByKey[entry.monitor.key] = nil
            registry.idsBySlug[entry.monitor.slug]?.removeAll { $0 == id }
            if registry.idsBySlug[entry.monitor.slug]?.isEmpty == true { registry.idsBySlug[entry.monitor.slug] = nil }
            return
        }
        entry.state = previous
        registry.entries[id] = entry
        schedule(id, at: Detector(monitor: entry.monitor).deadline(of: previous), in: &registry)
    }

    private func provision(slug: String) -> Monitor {
        // As healthchecks.io does for auto-provisioned checks: a daily period with an hour of grace.
        Monitor(
            id: UUID(), key: UUID(), slug: slug, schedule: .every(86_400), grace: 3_600,
            rateLimit: settings.defaultRateLimit, origin: .autoProvisioned
        )
    }

    func register(_ monitor: Monitor, state: MonitorState, in registry: inout Registry) {
        let limit = monitor.rateLimit
        registry.entries[monitor.id] = Entry(
            monitor: monitor, state: state, queued: nil, limiter: limit.map(RateLimiter.init(limit:))
        )
        registry.idsByKey[monitor.key] = monitor.id
        registry.idsBySlug[monitor.slug, default: []].append(monitor.id)
        schedule(monitor.id, at: Detector(monitor: monitor).deadline(of: state), in: &registry)
    }

    /// Stores a decision in the entry, queues its deadline and builds the batch that makes it durable.
    func record(
        _ decision: Decision,
        of entry: inout Entry,
        signal: Signal?,
        in registry: inout Registry
    ) -> ChangeBatch {
        var state = decision.state
        if !decision.effects.isEmpty || signal != nil {
            state.revision = entry.state.revision + 1
        }
        entry.state = state
        let id = entry.monitor.id
        registry.entries[id] = entry
        schedule(id, at: decision.deadline, in: &registry)
        let notices = notices(for: decision.effects, of: entry.monitor, state: state, revision: state.revision)
        return ChangeBatch(
            monitorID: id, state: state, signal: signal, verdict: decision.verdict, effects: decision.effects,
            notices: notices
        )
    }

    func schedule(_ id: UUID, at deadline: Date?, in registry: inout Registry) {
        guard let deadline, var entry = registry.entries[id] else { return }
        // A later deadline waits for the queued one to fire and re-evaluate; only an earlier one is queued now.
        if let queued = entry.queued, queued <= deadline { return }
        let wasFirst = registry.deadlines.min.map { deadline < $0.at } ?? true
        entry.queued = deadline
        registry.entries[id] = entry
        registry.deadlines.insert(QueuedDeadline(at: deadline, monitorID: id))
        if wasFirst { deadlineWakeup.signal() }
    }

    func commitAll(_ batches: [ChangeBatch]) async {
        guard !batches.isEmpty else { return }
        await withDiscardingTaskGroup { group in
            for batch in batches {
                group.addTask {
                    do {
                        try await self.store.commit(batch)
                        if let monitor = self.monitor(id: batch.monitorID) {
                            self.events.publish(.step(monitor, batch))
                        }
                    } catch {
                        self.logger.error(
                            "state change not durable",
                            metadata: ["vigil.monitor": "\(batch.monitorID)", "vigil.error": "\(error)"]
                        )
                    }
                }
            }
        }
        if batches.contains(where: { !$0.notices.isEmpty }) { noticeWakeup.signal() }
    }
}
