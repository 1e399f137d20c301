import Foundation
import GRDB
import Logging

/// Copies the write-ahead log back into the database file from a connection of its own, once a second, so that the
/// group commit never stops for it.
///
/// A passive checkpoint takes no writer lock: commits go on while it copies, and the log starts over at the next
/// commit once everything in it is copied. The writer's own automatic checkpoint stays as a backstop.
// Unchecked: the timer is touched only in init and deinit.
final class Checkpointer: @unchecked Sendable {
    private let timer: any DispatchSourceTimer

    init(path: String, every interval: DispatchTimeInterval = .seconds(1), logger: Logger) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(1)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "vigil.store.checkpoint", qos: .utility))
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(200))
        timer.setEventHandler {
            do {
                try connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            } catch {
                // A busy file or a full disk: the next round, or the writer's own checkpoint, copies it later.
                logger.debug("checkpoint skipped", metadata: ["vigil.error": "\(error)"])
            }
        }
        timer.resume()
    }

    deinit {
        timer.cancel()
    }
}
