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
