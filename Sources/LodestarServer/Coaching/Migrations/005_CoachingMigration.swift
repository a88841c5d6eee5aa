import Fluent
import SQLKit

struct CoachingMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("coaching_conversations")
            .field("id", .string, .identifier(auto: false))
            .field("coach_id", .string, .required).field("teacher_id", .string, .required).field("walkthrough_id", .string)
            .field("held_at", .int64, .required).field("focus", .string, .required).field("notes", .string, .required)
            .field("follow_up_at", .int64).field("created_at", .int64, .required)
            .create()
        try await database.schema("coaching_steps")
            .field("id", .string, .identifier(auto: false))
            .field("conversation_id", .string, .required).field("text", .string, .required).field("owner", .string, .required)
            .field("due_on", .string, .required).field("done_at", .int64)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX coaching_conversations_teacher ON coaching_conversations (teacher_id, held_at)").run()
        try await sql.raw("CREATE INDEX coaching_steps_conversation ON coaching_steps (conversation_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("coaching_steps").delete()
        try await database.schema("coaching_conversations").delete()
    }
}
