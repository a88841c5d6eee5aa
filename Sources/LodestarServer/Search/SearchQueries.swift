import LodestarCore
import SQLKit

/// The top-bar search: people, classes, students and standards whose name or code contains the words,
/// each kind limited to what the viewer's roles let them open.
struct SearchQueries {
    let db: any SQLDatabase

    /// Results per kind; the page says when there are more.
    static let limit = 10

    struct Person: Codable, Sendable { var id: String; var givenName: String; var familyName: String; var role: String; var schoolId: String? }
    struct ClassHit: Codable, Sendable { var id: String; var title: String; var schoolId: String; var teachers: String? }
    struct StudentHit: Codable, Sendable { var id: String; var givenName: String; var familyName: String; var preferredName: String; var identifier: String; var grade: String; var schoolId: String }
    struct StandardHit: Codable, Sendable { var id: String; var code: String; var statement: String }

    /// `%words%` for LIKE, lower-cased, with LIKE's own wildcards taken out of what was typed.
    static func pattern(_ text: String) -> String {
        "%" + text.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
    }

    /// `AND <column> IN (…)` when the viewer is limited to some schools (nil: every school).
    private func within(_ column: String, _ schools: Set<String>?) -> SQLQueryString {
        guard let schools else { return "" }
        guard !schools.isEmpty else { return " AND 1 = 0" }
        return " AND \(unsafeRaw: column) IN (\(binds: schools.sorted()))"
    }

    /// Staff holding a role at a school the viewer may see the roster of (every school for district roles).
    func people(_ text: String, schools: Set<String>?) async throws -> [Person] {
        let like = Self.pattern(text)
        return try await db.raw("""
            SELECT st.id, st.given_name, st.family_name, g.role, g.school_id FROM staff st JOIN role_grants g ON g.staff_id = st.id
            WHERE (LOWER(st.given_name || ' ' || st.family_name) LIKE \(bind: like) OR LOWER(st.email) LIKE \(bind: like))
            \(within("g.school_id", schools))
            ORDER BY st.family_name, st.given_name, st.id, g.role LIMIT \(literal: Self.limit * 4)
            """).all(decoding: Person.self, keyDecodingStrategy: .snakeCase)
    }

    /// Classes of the schools whose roster the viewer may see, and the classes they teach.
    func classes(_ text: String, schools: Set<String>?, teacher: String) async throws -> [ClassHit] {
        let like = Self.pattern(text)
        var allowed: SQLQueryString = "1 = 1"
        if let schools {
            allowed = "(c.id IN (SELECT class_id FROM enrollments WHERE role = 'teacher' AND user_id = \(bind: teacher))"
            if !schools.isEmpty { allowed += " OR c.school_id IN (\(binds: schools.sorted()))" }
            allowed += ")"
        }
        return try await db.raw("""
            SELECT c.id, c.title, c.school_id,
              (SELECT MIN(st.given_name || ' ' || st.family_name) FROM enrollments e JOIN staff st ON st.id = e.user_id
               WHERE e.class_id = c.id AND e.role = 'teacher') AS teachers
            FROM classes c
            WHERE (LOWER(c.title) LIKE \(bind: like) OR LOWER(c.class_code) LIKE \(bind: like)) AND \(allowed)
            ORDER BY c.title, c.id LIMIT \(literal: Self.limit + 1)
            """).all(decoding: ClassHit.self, keyDecodingStrategy: .snakeCase)
    }

    /// Students of the schools the viewer administers (all for district roles) and of their own classes.
    func students(_ text: String, schools: Set<String>?, teacher: String) async throws -> [StudentHit] {
        let like = Self.pattern(text)
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
            ORDER BY s.family_name, s.given_name, s.id LIMIT \(literal: Self.limit + 1)
            """).all(decoding: StudentHit.self, keyDecodingStrategy: .snakeCase)
    }

    /// Standards by code or words of the statement: open to everyone signed in.
    func standards(_ text: String) async throws -> [StandardHit] {
        let like = Self.pattern(text)
        return try await db.raw("""
            SELECT id, code, statement FROM standards
            WHERE LOWER(code) LIKE \(bind: like) OR LOWER(statement) LIKE \(bind: like)
            ORDER BY code, id LIMIT \(literal: Self.limit + 1)
            """).all(decoding: StandardHit.self, keyDecodingStrategy: .snakeCase)
    }
}
