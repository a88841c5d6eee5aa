import FluentPostgresDriver
import LodestarCore
import SQLKit
import SQLiteNIO

/// A value in a roster row, bound as a parameter so any text is safe.
enum Cell: Hashable, Sendable {
    case text(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null

    init(_ optional: String?) { self = optional.map(Cell.text) ?? .null }
    init(_ optional: Int?) { self = optional.map(Cell.int) ?? .null }

    var text: String? { if case .text(let value) = self { value } else { nil } }
}

/// Rows of one table keyed by id, as loaded or as they should become.
typealias TableRows = [String: [Cell]]

/// How many rows an import created, changed, left as they were and deleted in one table.
struct SyncCounts: Sendable, Equatable, Codable {
    var created = 0
    var updated = 0
    var unchanged = 0
    var deleted = 0

    mutating func add(_ other: SyncCounts) {
        created += other.created; updated += other.updated; unchanged += other.unchanged; deleted += other.deleted
    }
}

/// Brings one table from its current rows to the desired rows with as few statements as possible:
/// changed rows are upserted (`INSERT … ON CONFLICT (id) DO UPDATE`), rows known to be new inserted, removed
/// rows deleted in batches. The same on SQLite (one prepared statement) and PostgreSQL (`COPY`).
struct TableSync: Sendable {
    enum Kind: Sendable { case text, optionalText, int, optionalInt, double, bool }

    let table: String
    let columns: [(name: String, kind: Kind)]
    /// A condition limiting which rows this sync owns (e.g. only rostered staff).
    var scope: String? = nil

    /// Loads the rows this sync owns, or only those with the given ids.
    func load(_ db: any SQLDatabase, ids: [String]? = nil) async throws -> TableRows {
        guard let ids else { return try await load(db, condition: nil, binds: []) }
        return try await load(db, where: "id", in: ids)
    }

    /// Loads the rows whose `column` has one of `values`, 500 values per query on SQLite, 10,000 on PostgreSQL.
    func load(_ db: any SQLDatabase, where column: String, in values: [String]) async throws -> TableRows {
        var result = TableRows(minimumCapacity: values.count)
        // PostgreSQL takes 65,535 parameters and plans one statement for many keys as well as for few.
        for batch in values.chunks(of: db is any PostgresDatabase ? 10_000 : 500) {
            result.merge(try await load(db, condition: "\(column) IN (\(Cell.placeholders(batch.count)))", binds: batch)) { _, new in new }
        }
        return result
    }

    private func load(_ db: any SQLDatabase, condition: String?, binds: [String]) async throws -> TableRows {
        var query = "SELECT id"
        for column in columns { query += ", \(column.name)" }
        query += " FROM \(table)"
        let conditions = [scope, condition].compactMap { $0 }
        if !conditions.isEmpty { query += " WHERE " + conditions.joined(separator: " AND ") }
        var result = TableRows()
        for row in try await db.rowsByPosition(query, binds.map(Cell.text), kinds: [.text] + columns.map(\.kind)) {
            result[row[0].text ?? ""] = Array(row.dropFirst())
        }
        return result
    }

    /// Creates or updates `rows` and leaves every other row alone: for data added beside what
    /// people entered, such as the demo district's walkthroughs.
    /// Cells at the `ignoring` positions (such as "entered at") do not count as a change.
    /// `storedBy` finds the stored rows by another indexed column (such as a score's assessment), which on SQLite
    /// takes far fewer lookups than one per id when many rows share a value. PostgreSQL looks up the ids, ten
    /// thousand per statement: by assessment, a large import read back every score already written for each batch's
    /// assessments (91 s of 301 on the large district); it first asks which of the values any stored row holds, and
    /// looks up only the ids of rows with those (a first import: none, where the ids took 34 s of 188). A stored row
    /// found by `storedBy` must have the same value there as the row of its id in `rows` (a score's id is made from its
    /// assessment's): rows not found are new.
    @discardableResult
    func merge(_ rows: TableRows, ignoring: Set<Int> = [], storedBy: (column: String, values: [String])? = nil,
               on db: any SQLDatabase) async throws -> SyncCounts {
        var current: TableRows
        if let storedBy, db is any PostgresDatabase, let position = columns.firstIndex(where: { $0.name == storedBy.column }) {
            let stored = Set(try await db.present(storedBy.values, in: table, column: storedBy.column))
            current = try await load(db, ids: rows.compactMap { id, cells in stored.contains(cells[position].text ?? "") ? id : nil })
        } else if let storedBy, !(db is any PostgresDatabase) {
            current = try await load(db, where: storedBy.column, in: storedBy.values).filter { rows[$0.key] != nil }
        } else {
            current = try await load(db, ids: Array(rows.keys))
        }
        if !ignoring.isEmpty {
            // Rows that differ only in ignored cells count as unchanged: keep their stored cells.
            var desired = rows
            for (id, cells) in rows {
                guard let stored = current[id] else { continue }
                let same = cells.indices.allSatisfy { ignoring.contains($0) || cells[$0] == stored[$0] }
                if same { desired[id] = stored }
            }
            return try await apply(from: current, to: desired, on: db, createdAreNew: scope == nil)
        }
        current = current.filter { rows[$0.key] != nil }
        return try await apply(from: current, to: rows, on: db, createdAreNew: scope == nil)
    }

