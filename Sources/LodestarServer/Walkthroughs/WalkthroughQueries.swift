import Fluent
import Foundation
import LodestarCore
import SQLKit

/// The questions walkthrough pages ask.
struct WalkthroughQueries {
    let db: any Database
    var sql: any SQLDatabase { db.sql }

    /// Schools where `staffId` holds the teacher role.
    func teachingSchools(of staffId: String) async throws -> Set<String> {
        let rows = try await sql.raw("SELECT school_id FROM role_grants WHERE staff_id = \(bind: staffId) AND role = 'teacher'").all()
        return Set(try rows.compactMap { try $0.decode(column: "school_id", as: String?.self) })
    }

    func isOnCaseload(coach: String, teacher: String) async throws -> Bool {
        try await sql.raw("SELECT 1 AS found FROM caseloads WHERE coach_id = \(bind: coach) AND teacher_id = \(bind: teacher)").first() != nil
    }

    func caseload(of coach: String) async throws -> Set<String> {
        Set(try await CaseloadEntry.query(on: db).filter(\.$coachId == coach).all().map(\.teacherId))
    }

    /// A teacher the capture page can offer, with the classes they teach.
    struct CaptureTeacher: Codable, Sendable {
        struct Class: Codable, Sendable {
            var id: String
            var title: String
            var periods: [String]
            var allDay: Bool
        }
        /// What to look for after a professional learning session the teacher attended recently.
        struct FollowUp: Codable, Sendable {
            var session: String
            var lookFors: [String]
        }
        var id: String
        var name: String
        var schoolId: String
        var classes: [Class]
        var followUps: [FollowUp] = []
    }

