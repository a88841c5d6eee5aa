import Fluent
import Foundation
import LodestarCore

/// Leadership's front door and store: the leadership framework's versions and each school's yearly
/// self-assessment. Every write runs in one write transaction, so a "look, then write" holds on both databases.
struct LeadershipQueries {
    let db: any Database

    // MARK: The framework

    /// The version new self-assessments start on; Lodestar's own is stored on first use.
    func activeFramework() async throws -> LeadershipFrameworkRecord {
        if let record = try await LeadershipFrameworkRecord.query(on: db).filter(\.$isActive == true).first() { return record }
        return try await db.writeTransaction { db in
            if let existing = try await LeadershipFrameworkRecord.query(on: db).filter(\.$isActive == true).first() { return existing }
            let record = LeadershipFrameworkRecord(framework: .lodestarDefault, version: 1, isActive: true)
            try await record.create(on: db)
            return record
        }
    }

    /// Stores `framework` as the next version of its key and makes it the active one (unchanged: the latest as is).
    func save(_ framework: LeadershipFramework) async throws -> LeadershipFrameworkRecord {
        try await db.writeTransaction { db in
            let latest = try await LeadershipFrameworkRecord.query(on: db).filter(\.$key == framework.key).sort(\.$version, .descending).first()
            if let latest, try latest.framework() == framework { return latest }
            try await activate(nil, on: db)
            let record = LeadershipFrameworkRecord(framework: framework, version: (latest?.version ?? 0) + 1, isActive: true)
            try await record.create(on: db)
            return record
        }
    }

    /// Makes `id` the active version (nil: none, inside a save).
    func activate(_ id: String?, on db: any Database) async throws {
        try await db.sql.update(LeadershipFrameworkRecord.schema).set("is_active", to: false).run()
        if let id { try await db.sql.update(LeadershipFrameworkRecord.schema).set("is_active", to: true).where("id", .equal, id).run() }
    }

    func frameworkVersions() async throws -> [LeadershipFrameworkRecord] {
        _ = try await activeFramework()
        return try await LeadershipFrameworkRecord.query(on: db).sort(\.$key).sort(\.$version, .descending).all()
    }

    func frameworkVersion(_ id: String) async throws -> LeadershipFrameworkRecord? { try await LeadershipFrameworkRecord.find(id, on: db) }

    /// How many self-assessments started on each version.
    func uses() async throws -> [String: Int] {
        Dictionary(try await SelfAssessment.query(on: db).all().map { ($0.frameworkId, 1) }, uniquingKeysWith: +)
    }

    // MARK: A school's year

    func assessment(school: String, year: Int) async throws -> SelfAssessment? {
        try await SelfAssessment.query(on: db).filter(\.$schoolId == school).filter(\.$year == year).first()
    }

    func assessments(year: Int? = nil, schools: [String]? = nil) async throws -> [SelfAssessment] {
        var query = SelfAssessment.query(on: db)
        if let year { query = query.filter(\.$year == year) }
        if let schools { query = query.filter(\.$schoolId ~~ schools) }
        return try await query.sort(\.$year, .descending).sort(\.$schoolId).all()
    }

    /// Starts the year on the active framework, with the person starting it on the team. Starting twice is harmless.
    func start(school: String, year: Int, by starter: String) async throws -> SelfAssessment {
        let framework = try await activeFramework()
        return try await db.writeTransaction { db in
            if let existing = try await LeadershipQueries(db: db).assessment(school: school, year: year) { return existing }
            let assessment = SelfAssessment()
            assessment.id = UUID().uuidString.lowercased()
            assessment.schoolId = school
            assessment.year = year
            assessment.frameworkId = framework.id!
            assessment.startedBy = starter
            assessment.startedAt = Int(Date().timeIntervalSince1970)
            try await assessment.create(on: db)
            try await LeadershipQueries(db: db).addMembers([starter], to: assessment.id!)
            return assessment
        }
    }

    func framework(of assessment: SelfAssessment) async throws -> LeadershipFramework {
        guard let record = try await frameworkVersion(assessment.frameworkId) else { throw LodestarError("The self-assessment's framework is missing.") }
        return try record.framework()
    }

    func members(of assessmentId: String) async throws -> [String] {
        try await SelfAssessmentMember.query(on: db).filter(\.$assessmentId == assessmentId).all().map(\.staffId)
    }

    /// The self-assessments whose team `staffId` is on.
    func assessmentIds(withMember staffId: String) async throws -> Set<String> {
        Set(try await SelfAssessmentMember.query(on: db).filter(\.$staffId == staffId).all().map(\.assessmentId))
    }

    private func addMembers(_ staffIds: [String], to assessmentId: String) async throws {
        let now = Int(Date().timeIntervalSince1970)
        for staffId in staffIds {
            let member = SelfAssessmentMember()
            member.id = UUID().uuidString.lowercased()
            member.assessmentId = assessmentId
            member.staffId = staffId
            member.addedAt = now
            try await member.create(on: db)
        }
    }

