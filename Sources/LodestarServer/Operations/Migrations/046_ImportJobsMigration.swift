import Fluent

/// Web imports move from one server's memory to the database (`ImportJobs`), so an import's page can be served by
/// any server sharing it. Strings are bounded when written (`ImportJobs.fileNameLength`, `outcomeLength`, `detailLength`).
struct ImportJobsMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ImportJobs.table)
            .field("id", .string, .identifier(auto: false))
            .field("kind", .string, .required).field("file_name", .string, .required).field("started_by", .string, .required)
            .field("started_at", .int64, .required).field("updated_at", .int64, .required)
            .field("rows", .int64, .required).field("fraction_read", .double, .required).field("all_read", .bool, .required)
            .field("outcome", .string).field("outcome_line", .string).field("detail", .string).field("ended_at", .int64)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ImportJobs.table).delete()
    }
}
