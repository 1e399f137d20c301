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
    /// Deadline steps handed to the store and not yet durable.
    let stepsInFlight = Atomic<Int>(0)

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
        store.afterEachGroup { [events] in events.deliverHeld() }
    }

    // MARK: - Signals

    /// Applies a signal and returns once it is durable; throws when it was not acknowledged.
    public func receive(_ signal: Signal, for target: Target, create: Bool = false) async throws(EngineError)
        -> Receipt
    {
        let admitted = try admit(signal, for: target, create: create)
        do {
            if admitted.receipt.created {
                try await store.saveMonitor(admitted.receipt.monitor, initialState: .new(at: signal.at))
            }
            try await store.commit(admitted.batch)
        } catch {
            throw withdraw(admitted, after: error)
        }
        acknowledge(admitted, of: signal)
        return admitted.receipt
    }

    /// Like `receive`, for a caller on an event loop that must not wait in a task; it never creates a monitor.
    /// `completion` runs once the signal is durable or was refused, on a thread of the store's, and must not block.
    public func receive(
        _ signal: Signal, for target: Target, completion: @escaping @Sendable (Result<Receipt, EngineError>) -> Void
    ) {
        let admitted: Admitted
        do {
            admitted = try admit(signal, for: target, create: false)
        } catch {
            completion(.failure(error))
            return
        }
        store.commit(admitted.batch) { result in
            switch result {
            case .success:
                self.acknowledge(admitted, of: signal, held: true)
                completion(.success(admitted.receipt))
            case .failure(let error):
                completion(.failure(self.withdraw(admitted, after: error)))
            }
        }
    }

    /// A signal applied in memory and waiting to be durable.
    private struct Admitted: Sendable {
        var batch: ChangeBatch
        var receipt: Receipt
        /// The state before the signal, restored if the store refuses the step.
        var previous: MonitorState
    }

    /// Applies the signal to its monitor's state in memory (creating the monitor if asked and allowed).
    private func admit(_ signal: Signal, for target: Target, create: Bool) throws(EngineError) -> Admitted {
        try registry.withLock { registry throws(EngineError) in
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
            var entry = registry[id]!
            if var limiter = entry.limiter {
                let admission = limiter.admit(at: signal.at)
                entry.limiter = limiter
                registry[id] = entry
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
            return Admitted(batch: batch, receipt: receipt, previous: previous)
        }
    }

    /// Undoes an admitted signal that the store did not take, and says so.
    private func withdraw(_ admitted: Admitted, after error: StoreError) -> EngineError {
        registry.withLock { registry in
            withdraw(admitted.batch, restoring: admitted.previous, created: admitted.receipt.created, in: &registry)
        }
        logger.error(
            "signal not durable", metadata: ["vigil.monitor": "\(admitted.receipt.monitor.slug)", "vigil.error": "\(error)"]
        )
        return EngineError(.notDurable, "the signal could not be stored (\(error.message)); it was not recorded — retry")
    }

    /// What follows a durable signal: notices, counters, live views and learning.
    /// `held`: on the store's writer, among the completions of one group commit, whose end hands the event over.
    private func acknowledge(_ admitted: Admitted, of signal: Signal, held: Bool = false) {
        let receipt = admitted.receipt
        if !admitted.batch.notices.isEmpty { noticeWakeup.signal() }
        counters.countSignal(kind: signal.kind.rawValue)
        if held {
            events.hold(.step(receipt.monitor, admitted.batch))
        } else {
            events.publish(.step(receipt.monitor, admitted.batch))
        }
        if receipt.verdict.isProgress { learn(fromProgressAt: signal.at, of: receipt.monitor.id) }
        if let value = signal.value { learn(value: value, kind: signal.kind.rawValue, at: signal.at, of: receipt.monitor.id) }
    }

    // MARK: - Deadlines

    /// The earliest queued deadline.
    public func nextDeadline() -> Date? {
        registry.withLock { $0.deadlines.min?.at }
    }

    /// Applies every deadline that has passed by `now` and makes the changes durable.
    @discardableResult
    public func fireDeadlines(at now: Date) async -> Int {
        await withCheckedContinuation { (continuation: CheckedContinuation<Int, Never>) in
            dispatchDeadlines(at: now) { continuation.resume(returning: $0) }
        }
    }

    /// Runs until the task is cancelled, waking at each deadline and whenever an earlier one is queued.
    public func runDeadlines() async {
        var lastRound = ContinuousClock.now
        while !Task.isCancelled {
            // Rounds at least a millisecond apart: 16 700 deadlines a second (a million monitors over a minute) would
            // otherwise wake the loop for each one and hand the writer one step at a time.
            let wake = nextDeadline().map { deadline in
                max(ContinuousClock.now.advanced(by: .seconds(deadline.timeIntervalSince(now()))),
                    lastRound.advanced(by: Self.deadlineRoundSpacing))
            }
            await deadlineWakeup.wait(until: wake)
            if Task.isCancelled { return }
            lastRound = ContinuousClock.now
            // The next round is decided while the writer commits this one; only a backlog beyond
            // `deadlineBacklog` steps waits for the writer, so that memory stays bounded when it falls behind.
            if stepsInFlight.load(ordering: .relaxed) > Self.deadlineBacklog {
                await fireDeadlines(at: now())
            } else {
                dispatchDeadlines(at: now()) { _ in }
            }
        }
    }

    /// Decides every deadline that has passed by `now` and hands the steps to the store, a chunk at a time; `done`
    /// runs with their number once every one is durable or failed.
    private func dispatchDeadlines(at now: Date, done: @escaping @Sendable (Int) -> Void) {
        // Each chunk goes to the store as soon as it is decided: the writer commits the first chunks of a storm while
        // the next are decided on the other core, and pings get the registry's lock between chunks.
        let pending = PendingSteps { fired, notified in
            if notified { self.noticeWakeup.signal() }
            self.stepsInFlight.subtract(fired, ordering: .relaxed)
            done(fired)
        }
        var random = SystemRandomNumberGenerator()
        while true {
            let steps = registry.withLock { registry in
                var steps: [(batch: ChangeBatch, monitor: Monitor)] = []
                while steps.count < Self.deadlineChunk, let next = registry.deadlines.min, next.at <= now {
                    registry.deadlines.removeMin()
                    guard var entry = registry[next.monitorID], entry.queued == next.at else { continue }
                    entry.queued = nil
                    let decision = Detector(monitor: entry.monitor).advance(entry.state, to: now) {
                        Self.randomID(using: &random)
                    }
                    let batch = record(decision, of: &entry, signal: nil, in: &registry)
                    if !batch.effects.isEmpty { steps.append((batch, entry.monitor)) }
                }
                return steps
            }
            if steps.isEmpty { break }
            stepsInFlight.add(steps.count, ordering: .relaxed)
            pending.add(steps.count, notifying: steps.contains { !$0.batch.notices.isEmpty })
            for step in steps {
                store.commit(step.batch) { result in
                    self.finish(step.batch, of: step.monitor, result)
                    pending.finish()
                }
            }
        }
        pending.seal()
    }

    /// The least time between two rounds of `runDeadlines`.
    static let deadlineRoundSpacing = Duration.milliseconds(1)

    /// Steps handed to the store and not yet durable beyond which `runDeadlines` waits for the writer.
    static let deadlineBacklog = 20_000

    /// Deadlines decided under one hold of the registry's lock before they go to the store.
    static let deadlineChunk = 256

    /// A random (version 4) UUID for an incident.
    // Foundation's `UUID()` reads the system's random source through several calls per id (~5 µs here); two 64-bit
    // draws from the system generator are a quarter of that, which a storm of ten thousand stalls notices.
    static func randomID(using generator: inout SystemRandomNumberGenerator) -> UUID {
        var bytes = (generator.next() as UInt64, generator.next() as UInt64)
        return withUnsafeMutableBytes(of: &bytes) { raw in
            raw[6] = raw[6] & 0x0F | 0x40
            raw[8] = raw[8] & 0x3F | 0x80
            return UUID(uuid: raw.load(as: uuid_t.self))
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
        let entries = registry.withLock { $0.allEntries() }
        // Sorting positions, not the large entries, saves moving them; the key's text breaks ties only: made for
        // every comparison, it cost more than the rest of a large list.
        let order = entries.indices.sorted { lhs, rhs in
            let left = entries[lhs].monitor
            let right = entries[rhs].monitor
            return left.slug != right.slug ? left.slug < right.slug : left.key.lowercasedText < right.key.lowercasedText
        }
        return order.map { snapshot(of: entries[$0]) }
    }

    /// One monitor, by its ping key or slug.
    public func snapshot(slugOrKey: String) -> Snapshot? {
        registry.withLock { registry -> Entry? in
            if let key = UUID(uuidString: slugOrKey), let id = registry.id(forKey: key) { return registry[id] }
            let match = registry.slugMatch(slugOrKey)
            guard match.count == 1, let id = match.id else { return nil }
            return registry[id]
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
        settings.baseURL + "/ping/" + monitor.key.lowercasedText
    }

    // MARK: - Plumbing

    private func lookUp(_ target: Target, in registry: Registry) throws(EngineError) -> UUID? {
        switch target {
        case .key(let key):
            return registry.id(forKey: key)
        case .slug(let pingKey, let slug):
            guard let projectKey = settings.pingKey, projectKey == pingKey else { return nil }
            let match = registry.slugMatch(slug)
            if match.count > 1 {
                throw EngineError(.ambiguous, "ambiguous slug: \(match.count) monitors are called \(slug) — ping one by its UUID")
            }
            return match.id
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
        guard let revision = registry.state(id)?.revision, revision == batch.state.revision else { return }
        if created {
            registry[id] = nil
            return
        }
        registry.setState(previous, for: id)
        let monitor = registry.monitor(id)!
        schedule(id, at: Detector(monitor: monitor).deadline(of: previous), in: &registry)
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
        let deadline = Detector(monitor: monitor).deadline(of: state)
        // Added with its deadline already noted, as `schedule` would note it for a monitor with none queued: one
        // lookup less for each of a million monitors at start.
        registry.add(Entry(monitor: monitor, state: state, queued: deadline, limiter: limit.map(RateLimiter.init(limit:))))
        guard let deadline else { return }
        let wasFirst = registry.deadlines.min.map { deadline < $0.at } ?? true
        registry.deadlines.insert(QueuedDeadline(at: deadline, monitorID: monitor.id))
        if wasFirst { deadlineWakeup.signal() }
    }

    /// Stores a decision in the entry, queues its deadline and builds the batch that makes it durable.
    func record(
        _ decision: Decision,
        of entry: inout Entry,
        signal: Signal?,
        in registry: inout Registry
    ) -> ChangeBatch {
        var state = decision.state
        let before = entry.state
        if !decision.effects.isEmpty || signal != nil {
            state.revision = before.revision + 1
        }
        // What a deadline changes: the store may then write only the status over the revision before.
        let statusOnly = signal == nil && state.revision == before.revision + 1
            && state.lastSignalAt == before.lastSignalAt && state.lastProgressAt == before.lastProgressAt
            && state.lastValues == before.lastValues && state.runs == before.runs
        entry.state = state
        let id = entry.monitor.id
        registry[id] = entry
        schedule(id, at: decision.deadline, in: &registry)
        let notices = notices(for: decision.effects, of: entry.monitor, state: state, revision: state.revision)
        return ChangeBatch(
            monitorID: id, state: state, signal: signal, verdict: decision.verdict, effects: decision.effects,
            notices: notices, statusOnly: statusOnly
        )
    }

    func schedule(_ id: UUID, at deadline: Date?, in registry: inout Registry) {
        guard let deadline else { return }
        let wasFirst = registry.deadlines.min.map { deadline < $0.at } ?? true
        // A later deadline waits for the queued one to fire and re-evaluate; only an earlier one is queued now.
        guard registry.queue(deadline, for: id) else { return }
        registry.deadlines.insert(QueuedDeadline(at: deadline, monitorID: id))
        if wasFirst { deadlineWakeup.signal() }
    }

    func commitAll(_ batches: [ChangeBatch]) async {
        guard !batches.isEmpty else { return }
        // One callback per step rather than one task: a storm of 10 000 stalls made 10 000 tasks that all waited
        // for the same group commit. The callbacks run on the store's writer, in commit order, and only publish.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let countdown = Countdown(batches.count) { continuation.resume() }
            for batch in batches {
                store.commit(batch) { result in
                    self.finish(batch, of: self.monitor(id: batch.monitorID), result)
                    countdown.tick()
                }
            }
        }
        if batches.contains(where: { !$0.notices.isEmpty }) { noticeWakeup.signal() }
    }

    /// Publishes a durable step, or logs one that the store refused.
    private func finish(_ batch: ChangeBatch, of monitor: Monitor?, _ result: Result<Void, StoreError>) {
        switch result {
        case .success:
            // On the store's writer, among the completions of one group commit: held for the group's end.
            if let monitor { events.hold(.step(monitor, batch)) }
        case .failure(let error):
            logger.error(
                "state change not durable",
                metadata: ["vigil.monitor": "\(batch.monitorID)", "vigil.error": "\(error)"]
            )
        }
    }
}

/// Counts the steps of one `fireDeadlines` that the store has not finished yet, while more are still being added.
private final class PendingSteps: Sendable {
    private struct Counts {
        var added = 0
        var finished = 0
        var notified = false
        var sealed = false
    }

    private let counts = Mutex(Counts())
    private let done: @Sendable (_ fired: Int, _ notified: Bool) -> Void

    /// - Parameter done: runs once, after `seal()`, when every added step has finished.
    init(done: @escaping @Sendable (_ fired: Int, _ notified: Bool) -> Void) {
        self.done = done
    }

    /// Steps about to go to the store; `notifying` when any of them puts notices in the outbox.
    func add(_ count: Int, notifying: Bool) {
        counts.withLock {
            $0.added += count
            $0.notified = $0.notified || notifying
        }
    }

    /// One step is durable or failed.
    func finish() {
        let result = counts.withLock { counts -> Counts? in
            counts.finished += 1
            return counts.sealed && counts.finished == counts.added ? counts : nil
        }
        if let result { done(result.added, result.notified) }
    }

    /// No more steps will be added.
    func seal() {
        let result = counts.withLock { counts -> Counts? in
            counts.sealed = true
            return counts.finished == counts.added ? counts : nil
        }
        if let result { done(result.added, result.notified) }
    }
}
