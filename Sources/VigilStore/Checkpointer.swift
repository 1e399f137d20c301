import Foundation
import GRDB
import Logging

/// Copies the write-ahead log back into the database file from a connection of its own, once a second, so that the
/// group commit never stops for it.
///
/// A passive checkpoint takes no writer lock: commits go on while it copies, and the log starts over at the next
/// commit once everything in it is copied. The writer's own automatic checkpoint stays as a backstop. A second in
/// which the log did not change costs one `stat`, so an idle Vigil stays idle.
// Unchecked: the timer is touched only in init and deinit, the last seen log only on the timer's serial queue.
final class Checkpointer: @unchecked Sendable {
    private let timer: any DispatchSourceTimer
    private let connection: DatabaseQueue
    private let logPath: String
    private let logger: Logger
    /// The log's size and change time when it was last copied.
    private var copied: (size: Int, changed: timespec)?

    init(path: String, every interval: DispatchTimeInterval = .seconds(1), logger: Logger) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(1)
        connection = try DatabaseQueue(path: path, configuration: configuration)
        logPath = path + "-wal"
        self.logger = logger
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "vigil.store.checkpoint", qos: .utility))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(200))
        timer.setEventHandler { [weak self] in self?.copyIfChanged() }
        timer.resume()
    }

    deinit {
        timer.cancel()
    }

    private func copyIfChanged() {
        var status = stat()
        guard stat(logPath, &status) == 0, status.st_size > 0 else { return }
        let seen = (size: Int(status.st_size), changed: status.st_mtim)
        if let copied, copied.size == seen.size, copied.changed.tv_sec == seen.changed.tv_sec,
            copied.changed.tv_nsec == seen.changed.tv_nsec
        {
            return
        }
        do {
            try connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            copied = seen
        } catch {
            // A busy file or a full disk: the next round, or the writer's own checkpoint, copies it later.
            logger.debug("checkpoint skipped", metadata: ["vigil.error": "\(error)"])
        }
    }
}
