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
        let rows: [[String]]
    }

    /// The parts, each read with one query: the student, classes, scores, standings, intervention groups and
    /// who opened or exported their records (the access log a family may ask for).
    static func parts(of studentId: String, on db: any Database) async throws -> [Part] {
        let sql = db.sql
        let queries: [(String, String, SQLQueryString)] = [
            ("student", "Student record", "SELECT * FROM students WHERE id = \(bind: studentId)"),
            ("classes", "Classes", """
                SELECT e.class_id, c.title AS class_title, e.school_id, e.role, e.begin_date, e.end_date FROM enrollments e
                LEFT JOIN classes c ON c.id = e.class_id WHERE e.user_id = \(bind: studentId) ORDER BY c.title
                """),
            ("scores", "Scores", """
                SELECT a.assessed_on, a.title AS assessment, s.code AS standard, sc.value, sc.entered_at FROM scores sc
                JOIN assessments a ON a.id = sc.assessment_id LEFT JOIN standards s ON s.id = sc.standard_id
                WHERE sc.student_id = \(bind: studentId) ORDER BY a.assessed_on, a.title, s.code
                """),
            ("mastery", "Mastery standings, month by month", """
                SELECT s.code AS standard, p.school_id, p.grade, p.timeline FROM mastery_pairs p LEFT JOIN standards s ON s.id = p.standard_id
                WHERE p.student_id = \(bind: studentId) ORDER BY s.code
                """),
            ("intervention-groups", "Intervention groups", """
                SELECT g.name AS intervention_group, g.class_id, m.baseline FROM intervention_members m JOIN intervention_groups g ON g.id = m.group_id
                WHERE m.student_id = \(bind: studentId) ORDER BY g.name
                """),
            ("access-log", "Access log: who opened or exported these records", """
                SELECT a.at, COALESCE(st.email, a.staff_id) AS person, a.action, a.address FROM audit_events a LEFT JOIN staff st ON st.id = a.staff_id
                WHERE a.subject = \(bind: studentId) ORDER BY a.at
                """),
        ]
        var parts: [Part] = []
        for (name, label, query) in queries {
            let rows = try await sql.raw(query).all()
            let columns = rows.first?.allColumns ?? []
            parts.append(Part(name: name, label: label, columns: columns, rows: try rows.map { row in
                try columns.map { try text(row, $0, sqlite: sql.dialect.name == "sqlite") }
            }))
        }
        return parts
    }

    /// Any column as text, whatever its type in either database. SQLite gives any value as text;
    /// PostgreSQL's typed values are tried as numbers and booleans first (read as text, their bytes are not).
    private static func text(_ row: any SQLRow, _ column: String, sqlite: Bool) throws -> String {
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
        let sql = db.sql
        try await sql.raw("DELETE FROM scores WHERE student_id = \(bind: studentId)").run()
        try await db.announce(.scoresChanged(students: [studentId], standards: nil))
        try await sql.raw("DELETE FROM intervention_members WHERE student_id = \(bind: studentId)").run()
        try await sql.raw("DELETE FROM enrollments WHERE user_id = \(bind: studentId)").run()
        try await sql.raw("DELETE FROM students WHERE id = \(bind: studentId)").run()
        try await AuditTrail.redact(subject: studentId, on: db)
    }
}
