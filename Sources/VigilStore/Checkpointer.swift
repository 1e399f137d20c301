import Foundation
import GRDB
import Logging

/// Copies the write-ahead log back into the database file from a connection of its own, so that the group commit
/// never stops for it, and keeps the log short.
///
/// A passive checkpoint takes no writer lock: commits go on while it copies. SQLite starts the log over at the next
/// commit only once everything in it is copied, which under a steady stream of commits one pass rarely achieves
/// (new frames arrive while it copies), so a round copies again while the last pass left frames behind; each pass
/// has less to copy than the one before. A round comes every `busy` interval while the log keeps changing and every
/// `idle` interval once it stops; a round whose log did not change costs one `stat`, so an idle Vigil stays idle.
/// The writer's own automatic checkpoint (`SQLiteStore.checkpointPages`) copies whatever a round left behind.
// Unchecked: the timer is touched only in init and deinit, `copied` only on the timer's serial queue.
final class Checkpointer: @unchecked Sendable {
    /// What one round found.
    enum Round: Equatable {
        /// The log had not changed since the last round.
        case unchanged
        /// Every frame in the log was copied: the next commit starts the log over.
        case copied
        /// Commits kept adding frames faster than the passes copied them; the next round goes on.
        case behind
        /// The checkpoint could not run (a busy file, a full disk); the next round, or the writer, tries again.
        case failed
    }

    private let timer: (any DispatchSourceTimer)?
    private let connection: DatabaseQueue
    private let logPath: String
    private let logger: Logger
    private let busy: DispatchTimeInterval
    private let idle: DispatchTimeInterval
    /// The log's size and change time when it was last copied.
    private var copied: (size: Int, changed: timespec)?

    /// Passes of one round at most; the last ones copy only what arrived during the pass before.
    static let passesPerRound = 4

    /// - Parameters:
    ///   - busy: the pause between rounds while commits arrive; nil runs no rounds by itself (tests call `round()`).
    ///   - idle: the pause once a round found nothing new.
    init(
        path: String,
        busy: DispatchTimeInterval? = .seconds(1),
        idle: DispatchTimeInterval = .seconds(1),
        logger: Logger
    ) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(1)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        logPath = path + "-wal"
        self.logger = logger
        self.busy = busy ?? idle
        self.idle = idle
        guard busy != nil else {
            timer = nil
            return
        }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "vigil.store.checkpoint", qos: .utility))
        self.timer = timer
        timer.schedule(deadline: .now() + idle, leeway: .milliseconds(10))
        timer.setEventHandler { [weak self] in
            guard let self else { return }
            let next = self.round() == .unchanged ? self.idle : self.busy
            timer.schedule(deadline: .now() + next, leeway: .milliseconds(10))
        }
        timer.resume()
    }

    deinit {
        timer?.cancel()
    }

    /// Copies the log into the database file if it changed since the last round.
    func round() -> Round {
        var status = stat()
        guard stat(logPath, &status) == 0, status.st_size > 0 else { return .unchanged }
        let seen = (size: Int(status.st_size), changed: status.st_mtim)
        if let copied, copied.size == seen.size, copied.changed.tv_sec == seen.changed.tv_sec,
            copied.changed.tv_nsec == seen.changed.tv_nsec
        {
            return .unchanged
        }
        do {
            for _ in 0..<Self.passesPerRound {
                let pass = try connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
                if pass.checkpointedFrameCount >= pass.walFrameCount {
                    copied = seen
                    return .copied
                }
            }
            return .behind
        } catch {
            logger.debug("checkpoint skipped", metadata: ["vigil.error": "\(error)"])
            return .failed
        }
    }
}
