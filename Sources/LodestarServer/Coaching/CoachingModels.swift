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

/// A teacher on a coach's caseload at a school. Besides the coaching pages, it decides which teachers'
/// walkthroughs and records a coach may open (`AccessPolicy`'s `onCaseload`), asked through `CoachingQueries`.
final class CaseloadEntry: Model, @unchecked Sendable {
    static let schema = "caseloads"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "coach_id") var coachId: String
    @Field(key: "teacher_id") var teacherId: String
    init() {}
}
