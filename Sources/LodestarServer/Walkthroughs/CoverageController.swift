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
        let schools = try await RosterQueries(req.db).schoolOrgs()
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
        let termStart = try await RosterQueries(req.db).currentTermStart(now: now)

        let caseload = school.caseloadOnly ? try await CoachingQueries(db: req.db).caseload(of: viewer.id) : []
        let teachers = try await StaffDirectory(db: req.db).people(holding: [.teacher], atSchools: [school.id])
            .filter { !school.caseloadOnly || caseload.contains($0.id) }
        let visits = try await WalkthroughQueries(db: req.db).coverage(of: teachers.map(\.id), termStart: termStart, now: now)
        var items: [CoveragePage.Row] = []
        for teacher in teachers {
            let seen = visits[teacher.id]
            let since = seen?.lastVisit.map { (now - $0) / 86_400 }
            items.append(.init(teacherId: teacher.id, name: teacher.listName,
                               lastVisit: seen?.lastVisit.map(DisplayTime.dateTime) ?? "Never", daysSince: since,
                               visitsThisTerm: seen?.termVisits ?? 0, overdue: (since ?? Int.max) >= days,
                               upcoming: seen?.upcoming.map(DisplayTime.dateTime)))
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
        let schools = try await StaffDirectory(db: req.db).teachingSchools(of: form.teacherId)
        guard !schools.isEmpty else { throw LodestarError.notFound }
        let onCaseload = try await CoachingQueries(db: req.db).isOnCaseload(coach: viewer.id, teacher: form.teacherId)
        let asked = VisitType(rawValue: form.visitType)
        try req.require(viewer.policy.canObserve(teacherAt: schools, visitType: asked ?? .informal, onCaseload: onCaseload) && form.teacherId != viewer.id)
        guard let visitType = asked else { throw LodestarError("Choose a kind of visit.") }
        guard let when = DisplayTime.date(fromISODay: form.day, time: form.time), when.timeIntervalSinceNow > -3_600 else {
            throw LodestarError("Choose a day and time from today on.")
        }
        let school = form.school.flatMap { schools.contains($0) ? $0 : nil } ?? schools.sorted()[0]
        let visit = try await req.db.writeTransaction { db in
            try await WalkthroughQueries(db: db).planVisit(observer: viewer.id, teacher: form.teacherId, school: school, type: visitType,
                                                           at: Int(when.timeIntervalSince1970), note: form.note ?? "")
        }
        let teacher = try await StaffDirectory(db: req.db).person(form.teacherId)
        req.leaveNotice("Visit with \(teacher?.displayName ?? "the teacher") planned for \(DisplayTime.dateTime(visit.scheduledFor)). They can see it now.")
        return req.redirect(to: "/walkthroughs/coverage?school=\(visit.schoolId.urlQueryEncoded)")
    }
}