    /// Writes the difference between `current` and `desired`; returns what changed.
    /// `extraInsertColumns` are written with every created or changed row (e.g. the source of a staff row):
    /// an upsert is an insert first, so a changed row needs them too, though the update leaves them as they are.
    /// `createdAreNew`: `current` holds every stored row of `desired`'s ids (not only those in `scope`), so rows not
    /// in it are inserted (`insert`), which on PostgreSQL is half the upsert's time.
    @discardableResult
    func apply(from current: TableRows, to desired: TableRows, on db: any SQLDatabase,
               extraInsertColumns: [(String, Cell)] = [], createdAreNew: Bool = false) async throws -> SyncCounts {
        var counts = SyncCounts()
        var created: [(String, [Cell])] = []
        var changed: [(String, [Cell])] = []
        for (id, cells) in desired {
            if let old = current[id] {
                if old == cells { counts.unchanged += 1 } else { changed.append((id, cells)) }
            } else {
                created.append((id, cells))
            }
        }
        let removed = current.keys.filter { desired[$0] == nil }
        counts.created = created.count
        counts.updated = changed.count
        counts.deleted = removed.count

        // Sorted, so the same import writes in the same order every time.
        if createdAreNew {
            try await insert(created.sorted { $0.0 < $1.0 }, extra: extraInsertColumns, on: db)
        } else {
            try await upsert(created.sorted { $0.0 < $1.0 }, extra: extraInsertColumns, on: db)
        }
        try await upsert(changed.sorted { $0.0 < $1.0 }, extra: extraInsertColumns, on: db)
        try await delete(ids: removed.sorted(), on: db)
        return counts
    }

    /// Inserts `rows`, updating any that exist (`INSERT … ON CONFLICT (id) DO UPDATE`), each database its own way:
    /// SQLKit's `Encodable` binds cost an allocation per value, which dominated imports of millions of values.
    func upsert(_ rows: [(String, [Cell])], extra: [(String, Cell)] = [], on db: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        if let sqlite = db as? any SQLiteDatabase { return try await upsertSQLite(rows, extra: extra, on: sqlite) }
        guard let postgres = db as? any PostgresDatabase else { throw LodestarError("TableSync writes SQLite and PostgreSQL only") }
        try await upsertPostgres(rows, extra: extra, on: postgres)
    }

    func delete(ids: [String], on db: any SQLDatabase) async throws {
        for batch in ids.chunks(of: 1_000) {
            try await db.delete(from: table).where("id", .in, batch).run()
        }
    }

    // MARK: - SQLite: one prepared statement, a row at a time (`PreparedRows`)

    private func upsertSQLite(_ rows: [(String, [Cell])], extra: [(String, Cell)], on sqlite: any SQLiteDatabase) async throws {
        let update = columns.map { "\($0.name) = excluded.\($0.name)" }.joined(separator: ", ")
        let sql = insertStatement(extra: extra) + " ON CONFLICT (id) DO UPDATE SET \(update)"
        try await PreparedRows.write(sql, rows: rows, extra: extra.map(\.1), on: sqlite)
    }

    /// SQLite's statement for one row: the id, the columns, then `extra`'s columns.
    private func insertStatement(extra: [(String, Cell)]) -> String {
        let names = ["id"] + columns.map(\.name) + extra.map(\.0)
        return "INSERT INTO \(table) (\(names.joined(separator: ", "))) VALUES (\(Cell.placeholders(names.count)))"
    }
}

extension TableSync {
    // MARK: - PostgreSQL: COPY, then one INSERT … SELECT
    //
    // The rows go to a temporary table of the session by `COPY … FROM STDIN` (text format), then into the
    // table by one `INSERT … SELECT … ON CONFLICT`: the same upsert without a bind per value
    // (binds made a 5-million-score import run at 9,000 rows/s). The temporary table is the connection's own
    // (inside a transaction, the transaction's) and lives for one call.

