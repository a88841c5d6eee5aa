import Fluent
import Foundation
import LodestarCore
import SQLKit
import ZIPFoundation

/// Everything Lodestar holds about one student, read for the student data export and removed on a
/// district's deletion request. The one list of where student records live: a table added later that
/// names students belongs here, and the deletion test finds it if it is forgotten.
enum StudentRecords {
    /// One part of the bundle: a CSV file and a key in `student.json`.
    struct Part {
        /// The file name (without .csv) and key in `student.json`.
        let name: String
        /// What a person reads on the records page.
        let label: String
        let columns: [String]
        var rows: [[String]]

        /// A part from rows read by the owning feature: `columns` in order (default: as read), each read as
        /// text unless `computed` gives it from the row (a standard's code, a person's email).
        init(_ name: String, _ label: String, _ rows: [any SQLRow], sqlite: Bool, columns: [String]? = nil,
             computed: [String: (any SQLRow) throws -> String] = [:]) throws {
            let names = columns ?? rows.first?.allColumns ?? []
            self.name = name
            self.label = label
            self.columns = names
            self.rows = try rows.map { row in
                try names.map { column in try computed[column]?(row) ?? (try StudentRecords.text(row, column, sqlite: sqlite)) }
            }
        }

        /// The rows ordered by these columns' text.
        func sorted(by keys: [String]) -> Part {
            var part = self
            let indexes = keys.compactMap { columns.firstIndex(of: $0) }
            part.rows.sort { a, b in
                for index in indexes where a[index] != b[index] { return a[index] < b[index] }
                return false
            }
            return part
        }
    }

    /// The parts, each read from the feature that owns it through its front door: the student and their
    /// classes (People), scores and intervention groups (Assessments), standings (Insights) and who opened
    /// or exported their records (Audit, the access log a family may ask for). Standards are shown by code
    /// and people by email.
    static func parts(of studentId: String, on db: any Database) async throws -> [Part] {
        let sqlite = db.sql.dialect.name == "sqlite"
        let roster = RosterQueries(db), assessments = AssessmentQueries(db: db)
        let scores = try await assessments.scoreRecords(ofStudent: studentId)
        let mastery = try await InsightsQueries(db: db).masteryRecords(ofStudent: studentId)
        let access = try await AuditQueries(db: db).accessRecords(ofSubject: studentId)
        let codes = Dictionary(uniqueKeysWithValues: try await StandardsQueries(db: db).standards(ids: Set(try (scores + mastery).map {
            try $0.decode(column: "standard_id", as: String.self)
        })).map { ($0.id!, $0.code) })
        let emails = Dictionary(uniqueKeysWithValues: try await StaffDirectory(db: db).people(ids: Set(try access.compactMap {
            try $0.decode(column: "staff_id", as: String?.self)
        })).map { ($0.id!, $0.email) })
        let code: (any SQLRow) throws -> String = { codes[try $0.decode(column: "standard_id", as: String.self)] ?? "" }
        return [
            try Part("student", "Student record", try await roster.studentRecord(studentId), sqlite: sqlite),
            try Part("classes", "Classes", try await roster.enrollmentRecords(ofStudent: studentId), sqlite: sqlite),
            try Part("scores", "Scores", scores, sqlite: sqlite,
                     columns: ["assessed_on", "assessment", "standard", "value", "entered_at"], computed: ["standard": code])
                .sorted(by: ["assessed_on", "assessment", "standard"]),
            try Part("mastery", "Mastery standings, month by month", mastery, sqlite: sqlite,
                     columns: ["standard", "school_id", "grade", "timeline"], computed: ["standard": code])
                .sorted(by: ["standard"]),
            try Part("intervention-groups", "Intervention groups", try await assessments.interventionRecords(ofStudent: studentId), sqlite: sqlite),
            try Part("access-log", "Access log: who opened or exported these records", access, sqlite: sqlite,
                     columns: ["at", "person", "action", "address"], computed: ["person": { row in
                         let staffId = try row.decode(column: "staff_id", as: String?.self)
                         return staffId.flatMap { emails[$0] } ?? staffId ?? ""
                     }]),
        ]
    }

    /// Any column as text, whatever its type in either database. SQLite gives any value as text;
    /// PostgreSQL's typed values are tried as numbers and booleans first (read as text, their bytes are not).
    fileprivate static func text(_ row: any SQLRow, _ column: String, sqlite: Bool) throws -> String {
        if try row.decodeNil(column: column) { return "" }
        if sqlite, let value = try? row.decode(column: column, as: String.self) { return value }
        if let value = try? row.decode(column: column, as: Int.self) { return String(value) }
        if let value = try? row.decode(column: column, as: Double.self) { return String(value) }
        if let value = try? row.decode(column: column, as: Bool.self) { return String(value) }
        return try row.decode(column: column, as: String.self)
    }

    /// The bundle: `student.json` with every part, and one CSV per part, in a zip.
    static func bundle(_ parts: [Part], studentId: String) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        var json: [String: [[String: String]]] = [:]
        for part in parts {
            json[part.name] = part.rows.map { Dictionary(uniqueKeysWithValues: zip(part.columns, $0)) }
            var csv = CSVWriter(header: part.columns)
            for row in part.rows { csv.append(row) }
            try add(Data(csv.text.utf8), as: "\(part.name).csv", to: archive)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try add(try encoder.encode(json), as: "student.json", to: archive)
        try add(Data("""
            Everything Lodestar holds about student \(studentId), exported \(ISO8601DateFormatter().string(from: Date())).
            student.json has every part; each CSV file has one part: the student record, classes, scores, mastery standings
            (month by month), intervention groups, and the access log of who opened or exported these records.

            """.utf8), as: "README.txt", to: archive)
        return archive.data ?? Data()
    }

    private static func add(_ data: Data, as name: String, to archive: Archive) throws {
        try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }

    /// Removes the student from every table in one transaction: scores first, so the mastery rollups
    /// take away what they contributed and drop their standings (the counts are recomputed), then their
    /// groups, enrollments and record; the audit trail's entries about them stop naming them.
    static func delete(_ studentId: String, on db: any Database) async throws {
        try await AssessmentQueries(db: db).removeStudent(studentId)
        try await RosterWriter.removeStudent(studentId, on: db)
        try await AuditTrail.redact(subject: studentId, on: db)
    }
}
