import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import VigilCore
import VigilStore

/// Delivers the outbox: each notice at least once, retried with exponential backoff and jitter, across restarts.
public struct Notifier: Service {
    let store: any Store
    let wakeup: Wakeup
    let client: HTTPClient
    let backoff: Backoff
    let timeout: TimeAmount
    let concurrency: Int
    let logger: Logger
    let now: @Sendable () -> Date
    /// Records what came of deliveries in groups: one transaction per group, not one per notice.
    let outcomes: Coalescer<(id: Int64, outcome: NoticeOutcome)>

    /// - Parameters:
    ///   - backoff: between attempts; default 1 s doubling up to 10 minutes, half of it random.
    ///   - timeout: for one delivery; default 10 s.
    ///   - concurrency: deliveries under way at once; default 32.
    public init(
        store: any Store,
        wakeup: Wakeup,
        client: HTTPClient = OutboundHTTP.client,
        backoff: Backoff = Backoff(base: 1, factor: 2, cap: 600, jitter: 0.5),
        timeout: TimeAmount = .seconds(10),
        concurrency: Int = 32,
        logger: Logger = Logger(label: "vigil.notifier"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.wakeup = wakeup
        self.client = client
        self.backoff = backoff
        self.timeout = timeout
        self.concurrency = concurrency
        self.logger = logger
        self.now = now
        outcomes = Coalescer { [store, logger] items in
            do {
                try await store.recordAttempts(Dictionary(items.map { ($0.id, $0.outcome) }) { _, last in last })
            } catch {
                // Not recorded means they stay due and are sent again: at least once, never lost.
                logger.error(
                    "cannot record delivery attempts",
                    metadata: ["vigil.error": "\(error)", "vigil.count": "\(items.count)"])
            }
        }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await deliverUntilCancelled()
        }
    }

    func deliverUntilCancelled() async {
        while !Task.isCancelled {
            let delivered = await deliverDue()
            if delivered > 0 { continue }
            let next = try? await store.nextNoticeAttempt()
            let wake = next.map { ContinuousClock.now.advanced(by: .seconds(max(0, $0.timeIntervalSince(now())))) }
            await wakeup.wait(until: wake)
        }
    }

    /// Attempts every notice that is due; returns how many were attempted.
    @discardableResult
    public func deliverDue() async -> Int {
        let due: [Notice]
        do {
            due = try await store.dueNotices(at: now(), limit: 512)
        } catch {
            logger.error("cannot read the outbox", metadata: ["vigil.error": "\(error)"])
            return 0
        }
        guard !due.isEmpty else { return 0 }
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for notice in due {
                if running == concurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask { await attempt(notice) }
                running += 1
            }
        }
        return due.count
    }

    private func attempt(_ notice: Notice) async {
        guard let id = notice.id else { return }
        let outcome: NoticeOutcome
        do {
            try await send(notice)
            outcome = .delivered(at: now())
        } catch {
            let delay = backoff.delay(afterAttempt: notice.attempts + 1, unit: Double.random(in: 0..<1))
            outcome = .failed(error: "\(error)", nextAttemptAt: now().addingTimeInterval(delay))
            logger.warning(
                "notice not delivered; will retry",
                metadata: [
                    "vigil.channel": "\(notice.channel)", "vigil.target": "\(NoticeDelivery.describe(notice))",
                    "vigil.attempt": "\(notice.attempts + 1)",
                    "vigil.retry_in": "\(DurationFormat.format(delay))", "vigil.error": "\(error)",
                ]
            )
        }
        // Returns once recorded, so the next round's read of the outbox never picks it again.
        await outcomes.submit([(id, outcome)])
    }

    private func send(_ notice: Notice) async throws {
        try await NoticeDelivery(client: client, timeout: timeout).deliver(notice)
    }
}
