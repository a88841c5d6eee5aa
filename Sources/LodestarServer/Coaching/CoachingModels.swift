import Fluent
import SQLKit

/// A coaching conversation with a teacher, usually after a walkthrough: the practices in focus,
/// notes, agreed next steps, and a follow-up visit.
final class CoachingConversation: Model, @unchecked Sendable {
    static let schema = "coaching_conversations"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "coach_id") var coachId: String
    @Field(key: "teacher_id") var teacherId: String
    @OptionalField(key: "walkthrough_id") var walkthroughId: String?
    /// Seconds since 1970.
    @Field(key: "held_at") var heldAt: Int
    /// Indicator keys, comma-separated.
    @Field(key: "focus") var focus: String
    @Field(key: "notes") var notes: String
    @OptionalField(key: "follow_up_at") var followUpAt: Int?
    @Field(key: "created_at") var createdAt: Int
    init() {}
}

/// A next step agreed in a coaching conversation, owned by the teacher or the coach.
final class CoachingStep: Model, @unchecked Sendable {
    static let schema = "coaching_steps"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "conversation_id") var conversationId: String
    @Field(key: "text") var text: String
    /// "teacher" or "coach".
    @Field(key: "owner") var owner: String
    /// ISO date.
    @Field(key: "due_on") var dueOn: String
    @OptionalField(key: "done_at") var doneAt: Int?
    init() {}
}

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
