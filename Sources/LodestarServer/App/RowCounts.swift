import SQLKit

extension SQLDatabase {
    /// How many rows of `table` have each of `values` in `column`, in one grouped query (values with no
    /// rows are absent).
    func rowCounts(in table: String, by column: String, values: [String]) async throws -> [String: Int] {
        guard !values.isEmpty else { return [:] }
        var counts: [String: Int] = [:]
        for row in try await raw("""
            SELECT \(ident: column) AS value, COUNT(*) AS n FROM \(ident: table) WHERE \(ident: column) IN (\(binds: values)) GROUP BY \(ident: column)
            """).all() {
            counts[try row.decode(column: "value", as: String.self)] = try row.decode(column: "n", as: Int.self)
        }
        return counts
    }
}
