import Fluent

/// How often the district expects each priority standard to be assessed in every class that teaches it.
struct PriorityCadenceMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("priority_cadence")
            .field("id", .string, .identifier(auto: false)).field("weeks", .int, .required)
            .field("set_by", .string, .required).field("set_at", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("priority_cadence").delete()
    }
}
