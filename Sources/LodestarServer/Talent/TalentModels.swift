import Fluent
import Foundation
import LodestarCore

/// One of the district's hiring profiles (`HiringProfile` as JSON).
final class HiringProfileRecord: Model, @unchecked Sendable {
    static let schema = "hiring_profiles"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "name") var name: String
    @Field(key: "role") var role: String
    @Field(key: "definition") var definition: String
    @Field(key: "updated_at") var updatedAt: Int
    init() {}

    var profile: HiringProfile { get throws { try JSONDecoder().decode(HiringProfile.self, from: Data(definition.utf8)) } }
}

/// A position to fill at a school, hired against a copy of a profile taken when it opened, in named steps.
final class Opening: Model, @unchecked Sendable {
    static let schema = "openings"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "school_id") var schoolId: String
    @Field(key: "title") var title: String
    @Field(key: "role") var role: String
    /// The profile as it read when the opening was made, as JSON.
    @Field(key: "profile") var profileJSON: String
    /// The steps' names as a JSON list.
    @Field(key: "steps") var stepsJSON: String
    /// "open", "filled" or "closed".
    @Field(key: "status") var status: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Int
    @OptionalField(key: "closed_at") var closedAt: Int?
    init() {}

    var profile: HiringProfile { get throws { try JSONDecoder().decode(HiringProfile.self, from: Data(profileJSON.utf8)) } }
    var steps: [String] { (try? JSONDecoder().decode([String].self, from: Data(stepsJSON.utf8))) ?? [] }
}

/// A member of an opening's hiring committee.
final class CommitteeMember: Model, @unchecked Sendable {
    static let schema = "opening_committee"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "opening_id") var openingId: String
    @Field(key: "staff_id") var staffId: String
    init() {}
}

/// A candidate: only what a committee needs to reach them, deleted after `deleteAfter`.
final class Candidate: Model, @unchecked Sendable {
    static let schema = "candidates"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "opening_id") var openingId: String
    @Field(key: "name") var name: String
    @Field(key: "email") var email: String
    @Field(key: "phone") var phone: String
    /// Where they came from: a job board, a referral, the district's pool…
    @Field(key: "source") var source: String
    @Field(key: "added_by") var addedBy: String
    @Field(key: "added_at") var addedAt: Int
    /// "hired", "not hired" or "withdrew".
    @OptionalField(key: "decision") var decision: String?
    @OptionalField(key: "decision_reason") var decisionReason: String?
    @OptionalField(key: "decided_by") var decidedBy: String?
    @OptionalField(key: "decided_at") var decidedAt: Int?
    /// When the candidate's data is deleted: the retention period after they were added, or after the decision.
    @Field(key: "delete_after") var deleteAfter: Int
    init() {}

    enum Decision: String, CaseIterable { case hired, notHired = "not hired", withdrew }
}

/// One committee member's rating of one criterion of a candidate at one step (0-based), made before seeing the others'.
final class CandidateRating: Model, @unchecked Sendable {
    static let schema = "candidate_ratings"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "candidate_id") var candidateId: String
    @Field(key: "step") var step: Int
    @Field(key: "criterion_key") var criterionKey: String
    @Field(key: "member_id") var memberId: String
    @Field(key: "level") var level: Int
    @Field(key: "evidence") var evidence: String
    @Field(key: "rated_at") var ratedAt: Int
    init() {}
}

/// Someone on a school's bench for a leadership role.
final class BenchEntry: Model, @unchecked Sendable {
    static let schema = "succession_bench"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "school_id") var schoolId: String
    /// The role they could step into (`StaffRole` raw value).
    @Field(key: "role") var role: String
    @Field(key: "staff_id") var staffId: String
    @Field(key: "readiness") var readiness: String
    /// What they are working on to be ready.
    @Field(key: "development") var development: String
    /// The leadership framework indicator the development goal serves ("" for none).
    @Field(key: "indicator_key") var indicatorKey: String
    @Field(key: "updated_by") var updatedBy: String
    @Field(key: "updated_at") var updatedAt: Int
    init() {}

    enum Readiness: String, CaseIterable { case now = "ready now", soon = "1–2 years", later = "3+ years" }
}

/// A new teacher's induction at a school, from `startsOn`: a mentor, visits planned by `observerId` at the
/// template's cadence (they are ordinary announced visits, so coverage shows them), and the items below.
final class InductionPlan: Model, @unchecked Sendable {
    static let schema = "induction_plans"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "school_id") var schoolId: String
    @Field(key: "teacher_id") var teacherId: String
    @OptionalField(key: "mentor_id") var mentorId: String?
    @Field(key: "observer_id") var observerId: String
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Int
    init() {}
}

/// A check-in or a session of an induction plan, due on a day, done with a note.
final class InductionItem: Model, @unchecked Sendable {
    static let schema = "induction_items"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "plan_id") var planId: String
    /// "check-in" or "session".
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "due_on") var dueOn: String
    @OptionalField(key: "done_at") var doneAt: Int?
    @OptionalField(key: "done_by") var doneBy: String?
    @Field(key: "note") var note: String
    init() {}
}
