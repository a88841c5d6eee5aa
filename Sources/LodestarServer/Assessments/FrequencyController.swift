import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// How often each class is formatively assessed, per standard, so leaders see where assessment is too rare.
/// Class-level counts only: no student data.
struct FrequencyController: RouteCollection {
    /// Fewer assessments than this in 30 days is flagged as rare.
    static let rareBelow = 2

    func boot(routes: any RoutesBuilder) throws {
        routes.get("schools", ":schoolId", "assessment-frequency", use: frequency)
    }

    struct Page: Encodable {
        struct Standard: Encodable { let code: String; let count: Int; let last: String }
        struct Row: Encodable {
            let classId: String
            let title: String
            let teacher: String
            let recent: Int
            let term: Int
            let last: String
            let rare: Bool
            let standards: [Standard]
        }
        let page: PageContext
        let schoolId: String
        let schoolName: String
        let termStart: String
        let rareBelow: Int
        let rows: [Row]
        let rareCount: Int
    }

    func frequency(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let schoolId = try req.parameters.require("schoolId")
        try req.require(viewer.policy.canViewRoster(ofSchool: schoolId))
        guard let school = try await RosterQueries(req.db).org(schoolId) else { throw LodestarError.notFound }
        let now = Int(Date().timeIntervalSince1970)
        let since = DisplayTime.isoDay(now - 30 * 86_400)
        let termStart = try await RosterQueries(req.db).currentTermStart(now: now)
        let termDay = DisplayTime.isoDay(termStart)
        let sql = req.db.sql
        let classes = try await sql.raw("""
            SELECT c.id, c.title,
              (SELECT MIN(st.given_name || ' ' || st.family_name) FROM enrollments e JOIN staff st ON st.id = e.user_id
               WHERE e.class_id = c.id AND e.role = 'teacher') AS teacher,
              COUNT(DISTINCT a.id) AS term_count,
              COUNT(DISTINCT CASE WHEN a.assessed_on >= \(bind: since) THEN a.id END) AS recent_count,
              MAX(a.assessed_on) AS last_on
            FROM classes c
            LEFT JOIN assessment_classes ac ON ac.class_id = c.id
            LEFT JOIN assessments a ON a.id = ac.assessment_id AND a.assessed_on >= \(bind: termDay)
            WHERE c.school_id = \(bind: schoolId)
            GROUP BY c.id, c.title
            """).all()
        let perStandard = try await sql.raw("""
            SELECT ac.class_id, s.code, COUNT(DISTINCT a.id) AS n, MAX(a.assessed_on) AS last_on
            FROM assessment_classes ac JOIN classes c ON c.id = ac.class_id
            JOIN assessments a ON a.id = ac.assessment_id JOIN assessment_standards x ON x.assessment_id = a.id
            JOIN standards s ON s.id = x.standard_id
            WHERE c.school_id = \(bind: schoolId) AND a.assessed_on >= \(bind: termDay)
            GROUP BY ac.class_id, s.code ORDER BY s.code
            """).all()
        var standards: [String: [Page.Standard]] = [:]
        for row in perStandard {
            standards[try row.decode(column: "class_id", as: String.self), default: []].append(.init(
                code: try row.decode(column: "code", as: String.self), count: try row.decode(column: "n", as: Int.self),
                last: DisplayTime.date(try row.decode(column: "last_on", as: String.self))))
        }
        var rows = try classes.map { row in
            let id = try row.decode(column: "id", as: String.self)
            let recent = try row.decode(column: "recent_count", as: Int.self)
            return Page.Row(classId: id, title: try row.decode(column: "title", as: String.self),
                            teacher: try row.decode(column: "teacher", as: String?.self) ?? "—", recent: recent,
                            term: try row.decode(column: "term_count", as: Int.self),
                            last: try row.decode(column: "last_on", as: String?.self).map(DisplayTime.date) ?? "Never", rare: recent < Self.rareBelow,
                            standards: standards[id] ?? [])
        }
        // Rarest first, so the classes that need attention lead.
        rows.sort { ($0.recent, $0.term, $0.title) < ($1.recent, $1.term, $1.title) }
        return try await req.view.render("assessments/frequency", Page(
            page: PageContext(request: req, title: "Assessment frequency: \(school.name)"), schoolId: schoolId, schoolName: school.name,
            termStart: DisplayTime.day(termStart), rareBelow: Self.rareBelow, rows: rows, rareCount: rows.filter(\.rare).count))
    }
}
