import Foundation
import Synchronization
import VigilEngine

/// What one `/events` client has not been sent yet, bounded however slowly it reads.
///
/// Updates are kept per monitor and a newer one replaces (absorbs) the older, so the mailbox holds at most one
/// update per monitor; journal lines keep the newest `journalLimit` and count what they dropped.
final class LiveMailbox: Sendable {
    struct Batch {
        var updates: [LiveUpdate] = []
        var journal: [LiveJournalLine] = []
        /// Journal lines dropped because the client fell behind.
        var dropped = 0

        var isEmpty: Bool { updates.isEmpty && journal.isEmpty && dropped == 0 }
    }

    private struct Contents {
        var updates: [String: LiveUpdate] = [:]
        /// Monitor ids in the order their first pending update arrived.
        var order: [String] = []
        // At most `journalLimit` long, so removing the first is cheap enough.
        var journal: [LiveJournalLine] = []
        var dropped = 0
        var closed = false
    }

    static let journalLimit = 200

    private let contents = Mutex(Contents())
    private let bell: AsyncStream<Void>.Continuation
    /// Rings after every post and keep-alive tick; holds at most one ring, so it never grows either.
    let rings: AsyncStream<Void>

    init() {
        (rings, bell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Takes an engine event in; returns at once.
    func post(_ event: EngineEvent) {
        let posted = contents.withLock { contents -> Bool in
            guard !contents.closed else { return false }
            switch event {
            case .step(let monitor, let batch):
                var update = LiveUpdate(monitor, batch: batch)
                let id = update.id
                if let older = contents.updates[id] {
                    update.absorb(older: older)
                } else {
                    contents.order.append(id)
                }
                contents.updates[id] = update
            case .journal(let monitor, let record):
                contents.journal.append(LiveJournalLine(monitor, record: record))
                if contents.journal.count > Self.journalLimit {
                    contents.journal.removeFirst()
                    contents.dropped += 1
                }
            }
            return true
        }
        if posted { bell.yield() }
    }

    /// Everything pending, oldest monitor first; empties the mailbox.
    func take() -> Batch {
        contents.withLock { contents in
            let batch = Batch(
                updates: contents.order.compactMap { contents.updates[$0] }, journal: Array(contents.journal),
                dropped: contents.dropped)
            contents.updates = [:]
            contents.order = []
            contents.journal = []
            contents.dropped = 0
            return batch
        }
    }

    /// Wakes the writer without news: it sends a keep-alive comment.
    func ring() {
        bell.yield()
    }

    /// Ends `rings` after what is pending; later posts are ignored.
    func close() {
        contents.withLock { $0.closed = true }
        bell.finish()
    }
}
