import NIOCore
import Synchronization

/// Work handed to an event loop from another thread, run in batches: however many jobs arrive while the loop has
/// not yet taken the last ones, the loop is woken once for all of them.
///
/// A group commit acknowledges hundreds of pings at once from the store's thread; one `execute` each would wake and
/// lock the loop as many times.
final class LoopMailbox: Sendable {
    let loop: any EventLoop
    private let jobs = Mutex<(queued: [@Sendable () -> Void], scheduled: Bool)>(([], false))

    private init(loop: any EventLoop) {
        self.loop = loop
    }

    /// Queues `job` to run on the loop, after every job queued before it.
    func post(_ job: @escaping @Sendable () -> Void) {
        let wake = jobs.withLock { jobs in
            jobs.queued.append(job)
            defer { jobs.scheduled = true }
            return !jobs.scheduled
        }
        if wake { loop.execute { self.runQueued() } }
    }

    private func runQueued() {
        let queued = jobs.withLock { jobs in
            jobs.scheduled = false
            defer { jobs.queued = [] }
            return jobs.queued
        }
        for job in queued { job() }
    }

    private static let boxes = Mutex<[ObjectIdentifier: LoopMailbox]>([:])

    /// The mailbox of `loop`, one per loop for the life of the process. A mailbox holds its loop, so no other loop
    /// can take the same identifier while the entry is there.
    static func of(_ loop: any EventLoop) -> LoopMailbox {
        boxes.withLock { boxes in
            let key = ObjectIdentifier(loop)
            if let box = boxes[key] { return box }
            let box = LoopMailbox(loop: loop)
            boxes[key] = box
            return box
        }
    }
}
