import Foundation
import GRDB
import GRDBSQLite

/// Positional values for `Statement.run(_:)`, bound straight onto SQLite's statement in the order they are added.
struct StatementBindings {
    fileprivate let statement: SQLiteStatement
    fileprivate var count: CInt = 0
    /// The first code other than SQLITE_OK (0) that a bind returned.
    fileprivate var failure: CInt = 0

    /// Binds the next `?`; nil binds NULL.
    mutating func add(_ value: some StatementBinding) {
        count += 1
        let code = value.bind(to: statement, at: count)
        if code != 0, failure == 0 { failure = code }
    }
}

extension Statement {
    /// Runs the statement with the values `bind` adds, one per `?` in order.
    ///
    /// `execute(arguments:)` builds a `StatementArguments` of `DatabaseValue`s and checks it against the statement on
    /// every call; for the group commit's small statements that cost a good part of SQLite's own work per change.
    func run(_ bind: (inout StatementBindings) -> Void) throws {
        // Resets the statement and clears its bindings.
        setUncheckedArguments(StatementArguments())
        var bindings = StatementBindings(statement: sqliteStatement)
        bind(&bindings)
        assert(bindings.count == parameterCount, "\(bindings.count) values for \(parameterCount) placeholders in \(sql)")
        guard bindings.failure == 0 else {
            // SQLITE_TOOBIG is the one a correct statement can meet: a value over SQLite's size limit.
            throw StoreError.unavailable(
                "a value could not be stored (SQLite code \(bindings.failure)) — it may be too large")
        }
        // Stepped here rather than through `execute()`: GRDB's bookkeeping around each statement (observation,
        // the regions a statement reads, the aborted-transaction check) serves nothing these inserts and updates
        // inside the store's own transactions need, and cost a good part of each step the copying writes.
        let code = sqlite3_step(sqliteStatement)
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(sqliteStatement)))
            // Reset at once, so that the cached statement runs again next time.
            sqlite3_reset(sqliteStatement)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
        }
    }

    /// The number of `?` in the statement, for the check in debug builds; the store's statements that use `run` hold
    /// only plain `?`, none inside a literal.
    private var parameterCount: CInt {
        sql.utf8.reduce(0) { $1 == UInt8(ascii: "?") ? $0 + 1 : $0 }
    }
}