    /// The team becomes exactly `staffIds` (ratings already made by someone taken off stay on the record).
    func setMembers(_ staffIds: Set<String>, of assessmentId: String) async throws {
        try await db.writeTransaction { db in
            let current = Set(try await LeadershipQueries(db: db).members(of: assessmentId))
            try await SelfAssessmentMember.query(on: db).filter(\.$assessmentId == assessmentId).filter(\.$staffId ~~ Array(current.subtracting(staffIds))).delete()
            try await LeadershipQueries(db: db).addMembers(staffIds.subtracting(current).sorted(), to: assessmentId)
        }
    }

    func setPublished(_ published: Bool, _ assessmentId: String) async throws {
        try await db.writeTransaction { db in
            try await SelfAssessment.query(on: db).filter(\.$id == assessmentId)
                .set(\.$publishedAt, to: published ? Int(Date().timeIntervalSince1970) : nil).update()
        }
    }

    // MARK: Ratings

    func memberRatings(of assessmentIds: [String], indicator: String? = nil) async throws -> [MemberRating] {
        guard !assessmentIds.isEmpty else { return [] }
        var query = MemberRating.query(on: db).filter(\.$assessmentId ~~ assessmentIds)
        if let indicator { query = query.filter(\.$indicatorKey == indicator) }
        return try await query.sort(\.$ratedAt).all()
    }

    func teamRatings(of assessmentIds: [String]) async throws -> [TeamRating] {
        guard !assessmentIds.isEmpty else { return [] }
        return try await TeamRating.query(on: db).filter(\.$assessmentId ~~ assessmentIds).all()
    }

    func teamRating(_ assessmentId: String, _ indicator: String) async throws -> TeamRating? {
        try await TeamRating.query(on: db).filter(\.$assessmentId == assessmentId).filter(\.$indicatorKey == indicator).first()
    }

    /// A member's own rating, made or changed.
    func rate(_ assessmentId: String, _ indicator: String, by staffId: String, level: Int, evidence: String) async throws {
        try await db.writeTransaction { db in
            let rating = try await MemberRating.query(on: db).filter(\.$assessmentId == assessmentId).filter(\.$indicatorKey == indicator)
                .filter(\.$staffId == staffId).first() ?? MemberRating()
            if rating.id == nil {
                rating.id = UUID().uuidString.lowercased()
                rating.assessmentId = assessmentId
                rating.indicatorKey = indicator
                rating.staffId = staffId
            }
            rating.level = level
            rating.evidence = evidence
            rating.ratedAt = Int(Date().timeIntervalSince1970)
            try await rating.save(on: db)
        }
    }

    /// The team's rating, made or changed; a change clears the district's review of the earlier one.
    func rateAsTeam(_ assessmentId: String, _ indicator: String, by staffId: String, level: Int, evidence: String, evidenceSeen: [String]) async throws {
        try await db.writeTransaction { db in
            let rating = try await LeadershipQueries(db: db).teamRating(assessmentId, indicator) ?? TeamRating()
            if rating.id == nil {
                rating.id = UUID().uuidString.lowercased()
                rating.assessmentId = assessmentId
                rating.indicatorKey = indicator
            } else if rating.level != level || rating.evidence != evidence {
                rating.review = nil; rating.reviewComment = nil; rating.reviewedBy = nil; rating.reviewedAt = nil
            }
            rating.level = level
            rating.evidence = evidence
            rating.evidenceSeen = evidenceSeen.joined(separator: "\n")
            rating.ratedBy = staffId
            rating.ratedAt = Int(Date().timeIntervalSince1970)
            try await rating.save(on: db)
        }
    }

    func review(_ rating: TeamRating, _ review: TeamRating.Review, comment: String, by staffId: String) async throws {
        try await db.writeTransaction { db in
            try await TeamRating.query(on: db).filter(\.$id == rating.id!)
                .set(\.$review, to: review.rawValue).set(\.$reviewComment, to: comment).set(\.$reviewedBy, to: staffId)
                .set(\.$reviewedAt, to: Int(Date().timeIntervalSince1970)).update()
        }
    }

    /// Records that the team rating became a goal (or gained a step on one).
    func link(_ rating: TeamRating, goal: String, scope: String, on db: any Database) async throws {
        try await TeamRating.query(on: db).filter(\.$id == rating.id!).set(\.$goalId, to: goal).set(\.$goalScope, to: scope).update()
    }
}

/// School years as the self-assessment names them: 2026 is "2026–27", which starts on 1 August 2026.
enum SchoolYear {
    static func current(now: Int = Int(Date().timeIntervalSince1970)) -> Int { of(day: DisplayTime.isoDay(now)) }

    /// The school year an ISO day falls in.
    static func of(day: String) -> Int { Int(DisplayTime.schoolYearStart(of: day).prefix(4))! }

    static func label(_ year: Int) -> String { "\(year)–\(String(format: "%02d", (year + 1) % 100))" }

    /// The last day of the school year, for a goal's deadline.
    static func lastDay(_ year: Int) -> String { "\(year + 1)-06-30" }
}
