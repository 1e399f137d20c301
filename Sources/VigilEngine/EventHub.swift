import Foundation
import Synchronization
import VigilCore
import VigilStore

/// Something the engine made durable, for whoever follows along (recovery, live views, the demo).
public enum EngineEvent: Sendable {
    /// A step of a monitor: its state, the signal if any, and the status changes and incidents it caused.
    case step(Monitor, ChangeBatch)
    /// A journal line besides status changes: a diagnosis, an attempt, an escalation.
    case journal(Monitor, JournalRecord)
}

/// Hands every engine event to every subscriber, in order; a subscriber that stops listening is dropped.
///
/// Events reach a subscriber in batches: each handed-over batch wakes a waiting subscriber once. Steps made durable by
/// one group commit are held (`hold`) while the store's writer runs their completions and handed over together
/// (`deliverHeld`) once it has: waking a subscriber for every ping took the writer off its core a few thousand times a
/// second.
public final class EventHub: Sendable {
    private struct State {
        var subscribers: [UUID: AsyncStream<[EngineEvent]>.Continuation] = [:]
        var held: [EngineEvent] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// The events from now on; it buffers without limit, so nothing is lost to a slow reader.
    public func subscribe() -> EngineEvents {
        let (stream, continuation) = AsyncStream.makeStream(of: [EngineEvent].self)
        let id = UUID()
        state.withLock { $0.subscribers[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return EngineEvents(batches: stream)
    }

    /// Hands `event` over now, after any held events.
    func publish(_ event: EngineEvent) {
        state.withLock { state in
            state.held.append(event)
            Self.deliver(&state)
        }
    }

    /// Keeps `event` until `deliverHeld()`; for the completions of one group commit, which end with it.
    func hold(_ event: EngineEvent) {
        state.withLock { $0.held.append(event) }
    }

    /// Hands over what was held, as one batch.
    func deliverHeld() {
        state.withLock { Self.deliver(&$0) }
    }

    // Under the lock, so that batches from different threads keep one order for every subscriber. Yielding only
    // queues the batch (and resumes a waiting reader); it never calls back into the hub.
    private static func deliver(_ state: inout State) {
        guard !state.held.isEmpty else { return }
        for continuation in state.subscribers.values { continuation.yield(state.held) }
        state.held.removeAll(keepingCapacity: true)
    }
}

/// A subscriber's events, one at a time, from the batches the hub hands over.
public struct EngineEvents: AsyncSequence, Sendable {
    public typealias Element = EngineEvent

    let batches: AsyncStream<[EngineEvent]>

    public struct AsyncIterator: AsyncIteratorProtocol {
        var batches: AsyncStream<[EngineEvent]>.AsyncIterator
        var pending: [EngineEvent] = []
        var position = 0

        public mutating func next() async -> EngineEvent? {
            while position == pending.count {
                guard let batch = await batches.next() else { return nil }
                pending = batch
                position = 0
            }
            defer { position += 1 }
            return pending[position]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(batches: batches.makeAsyncIterator())
    }
}
