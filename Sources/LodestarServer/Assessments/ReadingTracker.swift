import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// A standard a school counts toward "reading at grade level".
final class ReadingBenchmark: Model, @unchecked Sendable {
    static let schema = "reading_benchmarks"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "school_id") var schoolId: String
    @Field(key: "standard_id") var standardId: String
    init() {}
}

/// The share of students reading at or above grade level, grade by grade, on the standards the school
/// designates — the "every child reads at grade level by grade 3" goal. Groups under ten students are
/// not shown, so no child can be singled out.
struct ReadingTrackerController: RouteCollection {
    static var minimumGroup: Int { DistrictSettings.smallGroups.minimum }

    func boot(routes: any RoutesBuilder) throws {
        routes.get("schools", ":schoolId", "reading", use: show)
        routes.post("schools", ":schoolId", "reading", use: designate)
    }

    struct Page: Encodable {
        struct Grade: Encodable {
            let grade: String
            let students: Int
            let withEvidence: Int
            let atOrAbove: Int?
            let share: String?
            let percent: Int
            let suppressed: Bool
            let standards: String
        }
        let page: PageContext
        let schoolId: String
        let schoolName: String
        let method: String
        let grades: [Grade]
        let canDesignate: Bool
        let candidates: [SelectOption]
        let hasDesignations: Bool
        let minimumGroup: Int
    }

    func show(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let schoolId = try req.parameters.require("schoolId")
        try req.require(viewer.policy.canViewRoster(ofSchool: schoolId))
        guard let school = try await RosterQueries(req.db).org(schoolId) else { throw LodestarError.notFound }
        let designated = try await ReadingBenchmark.query(on: req.db).filter(\.$schoolId == schoolId).all().map(\.standardId)
        let standards = try await StandardsQueries(db: req.db).standards(ids: designated)
        let method = try await MasteryStore.method(forSchool: schoolId, on: req.db)
        let book = try await ScaleBook.load(on: req.db)

        // Students by grade.
        let students = try await RosterQueries(req.db).studentGrades(inSchool: schoolId)
        let byGrade = Dictionary(grouping: students, by: \.grade)
        // Every score on the designated standards, in attempt order.
        var evidence: [String: [AssessmentQueries.Evidence]] = [:]
        for row in try await AssessmentQueries(db: req.db).evidence(students: students.map(\.id), standards: designated) {
            evidence["\(row.studentId)|\(row.standardId)", default: []].append(row)
        }
        var grades: [Page.Grade] = []
        for grade in byGrade.keys.sorted(by: { GradeLevel.sortKey($0) < GradeLevel.sortKey($1) }) {
            let gradeStandards = standards.filter { $0.grades.split(separator: ",").contains(Substring(grade)) }
            var withEvidence = 0, atOrAbove = 0
            for student in byGrade[grade]! {
                let results = gradeStandards.compactMap { standard -> (value: Double, mastery: Double)? in
                    let (result, scale) = book.mastery(evidence["\(student.id)|\(standard.id!)"] ?? [], by: method)
                    return result.value.map { ($0, scale.masteryValue) }
                }
                guard let reached = MasteryShare.isAtOrAbove(results) else { continue }
                withEvidence += 1
                if reached { atOrAbove += 1 }
            }
            let suppressed = withEvidence < Self.minimumGroup
            let share = suppressed || withEvidence == 0 ? nil : Double(atOrAbove) / Double(withEvidence)
            grades.append(.init(grade: GradeLevel.label(grade), students: byGrade[grade]!.count, withEvidence: withEvidence,
                                atOrAbove: suppressed ? nil : atOrAbove, share: share.map { Percent.text($0) },
                                percent: share.map(Percent.whole) ?? 0, suppressed: suppressed,
                                standards: gradeStandards.map(\.code).sorted().joined(separator: ", ")))
        }
        let canDesignate = viewer.policy.canManageCaseloads(atSchool: schoolId)
        var candidates: [SelectOption] = []
        if canDesignate {
            let schoolGrades = Set(byGrade.keys)
            for standard in try await StandardsQueries(db: req.db).literacyStandards() {
                let id = standard.id!
                let grades = standard.grades.split(separator: ",").map(String.init)
                guard grades.contains(where: schoolGrades.contains) else { continue }
                candidates.append(SelectOption(value: id, label: "\(standard.code) — \(standard.statement)", selected: designated.contains(id)))
            }
        }
        return try await req.view.render("assessments/reading", Page(
            page: PageContext(request: req, title: "Reading at grade level: \(school.name)"), schoolId: schoolId, schoolName: school.name,
            method: method.label, grades: grades, canDesignate: canDesignate, candidates: candidates, hasDesignations: !designated.isEmpty,
            minimumGroup: Self.minimumGroup))
    }

    struct Form: Content { var standardIds: [String]? }

    func designate(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let schoolId = try req.parameters.require("schoolId")
        try req.require(viewer.policy.canManageCaseloads(atSchool: schoolId))
        let chosen = Array(Set(try req.content.decode(Form.self).standardIds ?? []))
        let found = try await StandardsQueries(db: req.db).standards(ids: chosen).count
        guard found == chosen.count else { throw LodestarError("Choose standards from the list.") }
        try await req.db.writeTransaction { db in
            try await ReadingBenchmark.query(on: db).filter(\.$schoolId == schoolId).delete()
            for id in chosen.sorted() {
                let benchmark = ReadingBenchmark()
                benchmark.id = "\(schoolId)|\(id)"
                benchmark.schoolId = schoolId
                benchmark.standardId = id
                try await benchmark.create(on: db)
            }
        }
        return req.redirect(to: "/schools/\(schoolId.urlQueryEncoded)/reading")
    }
}
