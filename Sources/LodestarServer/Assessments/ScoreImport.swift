import Fluent
import Foundation
import LodestarCore
import SQLKit

/// Imports a score file (`ScoreFile`) in one transaction: every reference is checked first and any
/// problem names the file, line and column; nothing is saved unless everything is right.
/// Importing the same file again updates the same assessments and scores.
enum ScoreImport {
    struct Report: Sendable, Equatable {
        var assessments: Int
        var scores: SyncCounts
    }

    static let scores = TableSync(table: "scores", columns: [
        ("assessment_id", .text), ("student_id", .text), ("standard_id", .text), ("value", .double), ("entered_at", .int), ("entered_by", .text)])

    /// A stable id for the assessment a file row belongs to (FNV-1a of class, date and title), safe in a URL,
    /// so importing the same file again finds the same assessment.
    static func assessmentId(classId: String, date: String, title: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(classId)\u{1F}\(date)\u{1F}\(title)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "csv-" + String(hash, radix: 16)
    }

    /// - Parameter importer: who imports; teachers may import only for their own classes. Nil for the command line.
    static func run(_ bytes: [UInt8], fileName: String, importer: Viewer?, on db: any Database) async throws -> Report {
        let scale = try await MasteryStore.scale(MasteryStore.defaultScaleId, on: db)
        return try await write(ScoreFile.parse(bytes, fileName: fileName, scale: scale), importer: importer, on: db)
    }

    /// Imports OneRoster `lineItems.csv` + `results.csv` (a folder's or zip's files).
    static func runOneRoster(_ files: [String: [UInt8]], importer: Viewer?, on db: any Database) async throws -> Report {
        let scale = try await MasteryStore.scale(MasteryStore.defaultScaleId, on: db)
        return try await write(OneRosterResults.parse(files: files, scale: scale), importer: importer, on: db)
    }

    /// Checks every reference of `rows`, then writes them in one transaction.
    static func write(_ rows: [ScoreFile.Row], importer: Viewer?, on db: any Database) async throws -> Report {
        let sql = db.sql
        func fail(_ row: ScoreFile.Row, _ column: String, _ message: String) -> LodestarError {
            LodestarError(message, at: row.locations[column])
        }

        // Classes, and who may import for them.
        let classIds = Array(Set(rows.map(\.classId))).sorted()
        let classes = Dictionary(uniqueKeysWithValues: try await SchoolClass.query(on: db).filter(\.$id ~~ classIds).all().map { ($0.id!, $0) })
        let roster = RosterQueries(db: sql)
        var checked: Set<String> = []
        for row in rows where !checked.contains(row.classId) {
            guard let schoolClass = classes[row.classId] else { throw fail(row, "class", "no class has the sourcedId “\(row.classId)”") }
            if let importer {
                let teaches = try await roster.teaches(staffId: importer.id, classId: row.classId)
                guard teaches || importer.policy.canViewStudentResults(inSchool: schoolClass.schoolId, teachesClass: false) else {
                    throw fail(row, "class", "you may import scores only for your own classes")
                }
            }
            checked.insert(row.classId)
        }
        // Students must be enrolled in the class the row names.
        let enrolled = Set(try await sql.raw("""
            SELECT class_id, user_id FROM enrollments WHERE role = 'student' AND class_id IN (\(binds: classIds))
            """).all().map { "\(try $0.decode(column: "class_id", as: String.self))|\(try $0.decode(column: "user_id", as: String.self))" })
        // Standards by code or identifier.
        let references = Array(Set(rows.map(\.standard)))
        var standardIds: [String: String] = [:]
        for start in stride(from: 0, to: references.count, by: 500) {
            let batch = Array(references[start..<min(start + 500, references.count)])
            for standard in try await Standard.query(on: db).group(.or, { $0.filter(\.$code ~~ batch).filter(\.$id ~~ batch) }).all() {
                standardIds[standard.code] = standardIds[standard.code] ?? standard.id!
                standardIds[standard.id!] = standard.id!
            }
        }
        for row in rows {
            guard enrolled.contains("\(row.classId)|\(row.studentId)") else {
                throw fail(row, "student", "“\(row.studentId)” is not a student enrolled in class \(row.classId)")
            }
            guard standardIds[row.standard] != nil else { throw fail(row, "standard", "no standard has the code “\(row.standard)”") }
        }

        // One assessment per title, date and class; the id makes a re-import update it.
        let now = Int(Date().timeIntervalSince1970)
        let enteredBy = importer?.id ?? "import"
        var assessments: [String: (title: String, date: String, classId: String, standards: Set<String>)] = [:]
        var scoreRows = TableRows()
        for row in rows {
            let id = assessmentId(classId: row.classId, date: row.date, title: row.assessment)
            let standard = standardIds[row.standard]!
            assessments[id, default: (row.assessment, row.date, row.classId, [])].standards.insert(standard)
            scoreRows[Score.id(assessment: id, student: row.studentId, standard: standard)] = [
                .text(id), .text(row.studentId), .text(standard), .double(row.value), .int(now), .text(enteredBy)]
        }
        let assessmentList = assessments.sorted { $0.key < $1.key }
        let schoolOf = classes.mapValues(\.schoolId)
        let newScores = scoreRows
        let touchedStudents = Array(Set(rows.map(\.studentId))).sorted(), touchedStandards = Array(Set(standardIds.values))
        let counts = try await db.writeTransaction { db in
            for (id, assessment) in assessmentList {
                if try await Assessment.find(id, on: db) == nil {
                    let record = Assessment()
                    record.id = id
                    record.title = assessment.title
                    record.assessedOn = assessment.date
                    record.scaleId = MasteryStore.defaultScaleId
                    record.schoolId = schoolOf[assessment.classId]!
                    record.createdBy = enteredBy
                    record.createdAt = now
                    try await record.create(on: db)
                }
                let links = [("assessment_classes", "class_id", assessment.classId)] + assessment.standards.sorted().map { ("assessment_standards", "standard_id", $0) }
                for (table, column, value) in links {
                    try await db.sql.insert(into: table).columns("id", "assessment_id", column)
                        .values(SQLBind("\(id)|\(value)"), SQLBind(id), SQLBind(value))
                        .ignoringConflicts(with: ["id"]).run()
                }
            }
            let counts = try await scores.merge(newScores, ignoring: [4, 5], on: db.sql)
            for start in stride(from: 0, to: touchedStudents.count, by: 1_000) {
                try await MasteryRollup.refresh(students: Array(touchedStudents[start..<min(start + 1_000, touchedStudents.count)]),
                                                standards: touchedStandards, on: db)
            }
            return counts
        }
        return Report(assessments: assessments.count, scores: counts)
    }
}
