import Fluent
import SQLKit

/// A professional learning need a leader accepted from the evidence (`LearningNeeds`), or wrote
/// themselves, for the district (`scope == "district"`) or a school.
final class LearningNeed: Model, @unchecked Sendable {
    static let schema = "learning_needs"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "scope") var scope: String
    /// The PLC whose evidence proposed the need; nil for the whole school (or district).
    @OptionalField(key: "team_id") var teamId: String?
    /// A `LearningNeeds.Kind`, `priorityKind`, or "other" for a need written by hand.
    @Field(key: "kind") var kind: String
    /// What the evidence was about: an indicator key, a standard id, "standard id|group key", or a grade.
    @Field(key: "subject_key") var subjectKey: String
    @Field(key: "title") var title: String
    /// The numbers behind the need as they stood when it was accepted.
    @Field(key: "evidence") var evidence: String
    @Field(key: "evidence_link") var evidenceLink: String
    /// "open" or "addressed".
    @Field(key: "status") var status: String
    @Field(key: "accepted_by") var acceptedBy: String
    @Field(key: "accepted_at") var acceptedAt: Int
    /// The kind of a need on a grade's priority standards (its subject key is the grade).
    static let priorityKind = "priority"
    init() {}
}

/// A professional learning session, possibly one of a series, linked to a need, to framework
/// practices and to standards; with its facilitator, audience, materials and follow-up look-fors.
final class LearningSession: Model, @unchecked Sendable {
    static let schema = "learning_sessions"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "scope") var scope: String
    @Field(key: "title") var title: String
    /// The series' name; "" for a single session.
    @Field(key: "series") var series: String
    @OptionalField(key: "need_id") var needId: String?
    @Field(key: "facilitator_id") var facilitatorId: String
    @Field(key: "audience") var audience: String
    /// Seconds since 1970.
    @Field(key: "starts_at") var startsAt: Int
    @Field(key: "ends_at") var endsAt: Int
    @Field(key: "location") var location: String
    /// Links to materials, one per line.
    @Field(key: "materials") var materials: String
    /// What visitors look for in classrooms after the session, one per line.
    @Field(key: "look_fors") var lookFors: String
    /// Indicator keys, comma-separated.
    @Field(key: "indicators") var indicators: String
    /// Standard ids, comma-separated.
    @Field(key: "standards") var standards: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Int
    init() {}

    var indicatorKeys: [String] { indicators.split(separator: ",").map(String.init) }
    var standardIds: [String] { standards.split(separator: ",").map(String.init) }
}

/// A staff member who attended a session. The id is "session|staff".
final class SessionAttendance: Model, @unchecked Sendable {
    static let schema = "session_attendance"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "session_id") var sessionId: String
    @Field(key: "staff_id") var staffId: String
    @Field(key: "recorded_by") var recordedBy: String
    @Field(key: "recorded_at") var recordedAt: Int
    init() {}
}

/// A mentor and a colleague growing in one practice, confirmed by a school leader.
final class MentorPairing: Model, @unchecked Sendable {
    static let schema = "mentor_pairings"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "school_id") var schoolId: String
    @Field(key: "indicator_key") var indicatorKey: String
    @Field(key: "mentor_id") var mentorId: String
    @Field(key: "mentee_id") var menteeId: String
    @Field(key: "confirmed_by") var confirmedBy: String
    @Field(key: "confirmed_at") var confirmedAt: Int
    @OptionalField(key: "ended_at") var endedAt: Int?
    init() {}
}

/// A teacher's own growth goal, linked to practices of the framework. A new goal closes the one before.
final class GrowthGoal: Model, @unchecked Sendable {
    static let schema = "growth_goals"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "teacher_id") var teacherId: String
    @Field(key: "statement") var statement: String
    /// Indicator keys, comma-separated.
    @Field(key: "indicators") var indicators: String
    @Field(key: "set_at") var setAt: Int
    @OptionalField(key: "closed_at") var closedAt: Int?
    init() {}

    var indicatorKeys: [String] { indicators.split(separator: ",").map(String.init) }
}

/// A teacher's reflection on their growth goal.
final class GrowthReflection: Model, @unchecked Sendable {
    static let schema = "growth_reflections"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "goal_id") var goalId: String
    @Field(key: "author_id") var authorId: String
    @Field(key: "body") var body: String
    @Field(key: "created_at") var createdAt: Int
    init() {}
}

/// A professional learning community: a grade or subject team of one school.
final class PLCTeam: Model, @unchecked Sendable {
    static let schema = "plc_teams"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "school_id") var schoolId: String
    @Field(key: "name") var name: String
    /// The grade or subject the team shares ("Grade 3", "Mathematics 6–8").
    @Field(key: "focus") var focus: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Int
    init() {}
}

/// A member of a PLC. The id is "team|staff".
final class PLCMember: Model, @unchecked Sendable {
    static let schema = "plc_members"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "team_id") var teamId: String
    @Field(key: "staff_id") var staffId: String
    init() {}
}

/// Notes of one PLC meeting.
final class PLCMeeting: Model, @unchecked Sendable {
    static let schema = "plc_meetings"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "team_id") var teamId: String
    /// ISO day.
    @Field(key: "held_on") var heldOn: String
    @Field(key: "notes") var notes: String
    @Field(key: "author_id") var authorId: String
    @Field(key: "created_at") var createdAt: Int
    init() {}
}

/// A cycle of inquiry: a question about student learning, the assessments looked at, the plan, the
/// action taken and what was learned. `status` follows the cycle (see `InquiryStage`).
final class InquiryCycle: Model, @unchecked Sendable {
    static let schema = "inquiry_cycles"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "team_id") var teamId: String
    @Field(key: "question") var question: String
    /// Assessment ids, comma-separated.
    @Field(key: "assessments") var assessments: String
    @Field(key: "plan") var plan: String
    @Field(key: "action") var action: String
    @Field(key: "learned") var learned: String
    @Field(key: "status") var status: String
    /// The grade whose priority standards the cycle is about, or "".
    @Field(key: "priority_grade") var priorityGrade: String
    @Field(key: "opened_at") var openedAt: Int
    @Field(key: "updated_at") var updatedAt: Int
    init() {}

    var assessmentIds: [String] { assessments.split(separator: ",").map(String.init) }
}

/// Where a cycle of inquiry stands.
enum InquiryStage: String, CaseIterable, Sendable {
    case question, data, plan, action, learned, closed

    var label: String {
        switch self {
        case .question: "Asking the question"
        case .data: "Looking at the data"
        case .plan: "Planning"
        case .action: "Acting"
        case .learned: "Reflecting on what was learned"
        case .closed: "Closed"
        }
    }
}
