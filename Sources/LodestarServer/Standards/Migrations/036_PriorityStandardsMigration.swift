import Fluent

/// The standards the district made priorities, and why.
struct PriorityStandardsMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("priority_standards")
            .field("id", .string, .identifier(auto: false))
            .field("reasons", .string, .required).field("note", .string, .required)
            .field("marked_by", .string, .required).field("marked_at", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("priority_standards").delete()
    }
}
