import Fluent
import LodestarCore
import SQLKit

/// The roster's part of the top-bar search: classes and students whose name or code matches a LIKE pattern,
/// limited to the schools the viewer may see (nil: every school) and to the viewer's own classes.
extension RosterQueries {
    struct ClassHit: Codable, Sendable { var id: String; var title: String; var schoolId: String; var teachers: String? }
    struct StudentHit: Codable, Sendable { var id: String; var givenName: String; var familyName: String; var preferredName: String; var identifier: String; var grade: String; var schoolId: String }

    /// Classes of the schools whose roster the viewer may see, and the classes they teach.
    func searchClasses(_ like: String, schools: Set<String>?, teacher: String, limit: Int) async throws -> [ClassHit] {
        var allowed: SQLQueryString = "1 = 1"
        if let schools {
            allowed = "(c.id IN (SELECT class_id FROM enrollments WHERE role = 'teacher' AND user_id = \(bind: teacher))"
            if !schools.isEmpty { allowed += " OR c.school_id IN (\(binds: schools.sorted()))" }
            allowed += ")"
        }
        var hits = try await db.raw("""
            SELECT c.id, c.title, c.school_id FROM classes c
            WHERE (LOWER(c.title) LIKE \(bind: like) OR LOWER(c.class_code) LIKE \(bind: like)) AND \(allowed)
            ORDER BY c.title, c.id LIMIT \(literal: limit)
            """).all(decoding: ClassHit.self, keyDecodingStrategy: .snakeCase)
        guard !hits.isEmpty else { return hits }
        // Each class's teacher shown by the first name in alphabetical order.
        var teachers: [String: [String]] = [:]
        for row in try await db.raw("SELECT class_id, user_id FROM enrollments WHERE role = 'teacher' AND class_id IN (\(binds: hits.map(\.id)))").all() {
            teachers[try row.decode(column: "class_id", as: String.self), default: []].append(try row.decode(column: "user_id", as: String.self))
        }
        let names = Dictionary(uniqueKeysWithValues: try await StaffDirectory(db: database).people(ids: teachers.values.flatMap { $0 }).map { ($0.id!, $0.displayName) })
        for index in hits.indices { hits[index].teachers = teachers[hits[index].id]?.compactMap { names[$0] }.min() }
        return hits
    }

    /// Students of the schools the viewer administers (all for district roles) and of their own classes.
    func searchStudents(_ like: String, schools: Set<String>?, teacher: String, limit: Int) async throws -> [StudentHit] {
        var allowed: SQLQueryString = "1 = 1"
        if let schools {
            allowed = "(s.id IN (SELECT s2.user_id FROM enrollments s2 JOIN enrollments t ON t.class_id = s2.class_id WHERE s2.role = 'student' AND t.role = 'teacher' AND t.user_id = \(bind: teacher))"
            if !schools.isEmpty {
                allowed += " OR s.school_id IN (\(binds: schools.sorted()))"
                allowed += " OR s.id IN (SELECT e.user_id FROM enrollments e JOIN classes c ON c.id = e.class_id WHERE e.role = 'student' AND c.school_id IN (\(binds: schools.sorted())))"
            }
            allowed += ")"
        }
        return try await db.raw("""
            SELECT s.id, s.given_name, s.family_name, s.preferred_name, s.identifier, s.grade, s.school_id FROM students s
            WHERE (LOWER(s.given_name || ' ' || s.family_name) LIKE \(bind: like) OR LOWER(s.preferred_name || ' ' || s.family_name) LIKE \(bind: like)
                   OR LOWER(s.identifier) LIKE \(bind: like)) AND \(allowed)
            ORDER BY s.family_name, s.given_name, s.id LIMIT \(literal: limit)
            """).all(decoding: StudentHit.self, keyDecodingStrategy: .snakeCase)
    }
}
