import Fluent
import Foundation
import LodestarCore
import SQLKit

struct WalkthroughMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("frameworks")
            .field("id", .string, .identifier(auto: false))
            .field("key", .string, .required).field("version", .int, .required).field("name", .string, .required)
            .field("definition", .string, .required).field("is_active", .bool, .required).field("created_at", .int64, .required)
            .unique(on: "key", "version")
            .create()
        try await database.schema("walkthroughs")
            .field("id", .string, .identifier(auto: false))
            .field("framework_id", .string, .required).field("observer_id", .string, .required)
            .field("teacher_id", .string, .required).field("class_id", .string).field("school_id", .string, .required)
            .field("visit_type", .string, .required).field("announced", .bool, .required)
            .field("observed_at", .int64, .required).field("students_on_task", .int).field("students_present", .int)
            .field("glow", .string, .required).field("grow", .string, .required).field("question", .string, .required)
            .field("notes", .string, .required).field("shared_at", .int64).field("read_at", .int64)
            .field("created_at", .int64, .required)
            .create()
        try await database.schema("indicator_marks")
            .field("id", .string, .identifier(auto: false))
            .field("walkthrough_id", .string, .required).field("indicator_key", .string, .required)
            .field("mark", .string, .required).field("look_fors", .string, .required)
            .create()
        try await database.schema("feedback_replies")
            .field("id", .string, .identifier(auto: false))
            .field("walkthrough_id", .string, .required).field("author_id", .string, .required)
            .field("body", .string, .required).field("created_at", .int64, .required)
            .create()
        try await database.schema("caseloads")
            .field("id", .string, .identifier(auto: false))
            .field("coach_id", .string, .required).field("teacher_id", .string, .required)
            .create()
        let sql = database as! any SQLDatabase
        for statement in [
            "CREATE INDEX walkthroughs_teacher ON walkthroughs (teacher_id, observed_at)",
            "CREATE INDEX walkthroughs_observer ON walkthroughs (observer_id, observed_at)",
            "CREATE INDEX walkthroughs_school ON walkthroughs (school_id, observed_at)",
            "CREATE INDEX indicator_marks_walkthrough ON indicator_marks (walkthrough_id)",
            "CREATE INDEX feedback_replies_walkthrough ON feedback_replies (walkthrough_id)",
            "CREATE INDEX caseloads_coach ON caseloads (coach_id)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["caseloads", "feedback_replies", "indicator_marks", "walkthroughs", "frameworks"] {
            try await database.schema(table).delete()
        }
    }
}
