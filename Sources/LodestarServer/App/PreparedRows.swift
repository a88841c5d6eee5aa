import LodestarCore
import NIOPosix
import SQLiteNIO
import VaporCSQLite

/// Writes many rows on SQLite through one prepared statement, bound and run once per row with SQLite's C API, as
/// `sqlite3 .import` does. A multi-row statement of thousands of parameters is parsed and planned again for every
/// batch, and each value crosses SQLiteNIO as an enum: on the large district's import that was 14 of the 30 s its
/// writer spent in SQLite.
///
/// SQLiteNIO does not hand out its connection's `sqlite3*`; it is read from the connection's stored property, and
/// a SQLiteNIO that kept it elsewhere would fail every write here at once (every import test), not quietly.
enum PreparedRows {
    /// Runs `sql` once for each of `rows` (the id, then the cells, then `extra`) on the connection `db` writes with.
    static func write(_ sql: String, rows: [(String, [Cell])], extra: [Cell], on db: any SQLiteDatabase) async throws {
        try await db.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                guard let handle = Mirror(reflecting: connection).descendant("handle", "raw") as? OpaquePointer else {
                    throw LodestarError("This SQLiteNIO keeps its connection's handle where Lodestar does not look (PreparedRows).")
                }
                // SQLite's calls block: they run on the pool meant for that, as SQLiteNIO's own do.
                try await NIOThreadPool.singleton.runIfActive { try run(sql, rows: rows, extra: extra, on: handle) }
            }
        }.get()
    }

    private static func run(_ sql: String, rows: [(String, [Cell])], extra: [Cell], on handle: OpaquePointer) throws {
        var prepared: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil) == SQLITE_OK,
              let statement = prepared else { throw Failure(handle) }
        defer { sqlite_nio_sqlite3_finalize(statement) }
        for (id, cells) in rows {
            var index: Int32 = 1
            func bind(_ cell: Cell) throws {
                let result = switch cell {
                case .text(let value): sqlite_nio_sqlite3_bind_text64(statement, index, value, UInt64(value.utf8.count), transient, UInt8(SQLITE_UTF8))
                case .int(let value): sqlite_nio_sqlite3_bind_int64(statement, index, Int64(value))
                case .double(let value): sqlite_nio_sqlite3_bind_double(statement, index, value)
                case .bool(let value): sqlite_nio_sqlite3_bind_int64(statement, index, value ? 1 : 0)
                case .null: sqlite_nio_sqlite3_bind_null(statement, index)
                }
                guard result == SQLITE_OK else { throw Failure(handle) }
                index += 1
            }
            try bind(.text(id))
            for cell in cells { try bind(cell) }
            for cell in extra { try bind(cell) }
            guard sqlite_nio_sqlite3_step(statement) == SQLITE_DONE else { throw Failure(handle) }
            sqlite_nio_sqlite3_reset(statement)
        }
    }

    /// SQLite copies each value as it is bound (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// What SQLite said when a statement failed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ handle: OpaquePointer) {
            description = "SQLite: " + (sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown error")
        }
    }
}