    /// Teachers `viewer` may visit, for the capture page's type-ahead.
    func teachersToVisit(by viewer: Viewer) async throws -> [CaptureTeacher] {
        let policy = viewer.policy
        let caseload = try await caseload(of: viewer.id)
        // District roles see every school; others only the schools they work in.
        guard policy.seesWholeDistrict || !policy.schoolIds.isEmpty else { return [] }
        let schoolFilter: SQLQueryString = policy.seesWholeDistrict ? "" : "AND g.school_id IN (\(binds: policy.schoolIds.sorted()))"
        let rows = try await sql.raw("""
            SELECT st.id, st.given_name, st.family_name, g.school_id FROM staff st JOIN role_grants g ON g.staff_id = st.id
            WHERE g.role = 'teacher' \(schoolFilter) ORDER BY st.family_name, st.given_name
            """).all()
        var teachers: [CaptureTeacher] = []
        var seen: Set<String> = []
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            let school = try row.decode(column: "school_id", as: String?.self) ?? ""
            guard id != viewer.id, !seen.contains(id) else { continue }
            guard policy.offersToVisit(teacherAt: school, onCaseload: caseload.contains(id)) else { continue }
            seen.insert(id)
            teachers.append(CaptureTeacher(id: id, name: "\(try row.decode(column: "given_name", as: String.self)) \(try row.decode(column: "family_name", as: String.self))",
                                           schoolId: school, classes: []))
        }
        let classFilter: SQLQueryString = policy.seesWholeDistrict ? "" : "AND c.school_id IN (\(binds: policy.schoolIds.sorted()))"
        let classRows = try await sql.raw("""
            SELECT e.user_id, c.id, c.title, c.periods, c.class_type FROM enrollments e JOIN classes c ON c.id = e.class_id
            WHERE e.role = 'teacher' \(classFilter) ORDER BY c.periods, c.title
            """).all()
        var classes: [String: [CaptureTeacher.Class]] = [:]
        for row in classRows {
            let teacher = try row.decode(column: "user_id", as: String.self)
            guard seen.contains(teacher) else { continue }
            classes[teacher, default: []].append(.init(
                id: try row.decode(column: "id", as: String.self), title: try row.decode(column: "title", as: String.self),
                periods: try row.decode(column: "periods", as: String.self).split(separator: ",").map(String.init),
                allDay: try row.decode(column: "class_type", as: String.self) == "homeroom"))
        }
        let followUps = try await LearningQueries(db: db).followUpLookFors()
        return teachers.map { teacher in
            var teacher = teacher
            teacher.classes = classes[teacher.id] ?? []
            teacher.followUps = followUps[teacher.id] ?? []
            return teacher
        }
    }

    /// A walkthrough in a list: who, when, and where its feedback stands.
    struct ListItem: Codable, Sendable {
        var id: String
        var teacherId: String
        var schoolId: String
        var teacherName: String
        var observerName: String
        var classTitle: String?
        var visitType: String
        var observedAt: Int
        var sharedAt: Int?
        var readAt: Int?
        var glow: String
        var grow: String
        var question: String
        var replies: Int

        /// Where the visit's feedback stands, as the lists say it.
        var feedbackStatus: String {
            sharedAt == nil ? "Draft — not shared" : replies > 0 ? "Replied" : readAt == nil ? "Shared, not yet read" : "Read"
        }
    }

    enum ListScope {
        case madeBy(String)
        case sharedWith(String)
        /// Every visit of a teacher, by anyone: for those who may read them all (`AccessPolicy.canSeeWalkthroughs`).
        case ofTeacher(String)
    }

    /// What a list of visits is narrowed to; nil or empty means any.
    struct ListFilter: Sendable, Equatable {
        enum Status: String, CaseIterable, Sendable {
            case draft, shared, replied
            var label: String {
                switch self {
                case .draft: "Drafts"
                case .shared: "Shared, no reply yet"
                case .replied: "Replied"
                }
            }
        }
        var teacherId: String?
        /// Visits that looked for the practice (marked it seen or not seen).
        var indicator: String?
        /// ISO days, inclusive, district time.
        var from: String?
        var through: String?
        var status: Status?
    }

    private func conditions(_ scope: ListScope, _ filter: ListFilter) -> SQLQueryString {
        var condition: SQLQueryString = switch scope {
        case .madeBy(let id): "w.observer_id = \(bind: id)"
        case .sharedWith(let id): "w.teacher_id = \(bind: id) AND w.shared_at IS NOT NULL"
        case .ofTeacher(let id): "w.teacher_id = \(bind: id)"
        }
        if let teacher = filter.teacherId { condition += " AND w.teacher_id = \(bind: teacher)" }
        if let indicator = filter.indicator {
            condition += " AND EXISTS (SELECT 1 FROM indicator_marks m WHERE m.walkthrough_id = w.id AND m.indicator_key = \(bind: indicator) AND m.mark <> 'not_applicable')"
        }
        if let from = filter.from { condition += " AND w.observed_at >= \(bind: DisplayTime.startOfDay(from))" }
        if let through = filter.through { condition += " AND w.observed_at < \(bind: DisplayTime.startOfDay(DisplayTime.isoDay(through, plus: 1)))" }
        let replied: SQLQueryString = "EXISTS (SELECT 1 FROM feedback_replies r WHERE r.walkthrough_id = w.id AND r.author_id = w.teacher_id)"
        switch filter.status {
        case .draft?: condition += " AND w.shared_at IS NULL"
        case .shared?: condition += " AND w.shared_at IS NOT NULL AND NOT " + replied
        case .replied?: condition += " AND " + replied
        case nil: break
        }
        return condition
    }

    /// Visits newest first, `limit` from `offset`.
    func list(_ scope: ListScope, filter: ListFilter = ListFilter(), limit: Int = 200, offset: Int = 0) async throws -> [ListItem] {
        try await sql.raw("""
            SELECT w.id, w.teacher_id, w.school_id, t.given_name || ' ' || t.family_name AS teacher_name, o.given_name || ' ' || o.family_name AS observer_name,
                   c.title AS class_title, w.visit_type, w.observed_at, w.shared_at, w.read_at, w.glow, w.grow, w.question,
                   (SELECT COUNT(*) FROM feedback_replies r WHERE r.walkthrough_id = w.id) AS replies
            FROM walkthroughs w JOIN staff t ON t.id = w.teacher_id JOIN staff o ON o.id = w.observer_id
            LEFT JOIN classes c ON c.id = w.class_id
            WHERE \(conditions(scope, filter)) ORDER BY w.observed_at DESC, w.id LIMIT \(literal: limit) OFFSET \(literal: offset)
            """).all(decoding: ListItem.self, keyDecodingStrategy: .snakeCase)
    }

    func count(_ scope: ListScope, filter: ListFilter) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM walkthroughs w WHERE \(conditions(scope, filter))").first()!.decode(column: "n", as: Int.self)
    }

    /// The teachers an observer has visited, by name, for the filter.
    func teachersVisited(by observer: String) async throws -> [(id: String, name: String)] {
        try await sql.raw("""
            SELECT DISTINCT t.id, t.given_name, t.family_name FROM walkthroughs w JOIN staff t ON t.id = w.teacher_id
            WHERE w.observer_id = \(bind: observer) ORDER BY t.family_name, t.given_name
            """).all().map { (try $0.decode(column: "id", as: String.self),
                              "\(try $0.decode(column: "given_name", as: String.self)) \(try $0.decode(column: "family_name", as: String.self))") }
    }

    /// Announced visits still ahead, for the teacher or the observer.
    struct UpcomingVisit: Codable, Sendable {
        var observerName: String
        var teacherName: String
        var visitType: String
        var scheduledFor: Int
        var note: String
    }

    enum UpcomingScope { case forTeacher(String), byObserver(String) }

    func upcomingVisits(_ scope: UpcomingScope) async throws -> [UpcomingVisit] {
        let now = Int(Date().timeIntervalSince1970)
        let condition: SQLQueryString = switch scope {
        case .forTeacher(let id): "v.teacher_id = \(bind: id)"
        case .byObserver(let id): "v.observer_id = \(bind: id)"
        }
        return try await sql.raw("""
            SELECT o.given_name || ' ' || o.family_name AS observer_name, t.given_name || ' ' || t.family_name AS teacher_name,
                   v.visit_type, v.scheduled_for, v.note
            FROM scheduled_visits v JOIN staff o ON o.id = v.observer_id JOIN staff t ON t.id = v.teacher_id
            WHERE \(condition) AND v.scheduled_for >= \(bind: now - 3_600) ORDER BY v.scheduled_for LIMIT 20
            """).all(decoding: UpcomingVisit.self, keyDecodingStrategy: .snakeCase)
    }

    /// Teachers of a school with no walkthrough in the last `days` days.
    func teachersNotVisited(inSchool schoolId: String, days: Int) async throws -> Int {
        let since = Int(Date().timeIntervalSince1970) - days * 86_400
        return try await sql.raw("""
            SELECT COUNT(*) AS n FROM role_grants g WHERE g.role = 'teacher' AND g.school_id = \(bind: schoolId)
              AND NOT EXISTS (SELECT 1 FROM walkthroughs w WHERE w.teacher_id = g.staff_id AND w.observed_at >= \(bind: since))
            """).first()!.decode(column: "n", as: Int.self)
    }

    func unsharedCount(observer: String) async throws -> Int {
        try await Walkthrough.query(on: db).filter(\.$observerId == observer).filter(\.$sharedAt == nil).count()
    }

    func unreadCount(teacher: String) async throws -> Int {
        try await Walkthrough.query(on: db).filter(\.$teacherId == teacher).filter(\.$sharedAt != nil).filter(\.$readAt == nil).count()
    }

    /// The feedback-loop measures over a list of visits: an observer's, or a teacher's.
    func feedbackLoop(_ scope: ListScope, filter: ListFilter = ListFilter()) async throws -> FeedbackLoop {
        let rows = try await sql.raw("""
            SELECT w.observed_at, w.shared_at,
                   (SELECT COUNT(*) FROM feedback_replies r WHERE r.walkthrough_id = w.id AND r.author_id = w.teacher_id) AS replies
            FROM walkthroughs w WHERE \(conditions(scope, filter))
            """).all()
        return FeedbackLoop(try rows.map { row in
            FeedbackLoop.Visit(observedAt: Double(try row.decode(column: "observed_at", as: Int.self)),
                               sharedAt: try row.decode(column: "shared_at", as: Int?.self).map(Double.init),
                               replied: try row.decode(column: "replies", as: Int.self) > 0)
        })
    }
}
