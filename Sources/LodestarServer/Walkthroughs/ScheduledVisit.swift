import Fluent
import SQLKit

/// An announced visit planned ahead, visible to the teacher beforehand.
final class ScheduledVisit: Model, @unchecked Sendable {
    static let schema = "scheduled_visits"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "observer_id") var observerId: String
    @Field(key: "teacher_id") var teacherId: String
    @Field(key: "school_id") var schoolId: String
    @Field(key: "visit_type") var visitType: String
    /// Seconds since 1970.
    @Field(key: "scheduled_for") var scheduledFor: Int
    @Field(key: "note") var note: String
    @Field(key: "created_at") var createdAt: Int
    init() {}
}

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
