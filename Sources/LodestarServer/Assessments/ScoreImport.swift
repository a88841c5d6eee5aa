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
        // The three parts' bytes with a unit separator between them, hashed where they lie (a call per row).
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        for byte in classId.utf8 { add(byte) }
        add(0x1F)
        for byte in date.utf8 { add(byte) }
        add(0x1F)
        for byte in title.utf8 { add(byte) }
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
        let now = Int(Date().timeIntervalSince1970)
        let enteredBy = importer?.id ?? "import"
        return try await db.writeTransaction { db in try await db.withBulkPageCache {
            var source = source
            var check = try await RowCheck.read(for: source, importer: importer, on: db)
            let schoolOf = check.schoolOf
            // One assessment per title, date and class; the id makes a re-import update it.
            var assessments: [String: (title: String, date: String, classId: String, standards: Set<String>)] = [:]
            var batch = TableRows(), batchAssessments: Set<String> = [], batchStudents: [String] = [], counts = SyncCounts()
            var imported = ImportedScores(students: check.students)
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
                    let (student, standard) = try check.check(row)
                    let id = assessmentId(classId: row.classId, date: row.date, title: row.assessment)
                    assessments[id, default: (row.assessment, row.date, row.classId, [])].standards.insert(standard)
                    batch[Score.id(assessment: id, student: row.studentId, standard: standard)] = [
                        .text(id), .text(row.studentId), .text(standard), .double(row.value), .int(now), .text(enteredBy)]
                    batchAssessments.insert(id)
                    if imported.add(assessment: id, student: student, standard: standard, value: row.value) { batchStudents.append(row.studentId) }
                    imported.reserveForWholeFile(fractionRead: source.fractionRead)
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
            check = RowCheck() // what the rollup below does not need is let go
            try await saveAssessments(assessments.sorted { $0.key < $1.key }, schoolOf: schoolOf, createdBy: enteredBy, at: now, on: db)
            let assessmentCount = assessments.count
            assessments = [:]
            imported.finish(assessments: try await AssessmentQueries(db: db).daysAndScales(of: imported.assessmentIds).mapValues { ($0.assessedOn, $0.scaleId, now) })
            try await db.announce(.scoresChanged(students: imported.studentIds.sorted(), standards: imported.standardIds.sorted(), imported: imported))
            return Report(assessments: assessmentCount, scores: counts)
        } }
    }

    /// What a file's rows are checked against: each class's school and who is enrolled in it (class and student
    /// numbers in one 64-bit key, as a large district has a million enrollments), the classes the importer may not
    /// score, and standards by code or identifier.
    private struct RowCheck: Sendable {
        var schoolOf: [String: String] = [:]
        var classes = NumberedNames(), students = NumberedNames()
        var enrolled: Set<UInt64> = []
        var refused: Set<String> = []
        var standards: [String: String] = [:]

        static func read(for source: some ScoreRowSource, importer: Viewer?, on db: any Database) async throws -> RowCheck {
            var check = RowCheck()
            for batch in source.classIds.chunks(of: 500) {
                for schoolClass in try await RosterQueries(db).schoolClasses(batch) { check.schoolOf[schoolClass.id!] = schoolClass.schoolId }
                for enrollment in try await RosterQueries(db).studentEnrollments(inClasses: batch) {
                    check.enrolled.insert(UInt64(check.classes.add(enrollment.classId)) << 32 | UInt64(check.students.add(enrollment.studentId)))
                }
            }
            if let importer {
                let roster = RosterQueries(db)
                for (classId, schoolId) in check.schoolOf {
                    let teaches = try await roster.teaches(staffId: importer.id, classId: classId)
                    if !teaches && !importer.policy.canViewStudentResults(inSchool: schoolId, teachesClass: false) { check.refused.insert(classId) }
                }
            }
            for batch in source.standardReferences.chunks(of: 500) {
                for standard in try await StandardsQueries(db: db).standards(codesOrIds: batch) {
                    check.standards[standard.code] = check.standards[standard.code] ?? standard.id!
                    check.standards[standard.id!] = standard.id!
                }
            }
            return check
        }

        /// The row's student (by number) and standard, or what is wrong with it, at its file, line and column.
        func check(_ row: ScoreFile.Row) throws(LodestarError) -> (student: UInt32, standard: String) {
            func fail(_ column: String, _ message: String) -> LodestarError { LodestarError(message, at: row.location(column)) }
            guard schoolOf[row.classId] != nil else { throw fail("class", "no class has the sourcedId “\(row.classId)”") }
            guard !refused.contains(row.classId) else { throw fail("class", "you may import scores only for your own classes") }
            guard let classNumber = classes.number(of: row.classId), let student = students.number(of: row.studentId),
                  enrolled.contains(UInt64(classNumber) << 32 | UInt64(student)) else {
                throw fail("student", "“\(row.studentId)” is not a student enrolled in class \(row.classId)")
            }
            guard let standard = standards[row.standard] else { throw fail("standard", "no standard has the code “\(row.standard)”") }
            return (student, standard)
        }
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
