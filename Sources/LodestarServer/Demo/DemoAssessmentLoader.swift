import Fluent
import Foundation
import LodestarCore
import SQLKit

/// Stores the demo district's standards, assessments and scores. Demo assessments have ids starting
/// with `demo|`; loading again replaces them and leaves assessments people made alone.
enum DemoAssessmentLoader {
    static let assessments = TableSync(table: "assessments", columns: [
        ("title", .text), ("assessed_on", .text), ("scale_id", .text), ("school_id", .text), ("created_by", .text), ("created_at", .int)])
    static let classLinks = TableSync(table: "assessment_classes", columns: [("assessment_id", .text), ("class_id", .text)])
    static let standardLinks = TableSync(table: "assessment_standards", columns: [("assessment_id", .text), ("standard_id", .text)])
    static let scores = TableSync(table: "scores", columns: [
        ("assessment_id", .text), ("student_id", .text), ("standard_id", .text), ("value", .double), ("entered_at", .int), ("entered_by", .text)])

    static func load(_ demo: DemoAssessments, steps: DemoSteps = DemoSteps(), on db: any Database) async throws {
        for package in DemoStandards.packages { try await StandardsStore.save(package, subject: nil, on: db) }
        try await loadPriorities(on: db)
        _ = try await MasteryStore.scale(MasteryStore.defaultScaleId, on: db)
        try await db.writeTransaction { db in
            let sql = db.sql
            for table in ["scores", "assessment_classes", "assessment_standards", "assessments"] {
                let column = table == "assessments" ? "id" : "assessment_id"
                try await sql.raw("DELETE FROM \(ident: table) WHERE \(ident: column) LIKE 'demo|%'").run()
            }
            // Each school counts its grade's reading-fluency or textual-evidence standard toward reading at grade level.
            var benchmarks: [(String, [Cell])] = []
            for school in demo.schoolIds {
                for grade in demo.grades(ofSchool: school) {
                    let number = ["KG", "01", "02"].contains(grade) ? 2 : 1
                    let standard = DemoStandards.identifier(subject: "English Language Arts", grade: grade, number: number)
                    benchmarks.append(("\(school)|\(standard)", [.text(school), .text(standard)]))
                }
            }
            try await TableSync(table: "reading_benchmarks", columns: [("school_id", .text), ("standard_id", .text)]).upsert(benchmarks, on: sql)
            // The standings are computed from the scores in hand, as after an import, for every student who had no
            // score left once the demo's were deleted.
            var students = NumberedNames()
            for student in demo.studentIds { _ = students.add(student) }
            var imported = ImportedScores(students: students)
            imported.hadScores(try await AssessmentQueries(db: db).studentsWithScores())
            var days: [String: (assessedOn: String, scaleId: String, enteredAt: Int)] = [:]
            let progress = steps.scores()
            // On two cores the generator and the database overlap: the next school's rows are made while this
            // school's are written, and this school's scores are counted toward the standings while they are.
            let schoolIds = demo.schoolIds
            let generated = { (index: Int) in index < schoolIds.count ? Task { rows(demo.generate(school: schoolIds[index])) } : nil }
            var next = generated(0)
            try await db.loadWithIndexesBuiltAfter("scores") {
                for done in schoolIds.indices {
                    let school = await next!.value
                    next = generated(done + 1)
                    async let written: Void = write(school, on: sql)
                    for a in school.assessments { days[a.id] = (a.date, MasteryStore.defaultScaleId, a.enteredAt) }
                    for s in school.scores {
                        guard let student = students.number(of: s.studentId) else { continue }
                        imported.add(assessment: s.assessmentId, student: student, standard: s.standardId, value: s.value)
                    }
                    try await written
                    progress.advance(by: school.scores.count, fractionRead: Double(done + 1) / Double(schoolIds.count))
                }
            }
            progress.allRowsWritten()
            steps.begin("the mastery standings of every student")
            imported.finish(assessments: days)
            try await db.announce(.scoresLoaded(imported: imported))
        }
        try await loadCommonAssessment(on: db)
    }

    /// A school's assessments and scores, and the rows that store them.
    private struct SchoolRows: Sendable {
        var assessments: [DemoAssessments.Assessment]
        var scores: [DemoAssessments.ScoreRow]
        var scoreRows: [(String, [Cell])]
    }

    private static func rows(_ school: (assessments: [DemoAssessments.Assessment], scores: [DemoAssessments.ScoreRow])) -> SchoolRows {
        SchoolRows(assessments: school.assessments, scores: school.scores, scoreRows: school.scores.map { s in
            (Score.id(assessment: s.assessmentId, student: s.studentId, standard: s.standardId),
             [.text(s.assessmentId), .text(s.studentId), .text(s.standardId), .double(s.value), .int(s.enteredAt), .text("demo")])
        })
    }

    private static func write(_ school: SchoolRows, on sql: any SQLDatabase) async throws {
        try await assessments.upsert(school.assessments.map { a in
            (a.id, [.text(a.title), .text(a.date), .text(MasteryStore.defaultScaleId), .text(a.schoolId), .text(a.teacherId), .int(0)])
        }, on: sql)
        try await classLinks.upsert(school.assessments.map { ("\($0.id)|\($0.classId)", [.text($0.id), .text($0.classId)]) }, on: sql)
        try await standardLinks.upsert(school.assessments.flatMap { a in a.standardIds.map { ("\(a.id)|\($0)", [.text(a.id), .text($0)]) } }, on: sql)
        // New rows: the demo's earlier scores were deleted first, and no other score has a demo assessment.
        try await scores.insert(school.scoreRows, on: sql)
    }

    /// Priority standards: in Mathematics the first two of every grade (readiness and endurance), in English language
    /// arts the first two of every grade but grade 12, where the district has not yet chosen — the page shows the gap.
    static func loadPriorities(on db: any Database) async throws {
        guard try await StandardsQueries(db: db).priorities().isEmpty else { return }
        let queries = StandardsQueries(db: db)
        for grade in ["KG", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12"] {
            try await queries.setPriority(DemoStandards.identifier(subject: "Mathematics", grade: grade, number: 1), reasons: [.readiness], note: "", by: DemoLoader.adminId)
            try await queries.setPriority(DemoStandards.identifier(subject: "Mathematics", grade: grade, number: 2), reasons: [.endurance, .readiness],
                                          note: grade == "05" ? "Fractions carry every later grade's ratio and algebra work." : "", by: DemoLoader.adminId)
            guard grade != "12" else { continue }
            try await queries.setPriority(DemoStandards.identifier(subject: "English Language Arts", grade: grade, number: 1), reasons: [.endurance], note: "", by: DemoLoader.adminId)
            try await queries.setPriority(DemoStandards.identifier(subject: "English Language Arts", grade: grade, number: 2), reasons: [.endurance, .leverage], note: "", by: DemoLoader.adminId)
        }
    }

    /// One common assessment: the newest assessment given at the first school to a grade 3 class, marked common for
    /// grade 3, so the school sees which grade 3 classes have not given it yet.
    static func loadCommonAssessment(on db: any Database) async throws {
        let queries = AssessmentQueries(db: db)
        let grade3 = try await RosterQueries(db).classes(inSchool: "school-1").filter { $0.grades.split(separator: ",").contains("03") }.map(\.id)
        guard let newest = try await queries.newest(atSchool: "school-1", givenTo: grade3, limit: 1).first, try await queries.common(newest.id!) == nil else { return }
        try await queries.setCommon(newest.id!, grade: "03", by: DemoLoader.adminId)
    }
}
