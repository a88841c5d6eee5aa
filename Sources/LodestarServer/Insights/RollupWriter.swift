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
    /// Values go to the database as they are (`Cell`), not through `Encodable`, which cost an allocation each.
    func add(_ rows: [Row], on db: any Database) async throws {
        let tuple = "(" + Array(repeating: "?", count: 1 + keyColumns.count + counters.count).joined(separator: ", ") + ")"
        let insert = "INSERT INTO \(table) (id, \((keyColumns + counters).joined(separator: ", "))) VALUES "
        let update = " ON CONFLICT (id) DO UPDATE SET " + counters.map { "\($0) = \(table).\($0) + excluded.\($0)" }.joined(separator: ", ")
        for batch in rows.sorted(by: { $0.id < $1.id }).chunks(of: 1_000) {
            var binds: [Cell] = []
            binds.reserveCapacity(batch.count * (1 + keyColumns.count + counters.count))
            for row in batch {
                binds.append(.text(row.id))
                binds += row.keys.map(Cell.text)
                binds += row.counts.map(Cell.int)
            }
            _ = try await db.sql.rowsByPosition(insert + Array(repeating: tuple, count: batch.count).joined(separator: ", ") + update, binds, kinds: [])
        }
    }
}
