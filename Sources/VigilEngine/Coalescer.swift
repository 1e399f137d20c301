import Synchronization

/// Turns many callers' small writes into few large ones, as the store's group commit does for steps.
///
/// A caller submits its items and returns once a flush that held them has finished. While one flush runs, the items
/// that arrive wait and go together in the next one, so a storm of thousands of incidents or deliveries costs a
/// handful of transactions instead of one each.
final class Coalescer<Item: Sendable>: Sendable {
    private struct Pending {
        var items: [Item] = []
        var waiters: [CheckedContinuation<Void, Never>] = []
        var flushing = false
    }

    private let pending = Mutex(Pending())
    private let flush: @Sendable ([Item]) async -> Void

    /// - Parameter flush: writes one group of items; it reports its own failures, since each caller only waits.
    init(flush: @escaping @Sendable ([Item]) async -> Void) {
        self.flush = flush
    }

    /// Returns once the items were part of a finished flush.
    func submit(_ items: [Item]) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let leads = pending.withLock { pending in
                pending.items += items
                pending.waiters.append(continuation)
                defer { pending.flushing = true }
                return !pending.flushing
            }
            // The first caller of a burst starts the flushing; it ends when nothing waits any more.
            if leads { Task { await self.drain() } }
        }
    }

    private func drain() async {
        while true {
            let (items, waiters) = pending.withLock { pending in
                let taken = (pending.items, pending.waiters)
                pending.items = []
                pending.waiters = []
                if taken.1.isEmpty { pending.flushing = false }
                return taken
            }
            if waiters.isEmpty { return }
            if !items.isEmpty { await flush(items) }
            for waiter in waiters { waiter.resume() }
        }
    }
}
