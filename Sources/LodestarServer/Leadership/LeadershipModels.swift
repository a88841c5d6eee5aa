import Fluent
import Foundation
import LodestarCore

/// One version of the leadership framework; each edit or import is a new version, and a self-assessment keeps
/// the version it started on, so old ratings read against the words the team saw.
final class LeadershipFrameworkRecord: Model, @unchecked Sendable {
    static let schema = "leadership_frameworks"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "key") var key: String
    @Field(key: "version") var version: Int
    @Field(key: "name") var name: String
    @Field(key: "definition") var definition: String
    /// The version new self-assessments start on. Exactly one row is active.
    @Field(key: "is_active") var isActive: Bool
    @Field(key: "created_at") var createdAt: Int
    init() {}

    init(framework: LeadershipFramework, version: Int, isActive: Bool) {
        id = "\(framework.key)@\(version)"
        key = framework.key
        self.version = version
        name = framework.name
        definition = String(decoding: LeadershipFrameworkJSON.encode(framework), as: UTF8.self)
        self.isActive = isActive
        createdAt = Int(Date().timeIntervalSince1970)
    }

    func framework() throws -> LeadershipFramework {
        try Self.decoded.value(of: definition) { try LeadershipFrameworkJSON.decode(Array(definition.utf8), fileName: "leadership framework \(id ?? key)") }
    }

    private static let decoded = DecodedDefinitions<LeadershipFramework>(limit: 16)
}

/// A school's self-assessment for one school year (`year` is the year it starts: 2026 for 2026–27).
final class SelfAssessment: Model, @unchecked Sendable {
    static let schema = "self_assessments"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "school_id") var schoolId: String
    @Field(key: "year") var year: Int
    @Field(key: "framework_id") var frameworkId: String
    @Field(key: "started_by") var startedBy: String
    @Field(key: "started_at") var startedAt: Int
    /// When the principal shared the summary (team ratings only) with the school's staff.
    @OptionalField(key: "published_at") var publishedAt: Int?
    init() {}
}

/// Someone the principal named to the school's leadership team for the year.
final class SelfAssessmentMember: Model, @unchecked Sendable {
    static let schema = "self_assessment_members"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "assessment_id") var assessmentId: String
    @Field(key: "staff_id") var staffId: String
    @Field(key: "added_at") var addedAt: Int
    init() {}
}

/// One member's own rating of an indicator, made before they see the others'.
final class MemberRating: Model, @unchecked Sendable {
    static let schema = "self_assessment_ratings"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "assessment_id") var assessmentId: String
    @Field(key: "indicator_key") var indicatorKey: String
    @Field(key: "staff_id") var staffId: String
    @Field(key: "level") var level: Int
    @Field(key: "evidence") var evidence: String
    @Field(key: "rated_at") var ratedAt: Int
    init() {}
}

/// The team's agreed rating of an indicator, with the evidence it wrote, the live evidence it had in front of it,
/// the district's review, and the goal it became.
final class TeamRating: Model, @unchecked Sendable {
    static let schema = "self_assessment_team_ratings"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "assessment_id") var assessmentId: String
    @Field(key: "indicator_key") var indicatorKey: String
    @Field(key: "level") var level: Int
    @Field(key: "evidence") var evidence: String
    /// The live evidence's lines as they read when the team rated, one per line, so later years see what it saw.
    @Field(key: "evidence_seen") var evidenceSeen: String
    @Field(key: "rated_by") var ratedBy: String
    @Field(key: "rated_at") var ratedAt: Int
    @OptionalField(key: "review") var review: String?
    @OptionalField(key: "review_comment") var reviewComment: String?
    @OptionalField(key: "reviewed_by") var reviewedBy: String?
    @OptionalField(key: "reviewed_at") var reviewedAt: Int?
    @OptionalField(key: "goal_id") var goalId: String?
    @OptionalField(key: "goal_scope") var goalScope: String?
    init() {}

    enum Review: String, CaseIterable { case agree, differ }
}
