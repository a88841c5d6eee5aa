import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Visit coverage for leaders — who has not been visited lately, visits per teacher this term —
/// and planning announced visits, which teachers see beforehand.
struct CoverageController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("walkthroughs", "coverage", use: coverage)
        routes.post("walkthroughs", "schedule", use: schedule)
    }

    struct CoveragePage: Encodable {
        struct Row: Encodable {
            let teacherId: String
            let name: String
            let lastVisit: String
            let daysSince: Int?
            let visitsThisTerm: Int
            let overdue: Bool
            let upcoming: String?
        }
        let page: PageContext
        let schools: [SelectOption]
        let schoolName: String
        let days: Int
        let dayOptions: [SelectOption]
        let termStart: String
        let rows: [Row]
        let overdueCount: Int
        let visitTypes: [SelectOption]
        let today: String
        let notice: String?
    }

    /// Schools whose coverage `viewer` may see, and whether only a caseload is shown there.
    private func coverageSchools(_ req: Request, _ viewer: Viewer) async throws -> [(id: String, name: String, caseloadOnly: Bool)] {
        let policy = viewer.policy
        let schools = try await Org.query(on: req.db).filter(\.$type == "school").sort(\.$name).all()
        return schools.compactMap { school in
            let id = school.id!
            return policy.coverageReach(atSchool: id).map { (id, school.name, $0 == .caseload) }
        }
    }

    func coverage(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let schools = try await coverageSchools(req, viewer)
        try req.require(!schools.isEmpty)
        let requested = req.query[String.self, at: "school"]
        let school = schools.first { $0.id == requested } ?? schools[0]
        let days = [14, 30, 60].contains(req.query[Int.self, at: "days"] ?? 0) ? req.query[Int.self, at: "days"]! : 30
        let now = Int(Date().timeIntervalSince1970)
        let termStart = try await Self.currentTermStart(req.db.sql, now: now)

        let rows = try await req.db.sql.raw("""
            SELECT st.id, st.given_name, st.family_name,
              (SELECT MAX(w.observed_at) FROM walkthroughs w WHERE w.teacher_id = st.id) AS last_visit,
              (SELECT COUNT(*) FROM walkthroughs w WHERE w.teacher_id = st.id AND w.observed_at >= \(bind: termStart)) AS term_visits,
              (SELECT MIN(v.scheduled_for) FROM scheduled_visits v WHERE v.teacher_id = st.id AND v.scheduled_for >= \(bind: now)) AS upcoming
            FROM staff st JOIN role_grants g ON g.staff_id = st.id
            WHERE g.role = 'teacher' AND g.school_id = \(bind: school.id)
            ORDER BY st.family_name, st.given_name
            """).all()
        let caseload = school.caseloadOnly ? try await WalkthroughQueries(db: req.db).caseload(of: viewer.id) : []
        var items: [CoveragePage.Row] = []
        for row in rows {
            let id = try row.decode(column: "id", as: String.self)
            guard !school.caseloadOnly || caseload.contains(id) else { continue }
            let last = try row.decode(column: "last_visit", as: Int?.self)
            let since = last.map { (now - $0) / 86_400 }
            items.append(.init(teacherId: id, name: "\(try row.decode(column: "family_name", as: String.self)), \(try row.decode(column: "given_name", as: String.self))",
                               lastVisit: last.map(DisplayTime.dateTime) ?? "Never", daysSince: since,
                               visitsThisTerm: try row.decode(column: "term_visits", as: Int.self), overdue: (since ?? Int.max) >= days,
                               upcoming: try row.decode(column: "upcoming", as: Int?.self).map(DisplayTime.dateTime)))
        }
        // Longest without a visit first: no one is forgotten.
        items.sort { ($0.daysSince ?? Int.max, $0.name) > ($1.daysSince ?? Int.max, $1.name) }
        return try await req.view.render("walkthroughs/coverage", CoveragePage(
            page: PageContext(request: req, title: "Visit coverage"),
            schools: schools.map { .init(value: $0.id, label: $0.name, selected: $0.id == school.id) },
            schoolName: school.name, days: days,
            dayOptions: [14, 30, 60].map { .init(value: String($0), label: "\($0) days", selected: $0 == days) },
            termStart: DisplayTime.day(termStart), rows: items, overdueCount: items.filter(\.overdue).count,
            visitTypes: VisitType.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == .informal) },
            today: DisplayTime.isoDay(now), notice: req.takeNotice()))
    }

    /// Start of the semester or term running now, else of the school year, else 90 days ago.
    static func currentTermStart(_ sql: any SQLDatabase, now: Int) async throws -> Int {
        let today = DisplayTime.isoDay(now)
        let row = try await sql.raw("""
            SELECT start_date FROM academic_sessions
            WHERE start_date <= \(bind: today) AND end_date >= \(bind: today) AND type IN ('semester', 'term', 'schoolyear')
            ORDER BY CASE type WHEN 'schoolyear' THEN 1 ELSE 0 END, start_date DESC
            """).first()
        guard let start = try row?.decode(column: "start_date", as: String.self), let date = DisplayTime.date(fromISODay: start) else {
            return now - 90 * 86_400
        }
        return Int(date.timeIntervalSince1970)
    }

    struct ScheduleForm: Content {
        var teacherId: String
        var day: String
        var time: String
        var visitType: String
        var note: String?
        var school: String?
    }

    func schedule(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let form = try req.content.decode(ScheduleForm.self)
        // Who may plan a visit with this teacher is answered before the form is checked, so a refusal
        // never hides behind a validation message (and a validation message never tells a refused viewer anything).
        let queries = WalkthroughQueries(db: req.db)
        let schools = try await queries.teachingSchools(of: form.teacherId)
        guard !schools.isEmpty else { throw LodestarError.notFound }
        let onCaseload = try await queries.isOnCaseload(coach: viewer.id, teacher: form.teacherId)
        let asked = VisitType(rawValue: form.visitType)
        try req.require(viewer.policy.canObserve(teacherAt: schools, visitType: asked ?? .informal, onCaseload: onCaseload) && form.teacherId != viewer.id)
        guard let visitType = asked else { throw LodestarError("Choose a kind of visit.") }
        guard let when = DisplayTime.date(fromISODay: form.day, time: form.time), when.timeIntervalSinceNow > -3_600 else {
            throw LodestarError("Choose a day and time from today on.")
        }
        let visit = ScheduledVisit()
        visit.id = UUID().uuidString.lowercased()
        visit.observerId = viewer.id
        visit.teacherId = form.teacherId
        visit.schoolId = form.school.flatMap { schools.contains($0) ? $0 : nil } ?? schools.sorted()[0]
        visit.visitType = visitType.rawValue
        visit.scheduledFor = Int(when.timeIntervalSince1970)
        visit.note = String((form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(1_000))
        visit.createdAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in try await visit.create(on: db) }
        let teacher = try await Staff.find(form.teacherId, on: req.db)
        req.leaveNotice("Visit with \(teacher?.displayName ?? "the teacher") planned for \(DisplayTime.dateTime(visit.scheduledFor)). They can see it now.")
        return req.redirect(to: "/walkthroughs/coverage?school=\(visit.schoolId.urlQueryEncoded)")
    }
}
