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
}
