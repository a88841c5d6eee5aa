import FluentPostgresDriver
import LodestarCore
import SQLKit
import SQLiteNIO

extension SQLDatabase {
    /// Those of `values` that some row of `table` holds in `column` (an indexed one): one index probe a value
    /// (`EXISTS`), where `SELECT DISTINCT` read every row of each value. During the large import on PostgreSQL, the
    /// students with scores among a batch's took 135 ms a thousand so (each has some 33 scores, freshly written).
    func present(_ values: [String], in table: String, column: String) async throws -> [String] {
        var found: [String] = []
        for chunk in values.chunks(of: 500) {
            let list = Array(repeating: "(?)", count: chunk.count).joined(separator: ", ")
            found += try await rowsByPosition("SELECT v.column1 FROM (VALUES \(list)) AS v WHERE EXISTS (SELECT 1 FROM \(table) t WHERE t.\(column) = v.column1)",
                                              chunk.map(Cell.text), kinds: [.text]).map { $0[0].text ?? "" }
        }
        return found
    }

    /// Reads rows by column position, each value as `kinds` says, in the database's own wire types. SQLKit
    /// decodes every value by column name through `Codable`: on PostgreSQL that was most of the time an import
    /// spent reading a million scores back for the mastery rollup. For reads of many rows; `query` uses `?`
    /// for its parameters (and no `?` anywhere else).
    func rowsByPosition(_ query: String, _ binds: [Cell], kinds: [TableSync.Kind]) async throws -> [[Cell]] {
        if let sqlite = self as? any SQLiteDatabase {
            return try await sqlite.query(query, binds.map(\.sqliteData)).map { row in
                guard row.columns.count == kinds.count else { throw Self.columnsDiffer(row.columns.count, kinds.count) }
                return zip(row.columns, kinds).map { column, kind in Cell(column.data, as: kind) }
            }
        }
        guard let postgres = self as? any PostgresDatabase else { throw LodestarError("rowsByPosition reads SQLite and PostgreSQL only") }
        var numbered = "", number = 0
        for character in query {
            if character == "?" { number += 1; numbered += "$\(number)" } else { numbered.append(character) }
        }
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            switch bind {
            case .text(let value): bindings.append(value)
            case .int(let value): bindings.append(value)
            case .double(let value): bindings.append(value)
            case .bool(let value): bindings.append(value)
            case .null: bindings.appendNull()
            }
        }
        let statement = PostgresQuery(unsafeSQL: numbered, binds: bindings)
        let logger = postgres.logger
        return try await postgres.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var result: [[Cell]] = []
                for try await row in try await connection.query(statement, logger: logger) {
                    guard row.count == kinds.count else { throw Self.columnsDiffer(row.count, kinds.count) }
                    var cells: [Cell] = []
                    cells.reserveCapacity(kinds.count)
                    for (cell, kind) in zip(row, kinds) { cells.append(try Cell(cell, as: kind)) }
                    result.append(cells)
                }
                return result
            }
        }.get()
    }

    private static func columnsDiffer(_ columns: Int, _ kinds: Int) -> LodestarError {
        LodestarError("a query read \(columns) columns where \(kinds) were expected")
    }
}

extension Cell {
    init(_ data: SQLiteData, as kind: TableSync.Kind) {
        switch kind {
        case .text: self = .text(data.string ?? "")
        case .optionalText: self = Cell(data.string)
        case .int: self = .int(data.integer ?? 0)
        case .optionalInt: self = Cell(data.integer)
        case .double: self = .double(data.double ?? 0)
        case .bool: self = .bool(data.bool ?? false)
        }
    }

    init(_ cell: PostgresCell, as kind: TableSync.Kind) throws {
        switch kind {
        case .text: self = .text(try cell.decode(String.self))
        case .optionalText: self = Cell(try cell.decode(String?.self))
        case .int: self = .int(try cell.decode(Int.self))
        case .optionalInt: self = Cell(try cell.decode(Int?.self))
        case .double: self = .double(try cell.decode(Double.self))
        case .bool: self = .bool(try cell.decode(Bool.self))
        }
    }

    /// `count` parameters for a query `rowsByPosition` reads: "?, ?, ?".
    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    var integer: Int? { if case .int(let value) = self { value } else { nil } }
    var number: Double? { if case .double(let value) = self { value } else { nil } }
}
