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
public final class EventHub: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<EngineEvent>.Continuation]>([:])

    public init() {}

    /// A stream of the events from now on; it buffers without limit, so nothing is lost to a slow reader.
    public func subscribe() -> AsyncStream<EngineEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: EngineEvent.self)
        let id = UUID()
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ event: EngineEvent) {
        let targets = subscribers.withLock { Array($0.values) }
        for continuation in targets { continuation.yield(event) }
    }
}
