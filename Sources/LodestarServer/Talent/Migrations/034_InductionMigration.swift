import Fluent
import SQLKit

/// Induction plans for teachers new to the district or the school, and their check-ins and sessions.
struct InductionMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("induction_plans")
            .field("id", .string, .identifier(auto: false))
            .field("school_id", .string, .required).field("teacher_id", .string, .required).field("mentor_id", .string)
            .field("observer_id", .string, .required).field("starts_on", .string, .required)
            .field("created_by", .string, .required).field("created_at", .int64, .required)
            .create()
        try await database.schema("induction_items")
            .field("id", .string, .identifier(auto: false))
            .field("plan_id", .string, .required).field("kind", .string, .required).field("title", .string, .required)
            .field("due_on", .string, .required).field("done_at", .int64).field("done_by", .string).field("note", .string, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE UNIQUE INDEX induction_plans_one ON induction_plans (school_id, teacher_id, starts_on)").run()
        try await sql.raw("CREATE INDEX induction_items_plan ON induction_items (plan_id)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["induction_items", "induction_plans"] { try await database.schema(table).delete() }
    }
}
