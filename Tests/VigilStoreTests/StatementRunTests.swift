import Foundation
import GRDB
import Testing

@testable import VigilStore

/// `Statement.run`, which steps SQLite itself: a refusal comes back as GRDB's error with SQLite's code and message,
/// changes nothing, and leaves the cached statement ready to run again.
@Suite struct StatementRunTests {
    @Test func aRefusedRowThrowsSQLitesCodeAndTheStatementRunsAgain() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let queue = try DatabaseQueue(path: folder.path("run.sqlite"))
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE item (name TEXT NOT NULL UNIQUE)")
            let insert = try db.cachedStatement(sql: "INSERT INTO item (name) VALUES (?)")
            try insert.run { $0.add("first") }
            let refusal = #expect(throws: DatabaseError.self) { try insert.run { $0.add("first") } }
            #expect(refusal?.resultCode == .SQLITE_CONSTRAINT)
            #expect(refusal?.message?.contains("UNIQUE") == true)
            try insert.run { $0.add("second") }
            #expect(try String.fetchAll(db, sql: "SELECT name FROM item ORDER BY rowid") == ["first", "second"])
        }
    }
}
