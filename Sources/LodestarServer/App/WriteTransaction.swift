import Fluent
import SQLKit

extension Database {
    /// Runs `work` in one transaction that takes the write lock first.
    ///
    /// SQLite allows one writer. Fluent opens deferred transactions, and a deferred transaction that
    /// reads and then tries to write can fail at once with "database is locked" when another writer
    /// is active (the busy handler cannot help in that case). Writing to `write_lock` as the first
    /// statement takes the lock up front, like `BEGIN IMMEDIATE`, so writers wait their turn instead.
    /// PostgreSQL needs no such step.
    func writeTransaction<T: Sendable>(_ work: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await transaction { db in
            if let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" {
                try await sql.raw("UPDATE write_lock SET generation = generation + 1").run()
            }
            return try await work(db)
        }
    }

    var sql: any SQLDatabase { self as! any SQLDatabase }

    /// Runs a bulk write with a 256 MB SQLite page cache on this connection (use the transaction's `db`),
    /// then restores the default 2 MB: millions of index entries would otherwise spill pages to the log constantly.
    func withBulkPageCache<T: Sendable>(_ work: () async throws -> T) async throws -> T {
        guard sql.dialect.name == "sqlite" else { return try await work() }
        try await sql.raw("PRAGMA cache_size = -262144").run()
        do {
            let result = try await work()
            try await sql.raw("PRAGMA cache_size = -2000").run()
            return result
        } catch {
            try? await sql.raw("PRAGMA cache_size = -2000").run()
            throw error
        }
    }
}
