import Foundation
import SQLKit
import Testing
@testable import LodestarServer

@Suite("Table sync")
struct TableSyncTests {
    static let probe = TableSync(table: "sync_probe", columns: [
        ("name", .text), ("note", .optionalText), ("count", .optionalInt), ("share", .double), ("flag", .bool)])

    /// Every kind of cell comes back as it went in, on both databases: on PostgreSQL the rows travel as
    /// `COPY` text, where a tab, a newline or a backslash in a name would shift or end the row unless escaped.
    @Test(arguments: TestDatabase.all)
    func rowsComeBackAsTheyWentIn(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let sql = app.db.sql
            try await sql.raw("CREATE TABLE sync_probe (id TEXT PRIMARY KEY, name TEXT NOT NULL, note TEXT, count BIGINT, share DOUBLE PRECISION, flag BOOLEAN NOT NULL)").run()
            var rows: TableRows = [
                "tab\there": [.text("Ana\tMaría"), .text("line one\nline two\r\n"), .int(-9_007_199_254_740_993), .double(0.1), .bool(true)],
                "back\\slash": [.text("C:\\new\\table \\N"), .null, .null, .double(1e-300), .bool(false)],
                "plain": [.text(""), .text("\\N"), .int(0), .double(-2.5), .bool(true)],
                "日本": [.text("José Ñúñez 👩🏽‍🏫"), .text("\\\\t"), .int(42), .double(3), .bool(false)],
            ]
            var counts = try await Self.probe.apply(from: [:], to: rows, on: sql)
            #expect(counts == SyncCounts(created: 4))
            #expect(try await Self.probe.load(sql) == rows)

            // Again over the stored rows: one changed, one new, the rest as they were.
            rows["plain"] = [.text("now named"), .null, .int(7), .double(0.3), .bool(false)]
            rows["fifth"] = [.text("a\u{1}b"), .text("end\\"), .null, .double(12.75), .bool(true)]
            counts = try await Self.probe.merge(rows, on: sql)
            #expect(counts == SyncCounts(created: 1, updated: 1, unchanged: 3))
            #expect(try await Self.probe.load(sql) == rows)
        }
    }

    /// A bulk load into an empty table on PostgreSQL sets its indexes and key aside and builds them again after: the
    /// same definitions come back, a duplicate id still fails the load (and the rows before it stay), and a table that
    /// holds rows keeps its indexes throughout. SQLite keeps them always.
    @Test(arguments: TestDatabase.all)
    func aBulkLoadBuildsTheIndexesItSetAside(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let sql = app.db.sql
            try await sql.raw("CREATE TABLE sync_probe (id TEXT PRIMARY KEY, name TEXT NOT NULL, note TEXT, count BIGINT, share DOUBLE PRECISION, flag BOOLEAN NOT NULL)").run()
            try await sql.raw("CREATE INDEX sync_probe_name ON sync_probe (name, count)").run()
            let before = try await Self.indexes(sql)
            #expect(before.count == 2)

            let during = try await app.db.writeTransaction { db in
                try await db.loadWithIndexesBuiltAfter("sync_probe") {
                    try await Self.probe.insert([("a", Self.row("Ana")), ("b", Self.row("Ben"))], on: db.sql)
                    return try await Self.indexes(db.sql)
                }
            }
            #expect(during == (database == .postgres ? [] : before))
            #expect(try await Self.indexes(sql) == before)
            #expect(try await Self.probe.load(sql).keys.sorted() == ["a", "b"])

            // Holding rows: the indexes stay while loading.
            let kept = try await app.db.writeTransaction { db in
                try await db.loadWithIndexesBuiltAfter("sync_probe") {
                    try await Self.probe.insert([("c", Self.row("Cy"))], on: db.sql)
                    return try await Self.indexes(db.sql)
                }
            }
            #expect(kept == before)

            // Emptied, then loaded with one id twice: the load fails when the key is built, and nothing changes.
            await #expect(throws: (any Error).self) {
                try await app.db.writeTransaction { db in
                    try await db.sql.raw("DELETE FROM sync_probe").run()
                    try await db.loadWithIndexesBuiltAfter("sync_probe") {
                        try await Self.probe.insert([("d", Self.row("Di")), ("d", Self.row("Di again"))], on: db.sql)
                    }
                }
            }
            #expect(try await Self.indexes(sql) == before)
            #expect(try await Self.probe.load(sql).keys.sorted() == ["a", "b", "c"])
        }
    }

    /// The probe table's indexes as the database describes them.
    static func indexes(_ db: any SQLDatabase) async throws -> [String] {
        let query: SQLQueryString = db.dialect.name == "postgresql"
            ? "SELECT indexdef AS definition FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'sync_probe' ORDER BY indexdef"
            : "SELECT COALESCE(sql, name) AS definition FROM sqlite_master WHERE type = 'index' AND tbl_name = 'sync_probe' ORDER BY 1"
        return try await db.raw(query).all().map { try $0.decode(column: "definition", as: String.self) }
    }

    static func row(_ name: String) -> [Cell] { [.text(name), .null, .int(1), .double(0.5), .bool(true)] }
}
