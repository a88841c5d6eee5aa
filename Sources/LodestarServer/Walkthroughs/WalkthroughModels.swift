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