    private func upsertPostgres(_ rows: [(String, [Cell])], extra: [(String, Cell)], on postgres: any PostgresDatabase) async throws {
        let names = ["id"] + columns.map(\.name) + extra.map(\.0), list = names.joined(separator: ", ")
        let incoming = "incoming_\(table)"
        let update = columns.map { "\($0.name) = excluded.\($0.name)" }.joined(separator: ", ")
        let logger = postgres.logger
        try await postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                // Made anew each time, so it always has the table's columns as they are now.
                _ = try await connection.query("DROP TABLE IF EXISTS pg_temp.\(unescaped: incoming)", logger: logger)
                _ = try await connection.query("CREATE TEMP TABLE \(unescaped: incoming) (LIKE \(unescaped: table) INCLUDING DEFAULTS)", logger: logger)
                try await Self.copy(rows, extra: extra.map(\.1), into: incoming, columns: names, on: connection, logger: logger)
                _ = try await connection.query("""
                    INSERT INTO \(unescaped: table) (\(unescaped: list)) SELECT \(unescaped: list) FROM \(unescaped: incoming)
                    ON CONFLICT (id) DO UPDATE SET \(unescaped: update)
                    """, logger: logger)
                _ = try await connection.query("DROP TABLE pg_temp.\(unescaped: incoming)", logger: logger)
            }
        }.get()
    }

    /// Inserts rows whose ids are not in the table yet (a bulk load after the rows it replaces were deleted): a
    /// duplicate id fails the transaction instead of updating. On PostgreSQL the rows go by `COPY` straight into the
    /// table: the large demo district's 4.9 M scores took 25 s so, 48 s through the upsert's temporary table and
    /// `INSERT … ON CONFLICT`.
    func insert(_ rows: [(String, [Cell])], extra: [(String, Cell)] = [], on db: any SQLDatabase) async throws {
        guard !rows.isEmpty else { return }
        if let sqlite = db as? any SQLiteDatabase {
            return try await PreparedRows.write(insertStatement(extra: extra), rows: rows, extra: extra.map(\.1), on: sqlite)
        }
        guard let postgres = db as? any PostgresDatabase else { throw LodestarError("TableSync writes SQLite and PostgreSQL only") }
        let names = ["id"] + columns.map(\.name) + extra.map(\.0), logger = postgres.logger
        try await postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                try await Self.copy(rows, extra: extra.map(\.1), into: table, columns: names, on: connection, logger: logger)
            }
        }.get()
    }

    /// Sends rows by `COPY … FROM STDIN` in its text format, a megabyte at a time.
    private static func copy(_ rows: [(String, [Cell])], extra: [Cell], into table: String, columns names: [String],
                             on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.copyFrom(table: table, columns: names, logger: logger) { writer in
            var buffer = ByteBuffer()
            buffer.reserveCapacity(1 << 20)
            for (id, cells) in rows {
                Cell.text(id).appendCopyText(to: &buffer)
                for cell in cells {
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    cell.appendCopyText(to: &buffer)
                }
                for cell in extra {
                    buffer.writeInteger(UInt8(ascii: "\t"))
                    cell.appendCopyText(to: &buffer)
                }
                buffer.writeInteger(UInt8(ascii: "\n"))
                if buffer.readableBytes >= 1 << 20 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }
    }
}

extension Cell {
    /// The cell as a field of `COPY`'s text format: `\N` for null; backslash, tab, newline and carriage return escaped.
    func appendCopyText(to buffer: inout ByteBuffer) {
        switch self {
        case .null: buffer.writeStaticString("\\N")
        case .int(let value): buffer.writeString(String(value))
        case .double(let value): buffer.writeString(value.isFinite ? "\(value)" : value.isNaN ? "NaN" : value > 0 ? "Infinity" : "-Infinity")
        case .bool(let value): buffer.writeStaticString(value ? "t" : "f")
        case .text(let value):
            // Most values (ids, names) need no escape: written whole, not byte by byte.
            guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) else {
                buffer.writeString(value)
                return
            }
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }

    var sqliteData: SQLiteData {
        switch self {
        case .text(let value): .text(value)
        case .int(let value): .integer(value)
        case .double(let value): .float(value)
        case .bool(let value): .integer(value ? 1 : 0)
        case .null: .null
        }
    }
}
