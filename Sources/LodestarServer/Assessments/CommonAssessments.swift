import Fluent
import Foundation
import LodestarCore
import Vapor

/// An assessment marked common for a grade: the id is the assessment's.
final class CommonAssessment: Model, @unchecked Sendable {
    static let schema = "common_assessments"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "grade") var grade: String
    @Field(key: "marked_by") var markedBy: String
    @Field(key: "marked_at") var markedAt: Int
    init() {}
}

extension AssessmentQueries {
    func common(_ assessmentId: String) async throws -> CommonAssessment? { try await CommonAssessment.find(assessmentId, on: db) }

    func setCommon(_ assessmentId: String, grade: String, by staffId: String) async throws {
        try await db.writeTransaction { db in
            let row = try await CommonAssessment.find(assessmentId, on: db) ?? { let made = CommonAssessment(); made.id = assessmentId; return made }()
            row.grade = grade
            row.markedBy = staffId
            row.markedAt = Int(Date().timeIntervalSince1970)
            try await row.save(on: db)
        }
    }

    func removeCommon(_ assessmentId: String) async throws {
        try await db.writeTransaction { db in try await CommonAssessment.query(on: db).filter(\.$id == assessmentId).delete() }
    }

    /// A common assessment and the classes of its grade at its school that are to give it: those of the grade that
    /// list a subject of its standards (or list none), and which of them have.
    struct CommonCoverage: Encodable, Sendable {
        struct Class: Encodable, Sendable { let id: String; let title: String; let teacher: String; let given: Bool }
        let assessmentId: String
        let title: String
        let assessedOn: String
        let grade: String
        let gradeLabel: String
        let classes: [Class]
        var given: Int { classes.filter(\.given).count }
        var missing: [Class] { classes.filter { !$0.given } }
    }

    func coverage(of assessments: [Assessment], atSchool schoolId: String) async throws -> [CommonCoverage] {
        let marked = Dictionary(uniqueKeysWithValues: try await CommonAssessment.query(on: db).filter(\.$id ~~ assessments.compactMap(\.id)).all().map { ($0.id!, $0.grade) })
        guard !marked.isEmpty else { return [] }
        let classes = try await RosterQueries(db).classes(inSchool: schoolId)
        let subjects = try await StandardsQueries(db: db).subjects()
        var result: [CommonCoverage] = []
        for assessment in assessments {
            guard let grade = marked[assessment.id!] else { continue }
            let given = Set(try await classIds(of: assessment.id!))
            let documents = try await StandardsQueries(db: db).standards(ids: try await standards(of: assessment.id!).map(\.id)).map(\.documentId)
            let assessedSubjects = Set(documents.compactMap { subjects[$0]?.lowercased() })
            let ofGrade = classes.filter { schoolClass in
                Self.list(schoolClass.grades).contains(grade.lowercased()) && (Self.list(schoolClass.subjects).isEmpty || assessedSubjects.isEmpty || !Self.list(schoolClass.subjects).isDisjoint(with: assessedSubjects))
            }
            result.append(CommonCoverage(assessmentId: assessment.id!, title: assessment.title, assessedOn: DisplayTime.date(assessment.assessedOn), grade: grade,
                                         gradeLabel: GradeLevel.label(grade),
                                         classes: ofGrade.map { .init(id: $0.id, title: $0.title, teacher: $0.teachers ?? "—", given: given.contains($0.id)) }))
        }
        return result
    }

    /// The school's common assessments this school year, newest first.
    func commonAssessments(atSchool schoolId: String, since day: String) async throws -> [CommonCoverage] {
        let ids = try await CommonAssessment.query(on: db).all().compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let assessments = try await Assessment.query(on: db).filter(\.$id ~~ ids).filter(\.$schoolId == schoolId).filter(\.$assessedOn >= day)
            .sort(\.$assessedOn, .descending).sort(\.$id).all()
        return try await coverage(of: assessments, atSchool: schoolId)
    }
}

extension AssessmentController {
    struct CommonForm: Content { var grade: String?; var action: String? }

    /// Marks the assessment common for one of its classes' grades, or unmarks it.
    func markCommon(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        guard let assessment = try await AssessmentQueries(db: req.db).assessment(try req.parameters.require("id")) else { throw LodestarError.notFound }
        let (classes, _) = try await access(req, viewer, assessment)
        let roster = RosterQueries(req.db)
        var teaches = false
        for classId in classes where try await roster.teaches(staffId: viewer.id, classId: classId) { teaches = true; break }
        try req.require(viewer.policy.canMarkCommonAssessment(atSchool: assessment.schoolId, teachesIt: teaches))
        let form = try req.content.decode(CommonForm.self)
        let queries = AssessmentQueries(db: req.db)
        if form.action == "remove" {
            try await queries.removeCommon(assessment.id!)
            req.leaveNotice("“\(assessment.title)” is no longer a common assessment.")
        } else {
            let grades = Set(try await roster.schoolClasses(classes).flatMap { $0.grades.split(separator: ",").map(String.init) })
            guard let grade = form.grade, grades.contains(grade) else { throw LodestarError("Choose one of the grades of the classes it was given to.") }
            try await queries.setCommon(assessment.id!, grade: grade, by: viewer.id)
            req.leaveNotice("“\(assessment.title)” is common for \(GradeLevel.label(grade)): every class of the grade is to give it.")
        }
        try await req.audit(form.action == "remove" ? "unmarked a common assessment" : "marked a common assessment", subject: assessment.id!)
        return req.redirect(to: "/assessments/\(assessment.id!)#common")
    }
}
