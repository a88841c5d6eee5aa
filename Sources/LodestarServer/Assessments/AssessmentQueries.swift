import Fluent
import Foundation
import LodestarCore
import SQLKit

/// The questions assessment and mastery pages ask.
struct AssessmentQueries {
    let db: any Database
    var sql: any SQLDatabase { db.sql }

    func assessment(_ id: String) async throws -> Assessment? { try await Assessment.find(id, on: db) }

    /// These assessments, the most recent first.
    func assessments(ids: some Collection<String>) async throws -> [Assessment] {
        guard !ids.isEmpty else { return [] }
        return try await Assessment.query(on: db).filter(\.$id ~~ Array(Set(ids))).sort(\.$assessedOn, .descending).sort(\.$id).all()
    }

    func interventionGroup(_ id: String) async throws -> InterventionGroup? { try await InterventionGroup.find(id, on: db) }

    struct StandardRef: Codable, Sendable, Hashable {
        var id: String
        var code: String
        var statement: String
    }

    func classIds(of assessmentId: String) async throws -> [String] {
        try await sql.raw("SELECT class_id FROM assessment_classes WHERE assessment_id = \(bind: assessmentId) ORDER BY class_id").all()
            .map { try $0.decode(column: "class_id", as: String.self) }
    }

    func standards(of assessmentId: String) async throws -> [StandardRef] {
        try await sql.raw("""
            SELECT s.id, s.code, s.statement FROM assessment_standards x JOIN standards s ON s.id = x.standard_id
            WHERE x.assessment_id = \(bind: assessmentId) ORDER BY s.code
            """).all(decoding: StandardRef.self)
    }

    struct ListItem: Codable, Sendable {
        var id: String
        var title: String
        var assessedOn: String
        var classes: Int
        var scores: Int
    }

    /// Assessments given to any of `classIds`, newest first.
    func assessments(forClasses classIds: [String]) async throws -> [ListItem] {
        guard !classIds.isEmpty else { return [] }
        return try await sql.raw("""
            SELECT a.id, a.title, a.assessed_on,
              (SELECT COUNT(*) FROM assessment_classes c WHERE c.assessment_id = a.id) AS classes,
              (SELECT COUNT(*) FROM scores s WHERE s.assessment_id = a.id) AS scores
            FROM assessments a WHERE a.id IN (SELECT assessment_id FROM assessment_classes WHERE class_id IN (\(binds: classIds)))
            ORDER BY a.assessed_on DESC, a.created_at DESC LIMIT 200
            """).all(decoding: ListItem.self, keyDecodingStrategy: .snakeCase)
    }

    struct Student: Codable, Sendable {
        var id: String
        var givenName: String
        var familyName: String
        var preferredName: String
        var name: String { "\(familyName), \(preferredName.isEmpty ? givenName : preferredName)" }
    }

    /// Students enrolled in any of `classIds`, by name.
    func students(inClasses classIds: [String]) async throws -> [Student] {
        guard !classIds.isEmpty else { return [] }
        return try await sql.raw("""
            SELECT DISTINCT s.id, s.given_name, s.family_name, s.preferred_name FROM enrollments e JOIN students s ON s.id = e.user_id
            WHERE e.role = 'student' AND e.class_id IN (\(binds: classIds)) ORDER BY s.family_name, s.given_name, s.id
            """).all(decoding: Student.self, keyDecodingStrategy: .snakeCase)
    }

    /// A score with what orders it: the assessment's date, then when it was entered.
    struct Evidence: Codable, Sendable {
        var assessmentId: String
        var title: String
        var assessedOn: String
        var studentId: String
        var standardId: String
        var value: Double
        var enteredAt: Int
        var scaleId: String
    }

    /// Every score of `students` on `standards`, in attempt order.
    func evidence(students: [String], standards: [String]) async throws -> [Evidence] {
        guard !students.isEmpty, !standards.isEmpty else { return [] }
        return try await sql.raw("""
            SELECT sc.assessment_id, a.title, a.assessed_on, sc.student_id, sc.standard_id, sc.value, sc.entered_at, a.scale_id
            FROM scores sc JOIN assessments a ON a.id = sc.assessment_id
            WHERE sc.student_id IN (\(binds: students)) AND sc.standard_id IN (\(binds: standards))
            ORDER BY a.assessed_on, sc.entered_at
            """).all().map { row in
                // Read column by column: a class's tracker reads thousands of these.
                Evidence(assessmentId: try row.decode(column: "assessment_id", as: String.self), title: try row.decode(column: "title", as: String.self),
                         assessedOn: try row.decode(column: "assessed_on", as: String.self), studentId: try row.decode(column: "student_id", as: String.self),
                         standardId: try row.decode(column: "standard_id", as: String.self), value: try row.decode(column: "value", as: Double.self),
                         enteredAt: try row.decode(column: "entered_at", as: Int.self), scaleId: try row.decode(column: "scale_id", as: String.self))
            }
    }

    /// Standards a student has any score on, by code.
    func standardsScored(student studentId: String) async throws -> [StandardRef] {
        try await sql.raw("""
            SELECT DISTINCT s.id, s.code, s.statement FROM scores sc JOIN standards s ON s.id = sc.standard_id
            WHERE sc.student_id = \(bind: studentId) ORDER BY s.code
            """).all(decoding: StandardRef.self)
    }

    /// A student's mastery of every standard with evidence, by the school's method.
    struct MasteryRow: Encodable, Sendable {
        var code: String
        var statement: String
        var value: String
        var level: String
        var css: String
        var scores: Int
    }

    func masteryProfile(student studentId: String, schoolId: String) async throws -> (method: String, rows: [MasteryRow]) {
        let method = try await MasteryStore.method(forSchool: schoolId, on: db)
        let book = try await ScaleBook.load(on: db)
        let standards = try await standardsScored(student: studentId)
        let grouped = Dictionary(grouping: try await evidence(students: [studentId], standards: standards.map(\.id)), by: \.standardId)
        let rows = standards.map { standard -> MasteryRow in
            let scores = grouped[standard.id] ?? []
            let (result, scale) = book.mastery(scores, by: method)
            let shown = MasteryDisplay(result, on: scale)
            return MasteryRow(code: standard.code, statement: standard.statement, value: shown.text, level: shown.level, css: shown.css,
                              scores: scores.count)
        }
        return (method.label, rows)
    }

    /// Standards assessed in a class, by code.
    func standardsAssessed(inClass classId: String) async throws -> [StandardRef] {
        try await sql.raw("""
            SELECT DISTINCT s.id, s.code, s.statement FROM assessment_classes c JOIN assessment_standards x ON x.assessment_id = c.assessment_id
            JOIN standards s ON s.id = x.standard_id WHERE c.class_id = \(bind: classId) ORDER BY s.code
            """).all(decoding: StandardRef.self)
    }
}
