import Fluent
import SQLKit

/// Each school's succession bench: for a leadership role, a person who could step in, how ready, and their
/// development goal tied to an indicator of the leadership framework.
struct SuccessionMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("succession_bench")
            .field("id", .string, .identifier(auto: false))
            .field("school_id", .string, .required).field("role", .string, .required).field("staff_id", .string, .required)
            .field("readiness", .string, .required).field("development", .string, .required).field("indicator_key", .string, .required)
            .field("updated_by", .string, .required).field("updated_at", .int64, .required)
            .create()
        try await (database as! any SQLDatabase).raw("CREATE UNIQUE INDEX succession_bench_one ON succession_bench (school_id, role, staff_id)").run()
    }

    func revert(on database: any Database) async throws { try await database.schema("succession_bench").delete() }
}
