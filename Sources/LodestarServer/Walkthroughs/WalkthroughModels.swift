import Fluent
import Foundation
import LodestarCore
import SQLKit

/// A classroom visit: who visited whom, when, against which framework version, what was seen,
/// and the feedback. The id is made by the capturing device, which makes saving idempotent.
final class Walkthrough: Model, @unchecked Sendable {
    static let schema = "walkthroughs"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "framework_id") var frameworkId: String
    @Field(key: "observer_id") var observerId: String
    @Field(key: "teacher_id") var teacherId: String
    @OptionalField(key: "class_id") var classId: String?
    @Field(key: "school_id") var schoolId: String
    /// The class's grade band and subject at the time of the visit ("" without a class); see `ClassContext`.
    @Field(key: "grade_band") var gradeBand: String
    @Field(key: "subject") var subject: String
    @Field(key: "visit_type") var visitType: String
    @Field(key: "announced") var announced: Bool
    /// Seconds since 1970.
    @Field(key: "observed_at") var observedAt: Int
    @OptionalField(key: "students_on_task") var studentsOnTask: Int?
    @OptionalField(key: "students_present") var studentsPresent: Int?
    @Field(key: "glow") var glow: String
    @Field(key: "grow") var grow: String
    @Field(key: "question") var question: String
    /// Time-stamped notes as JSON: [{"at": seconds, "text": "…"}].
    @Field(key: "notes") var notes: String
    /// When the feedback reached the teacher; nil while it is a draft.
    @OptionalField(key: "shared_at") var sharedAt: Int?
    /// When the teacher first opened the shared feedback.
    @OptionalField(key: "read_at") var readAt: Int?
    @Field(key: "created_at") var createdAt: Int
    /// When the observer last changed feedback the teacher had already been shown (they see "edited").
    @OptionalField(key: "edited_at") var editedAt: Int?
    init() {}
}

/// Walkthroughs remember when shared feedback was edited.
struct WalkthroughEditedMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Walkthrough.schema).field("edited_at", .int64).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Walkthrough.schema).deleteField("edited_at").update()
    }
}

/// One indicator marked in a walkthrough, with the look-fors ticked (one per line).
final class IndicatorMark: Model, @unchecked Sendable {
    static let schema = "indicator_marks"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "walkthrough_id") var walkthroughId: String
    @Field(key: "indicator_key") var indicatorKey: String
    @Field(key: "mark") var mark: String
    @Field(key: "look_fors") var lookFors: String
    init() {}
}

/// A message in the conversation about a walkthrough's feedback: usually the teacher's reflection.
final class FeedbackReply: Model, @unchecked Sendable {
    static let schema = "feedback_replies"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "walkthrough_id") var walkthroughId: String
    @Field(key: "author_id") var authorId: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Int
    init() {}
}

/// A teacher on a coach's caseload at a school.
final class CaseloadEntry: Model, @unchecked Sendable {
    static let schema = "caseloads"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "coach_id") var coachId: String
    @Field(key: "teacher_id") var teacherId: String
    init() {}
}

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
