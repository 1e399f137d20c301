import Foundation
import GRDB
import Testing

@testable import VigilStore

/// The checkpointer copies the write-ahead log into the database file from its own connection, so that SQLite can
/// start the log over instead of letting it grow. Rounds are run by hand here (no timer), against a writer whose own
/// automatic checkpoint is off, so every copy seen is the checkpointer's.
@Suite("Checkpointer")
struct CheckpointerTests {
    private static func writer(at path: String) throws -> DatabasePool {
        let pool = try DatabasePool(path: path)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
        }
        return pool
    }

    /// A writer on a fresh database in `folder` and a checkpointer whose rounds run only when called.
    private static func writerAndCheckpointer(in folder: TemporaryFolder) throws
        -> (path: String, pool: DatabasePool, checkpointer: Checkpointer)
    {
        let path = folder.path("vigil.sqlite")
        let pool = try writer(at: path)
        return (path, pool, try Checkpointer(path: path, busy: nil, logger: .init(label: "test")))
    }

    /// Twenty transactions of 50 rows of 200 bytes each: a few hundred log frames.
    private static func fill(_ pool: DatabasePool, from first: Int) throws {
        for batch in 0..<20 {
            try pool.write { db in
                for row in 0..<50 {
                    try db.execute(
                        sql: "INSERT INTO item (id, body) VALUES (?, ?)",
                        arguments: [first + batch * 50 + row, String(repeating: "x", count: 200)]
                    )
                }
            }
        }
    }

    private static func logSize(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path + "-wal")
        return (attributes[.size] as? NSNumber)?.intValue ?? -1
    }

    @Test("a round copies the whole log, the next commit starts it over, and an unchanged log costs nothing")
    func roundCopiesAndTheLogStartsOver() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (path, pool, checkpointer) = try Self.writerAndCheckpointer(in: folder)

        try Self.fill(pool, from: 0)
        let grown = try Self.logSize(path)
        #expect(grown > 100 * 4_096)

        #expect(checkpointer.round() == .copied)
        #expect(checkpointer.round() == .unchanged)

        // Everything was copied, so the next transaction writes from the start of the log: it does not grow.
        try Self.fill(pool, from: 1_000)
        #expect(try Self.logSize(path) == grown)
        #expect(checkpointer.round() == .copied)

        // The file itself holds every row: a copy of it alone, without the log, reads them all.
        let copy = folder.path("copy.sqlite")
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let file = try DatabaseQueue(path: copy)
        #expect(try file.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM item") } == 2_000)
    }

    @Test("a reader holding an old snapshot leaves the round behind; once it lets go, the next round copies all")
    func readerHoldsTheRoundBack() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (path, pool, checkpointer) = try Self.writerAndCheckpointer(in: folder)
        try Self.fill(pool, from: 0)

        // A connection that may keep its read transaction open between accesses, as a slow reader would.
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let reader = try DatabaseQueue(path: path, configuration: configuration)
        try reader.inDatabase { db in
            try db.beginTransaction(.deferred)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM item") == 1_000)
        }
        try Self.fill(pool, from: 1_000)
        #expect(checkpointer.round() == .behind)

        try reader.inDatabase { db in try db.commit() }
        #expect(checkpointer.round() == .copied)
    }
}
