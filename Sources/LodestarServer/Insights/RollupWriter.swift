import Fluent
import SQLKit

/// Adds counts to a rollup table: one row per key (`id` plus its text columns), counters added to
/// what is there, many rows per statement. Both databases take `ON CONFLICT … DO UPDATE`.
struct RollupWriter {
    let table: String
    let keyColumns: [String]
    let counters: [String]

    struct Row {
        var id: String
        var keys: [String]
        var counts: [Int]
    }

    /// Adds `rows`' counts to the table. Rows are written in the order of their ids, whoever writes, so two
    /// writers that touch the same rows (every walkthrough touches the district's totals) lock them in the same
    /// order: on PostgreSQL, where row locks are held to the end of the transaction, writers wait for each other
    /// instead of deadlocking.
    func add(_ rows: [Row], on db: any Database) async throws {
        for batch in rows.sorted(by: { $0.id < $1.id }).chunks(of: 400) {
            var query: SQLQueryString = "INSERT INTO \(ident: table) (id, \(idents: keyColumns + counters, joinedBy: ", ")) VALUES "
            for (index, row) in batch.enumerated() {
                if index > 0 { query += ", " }
                query += "(\(bind: row.id), \(binds: row.keys), \(binds: row.counts))"
            }
            query += " ON CONFLICT (id) DO UPDATE SET "
            for (index, counter) in counters.enumerated() {
                if index > 0 { query += ", " }
                query += "\(ident: counter) = \(ident: table).\(ident: counter) + excluded.\(ident: counter)"
            }
            try await db.sql.raw(query).run()
        }
    }
}
