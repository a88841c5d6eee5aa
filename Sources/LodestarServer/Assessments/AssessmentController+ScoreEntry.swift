import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

extension AssessmentController {
    // MARK: Score entry

    struct GridPage: Encodable {
        struct Cell: Encodable { let standardId: String; let value: String }
        struct Row: Encodable { let studentId: String; let name: String; let cells: [Cell] }
        let page: PageContext
        let id: String
        let title: String
        let date: String
        let standards: [AssessmentQueries.StandardRef]
        let rows: [Row]
        let levels: [ProficiencyScale.Level]
        let allowed: String
        let canEnter: Bool
        let classLinks: [SelectOption]
        /// Common for a grade: the classes of the grade that are to give it, and which have.
        let common: AssessmentQueries.CommonCoverage?
        let commonGiven: Int
        let commonMissing: [AssessmentQueries.CommonCoverage.Class]
        let canMarkCommon: Bool
        let grades: [SelectOption]
        let notice: String?
    }

    func grid(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        guard let assessment = try await Assessment.find(try req.parameters.require("id"), on: req.db) else { throw LodestarError.notFound }
        let (classes, canEnter) = try await access(req, viewer, assessment)
        try await req.audit("viewed assessment scores", subject: assessment.id!)
        let queries = AssessmentQueries(db: req.db)
        let standards = try await queries.standards(of: assessment.id!)
        let students = try await queries.students(inClasses: classes)
        let scale = try await MasteryStore.scale(assessment.scaleId, on: req.db)
        let scores = try await Score.query(on: req.db).filter(\.$assessmentId == assessment.id!).all()
        let byKey = Dictionary(scores.map { ("\($0.studentId)|\($0.standardId)", $0.value) }, uniquingKeysWith: { a, _ in a })
        let classTitles = try await RosterQueries(req.db).schoolClasses(classes)
        var teaches = false
        for classId in classes where try await RosterQueries(req.db).teaches(staffId: viewer.id, classId: classId) { teaches = true; break }
        let common = try await queries.coverage(of: [assessment], atSchool: assessment.schoolId).first
        let grades = Set(classTitles.flatMap { $0.grades.split(separator: ",").map(String.init) }).sorted { GradeLevel.sortKey($0) < GradeLevel.sortKey($1) }
        return try await req.view.render("assessments/grid", GridPage(
            page: PageContext(request: req, title: assessment.title), id: assessment.id!, title: assessment.title, date: DisplayTime.date(assessment.assessedOn),
            standards: standards,
            rows: students.map { student in
                .init(studentId: student.id, name: student.name, cells: standards.map { standard in
                    .init(standardId: standard.id, value: byKey["\(student.id)|\(standard.id)"].map(ScaleValue.text) ?? "")
                })
            },
            levels: scale.levels, allowed: scale.levels.map { ScaleValue.text($0.value) }.joined(separator: ", "), canEnter: canEnter,
            classLinks: classTitles.map { SelectOption(value: $0.id!, label: $0.title) },
            common: common, commonGiven: common?.given ?? 0, commonMissing: common?.missing ?? [],
            canMarkCommon: viewer.policy.canMarkCommonAssessment(atSchool: assessment.schoolId, teachesIt: teaches),
            grades: grades.map { SelectOption(value: $0, label: GradeLevel.label($0), selected: $0 == common?.grade) }, notice: req.takeNotice()))
    }

    struct ScoreInput: Content {
        var studentId: String
        var standardId: String
        /// Nil or absent clears the score.
        var value: Double?
    }

    struct ScoreSaved: Content {
        let saved: Bool
        let level: String?
    }

    /// Saves one cell of the grid. The value must be one of the scale's levels.
    func saveScore(req: Request) async throws -> ScoreSaved {
        let viewer = try await req.viewer()
        guard let assessment = try await Assessment.find(try req.parameters.require("id"), on: req.db) else { throw LodestarError.notFound }
        let (classes, canEnter) = try await access(req, viewer, assessment)
        try req.require(canEnter)
        let input = try req.content.decode(ScoreInput.self)
        let queries = AssessmentQueries(db: req.db)
        guard try await queries.standards(of: assessment.id!).contains(where: { $0.id == input.standardId }) else {
            throw LodestarError("that standard is not assessed here")
        }
        guard try await queries.students(inClasses: classes).contains(where: { $0.id == input.studentId }) else {
            throw LodestarError("that student is not in the assessment's classes")
        }
        let scale = try await MasteryStore.scale(assessment.scaleId, on: req.db)
        let id = Score.id(assessment: assessment.id!, student: input.studentId, standard: input.standardId)
        guard let value = input.value else {
            try await req.db.writeTransaction { db in
                try await Score.query(on: db).filter(\.$id == id).delete()
                try await db.announce(.scoresChanged(students: [input.studentId], standards: [input.standardId]))
            }
            return ScoreSaved(saved: true, level: nil)
        }
        guard scale.levels.contains(where: { $0.value == value }) else {
            throw LodestarError("expected one of \(scale.levels.map { ScaleValue.text($0.value) }.joined(separator: ", ")) (\(scale.levels.map(\.name).joined(separator: ", ")))")
        }
        try await req.db.writeTransaction { db in
            let score = try await Score.find(id, on: db) ?? Score()
            if score.id == nil {
                score.id = id
                score.assessmentId = assessment.id!
                score.studentId = input.studentId
                score.standardId = input.standardId
            }
            score.value = value
            score.enteredAt = Int(Date().timeIntervalSince1970)
            score.enteredBy = viewer.id
            try await score.save(on: db)
            try await db.announce(.scoresChanged(students: [input.studentId], standards: [input.standardId]))
        }
        return ScoreSaved(saved: true, level: scale.level(for: value)?.name)
    }
}
