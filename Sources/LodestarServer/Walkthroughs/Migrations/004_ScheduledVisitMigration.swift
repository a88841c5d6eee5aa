import Fluent
import SQLKit

struct ScheduledVisitMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("scheduled_visits")
            .field("id", .string, .identifier(auto: false))
            .field("observer_id", .string, .required).field("teacher_id", .string, .required)
            .field("school_id", .string, .required).field("visit_type", .string, .required)
            .field("scheduled_for", .int64, .required).field("note", .string, .required).field("created_at", .int64, .required)
            .create()
        try await (database as! any SQLDatabase).raw("CREATE INDEX scheduled_visits_teacher ON scheduled_visits (teacher_id, scheduled_for)").run()
        try await (database as! any SQLDatabase).raw("CREATE INDEX scheduled_visits_observer ON scheduled_visits (observer_id, scheduled_for)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("scheduled_visits").delete()
    }
}
