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

        /// "Imported 1 assessment: 3 new scores, 0 changed, 0 unchanged." — on the page and the command line alike.
        var summary: String {
            "Imported \(assessments.grouped) assessment\(assessments == 1 ? "" : "s"): \(scores.created.grouped) new score\(scores.created == 1 ? "" : "s"), "
                + "\(scores.updated.grouped) changed, \(scores.unchanged.grouped) unchanged."
        }
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
    static func run(_ bytes: [UInt8], fileName: String, importer: Viewer?, progress: ImportProgress = ImportProgress(kind: "scores"),
                    on db: any Database) async throws -> Report {
        let scale = try await MasteryStore.scale(MasteryStore.defaultScaleId, on: db)
        return try await write(ScoreFile.Rows(ScoreFile.parse(bytes, fileName: fileName, scale: scale)), importer: importer, progress: progress, on: db)
    }

    /// Imports OneRoster `lineItems.csv` + `results.csv` (a folder's or zip's files), reading results as it writes them.
    static func runOneRoster(_ files: [String: CSVSource], importer: Viewer?, progress: ImportProgress = ImportProgress(kind: "results"),
                             on db: any Database) async throws -> Report {
        let scale = try await MasteryStore.scale(MasteryStore.defaultScaleId, on: db)
        return try await write(OneRosterResults(files: files, scale: scale), importer: importer, progress: progress, on: db)
    }

    /// Checks the classes and standards `source` may name, then reads and writes its rows in one transaction,
    /// in batches; a bad row anywhere rolls everything back.
    static func write(_ source: some ScoreRowSource, importer: Viewer?, progress: ImportProgress = ImportProgress(kind: "scores"),
                      on db: any Database) async throws -> Report {
        @Sendable func fail(_ row: ScoreFile.Row, _ column: String, _ message: String) -> LodestarError {
            LodestarError(message, at: row.location(column))
        }

        // Classes, who may import for them, and their students.
        var schoolOf: [String: String] = [:]
        var enrolled: Set<String> = []
        for batch in source.classIds.chunks(of: 500) {
            for schoolClass in try await RosterQueries(db).schoolClasses(batch) { schoolOf[schoolClass.id!] = schoolClass.schoolId }
            for enrollment in try await RosterQueries(db).studentEnrollments(inClasses: batch) { enrolled.insert("\(enrollment.classId)|\(enrollment.studentId)") }
        }
        var refused: Set<String> = []
        if let importer {
            let roster = RosterQueries(db)
            for (classId, schoolId) in schoolOf {
                let teaches = try await roster.teaches(staffId: importer.id, classId: classId)
                if !teaches && !importer.policy.canViewStudentResults(inSchool: schoolId, teachesClass: false) { refused.insert(classId) }
            }
        }
        // Standards by code or identifier.
        var standardIds: [String: String] = [:]
        let references = source.standardReferences
        for batch in references.chunks(of: 500) {
            for standard in try await StandardsQueries(db: db).standards(codesOrIds: batch) {
                standardIds[standard.code] = standardIds[standard.code] ?? standard.id!
                standardIds[standard.id!] = standard.id!
            }
        }

        // One assessment per title, date and class; the id makes a re-import update it.
        let now = Int(Date().timeIntervalSince1970)
        let enteredBy = importer?.id ?? "import"
        let classSchools = schoolOf, enrolledStudents = enrolled, standardsByReference = standardIds, refusedClasses = refused
        return try await db.writeTransaction { db in try await db.withBulkPageCache {
            var source = source
            var assessments: [String: (title: String, date: String, classId: String, standards: Set<String>)] = [:]
            var batch = TableRows(), batchAssessments: Set<String> = [], batchStudents: [String] = [], counts = SyncCounts()
            var imported = ImportedScores(enteredAt: now)
            // One batch is written while the next is read and checked (the database and the parsing each take one
            // core); one write at a time, on the transaction's connection. Before a batch is written, the students
            // whose first score it holds are looked up: those with no score yet have all theirs in `imported`.
            var writing: Task<(SyncCounts, hadScores: [String]), any Error>?
            func finishWriting() async throws {
                guard let (written, hadScores) = try await writing?.value else { return }
                counts.add(written)
                imported.hadScores(hadScores)
            }
            func flush(_ fractionRead: Double) async throws {
                try await finishWriting()
                let rows = batch, ids = batchAssessments.sorted(), newStudents = batchStudents
                writing = Task {
                    let hadScores = try await AssessmentQueries(db: db).studentsWithScores(among: newStudents)
                    let written = try await scores.merge(rows, ignoring: [4, 5], storedBy: ("assessment_id", ids), on: db.sql)
                    progress.advance(by: rows.count, fractionRead: fractionRead)
                    return (written, hadScores)
                }
                batch = TableRows(minimumCapacity: 10_000)
                batchAssessments.removeAll(keepingCapacity: true)
                batchStudents.removeAll(keepingCapacity: true)
            }
            do {
                while let row = try source.next() {
                    guard classSchools[row.classId] != nil else { throw fail(row, "class", "no class has the sourcedId “\(row.classId)”") }
                    guard !refusedClasses.contains(row.classId) else { throw fail(row, "class", "you may import scores only for your own classes") }
                    guard enrolledStudents.contains("\(row.classId)|\(row.studentId)") else {
                        throw fail(row, "student", "“\(row.studentId)” is not a student enrolled in class \(row.classId)")
                    }
                    guard let standard = standardsByReference[row.standard] else { throw fail(row, "standard", "no standard has the code “\(row.standard)”") }
                    let id = assessmentId(classId: row.classId, date: row.date, title: row.assessment)
                    assessments[id, default: (row.assessment, row.date, row.classId, [])].standards.insert(standard)
                    batch[Score.id(assessment: id, student: row.studentId, standard: standard)] = [
                        .text(id), .text(row.studentId), .text(standard), .double(row.value), .int(now), .text(enteredBy)]
                    batchAssessments.insert(id)
                    if !imported.hasStudent(row.studentId) { batchStudents.append(row.studentId) }
                    imported.add(assessment: id, student: row.studentId, standard: standard, value: row.value)
                    if batch.count >= 10_000 { try await flush(source.fractionRead) }
                }
                try await flush(1)
                try await finishWriting()
            } catch {
                // A bad row: the batch being written finishes (or fails) before the transaction rolls back.
                _ = await writing?.result
                throw error
            }
            progress.allRowsWritten()
            try await saveAssessments(assessments.sorted { $0.key < $1.key }, schoolOf: classSchools, createdBy: enteredBy, at: now, on: db)
            imported.finish(assessments: try await AssessmentQueries(db: db).daysAndScales(of: imported.assessmentIds))
            try await db.announce(.scoresChanged(students: imported.studentIds.sorted(), standards: imported.standardIds.sorted(), imported: imported))
            return Report(assessments: assessments.count, scores: counts)
        } }
    }

    /// Creates the assessments a file's scores belong to, when new, with their class and standards.
    private static func saveAssessments(_ assessments: [(key: String, value: (title: String, date: String, classId: String, standards: Set<String>))],
                                        schoolOf: [String: String], createdBy: String, at now: Int, on db: any Database) async throws {
        let records = TableSync(table: "assessments", columns: [
            ("title", .text), ("assessed_on", .text), ("scale_id", .text), ("school_id", .text), ("created_by", .text), ("created_at", .int)])
        var existing: Set<String> = []
        for batch in assessments.chunks(of: 500) {
            let ids = batch.map(\.key)
            existing.formUnion(try await db.sql.raw("SELECT id FROM assessments WHERE id IN (\(binds: ids))").all().map { try $0.decode(column: "id", as: String.self) })
        }
        let new = assessments.filter { !existing.contains($0.key) }
        try await records.upsert(new.map { ($0.key, [.text($0.value.title), .text($0.value.date), .text(MasteryStore.defaultScaleId),
                                                      .text(schoolOf[$0.value.classId]!), .text(createdBy), .int(now)]) }, on: db.sql)
        let links = TableSync(table: "assessment_classes", columns: [("assessment_id", .text), ("class_id", .text)])
        let standardLinks = TableSync(table: "assessment_standards", columns: [("assessment_id", .text), ("standard_id", .text)])
        try await links.upsert(assessments.map { ("\($0.key)|\($0.value.classId)", [.text($0.key), .text($0.value.classId)]) }, on: db.sql)
        try await standardLinks.upsert(assessments.flatMap { id, assessment in
            assessment.standards.sorted().map { ("\(id)|\($0)", [.text(id), .text($0)]) }
        }, on: db.sql)
    }
}
