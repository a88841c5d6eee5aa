import Fluent
import Foundation
import LodestarCore
import Vapor

/// A page per teacher, linked from teacher names: their schools and classes, then the visits, the
/// feedback loop, coaching and growth goal, each shown only to those its own rule admits.
struct TeacherController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("teachers", ":teacherId", use: show)
    }

    struct TeacherPage: Encodable {
        struct ClassItem: Encodable { let id: String; let title: String; let details: String; let students: Int; let canOpen: Bool }
        struct VisitItem: Encodable { let id: String; let when: String; let observer: String; let visitType: String; let status: String }
        struct Loop: Encodable { let visits: Int; let shared: Int; let medianTime: String; let withinADay: String; let replyRate: String }
        struct Coaching: Encodable { let coaches: String; let conversations: Int; let last: String; let openSteps: Int }
        struct Growth: Encodable { let statement: String; let since: String; let reflections: Int }

        let page: PageContext
        let teacherId: String
        let name: String
        let email: String
        let schools: String
        let isSelf: Bool
        let classes: [ClassItem]
        /// nil when the viewer may not read the teacher's visits; then `ownVisits` counts theirs.
        let visits: [VisitItem]?
        let visitCount: Int
        let visitsLede: String
        let loop: Loop?
        let ownVisits: String?
        let coaching: Coaching?
        let growth: Growth?
        let canSeeGrowth: Bool
        let yearLabel: String
    }

    func show(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let policy = viewer.policy
        let teacherId = try req.parameters.require("teacherId")
        let queries = WalkthroughQueries(db: req.db)
        guard let teacher = try await StaffDirectory(db: req.db).person(teacherId) else { throw LodestarError.notFound }
        let schools = try await StaffDirectory(db: req.db).teachingSchools(of: teacherId)
        guard !schools.isEmpty else { throw LodestarError.notFound }
        let isSelf = teacherId == viewer.id
        let onCaseload = try await CoachingQueries(db: req.db).isOnCaseload(coach: viewer.id, teacher: teacherId)
        try req.require(policy.canViewTeacher(at: schools, isSelf: isSelf, onCaseload: onCaseload))

        let roster = RosterQueries(req.db)
        let schoolNames = try await Org.query(on: req.db).filter(\.$id ~~ Array(schools)).sort(\.$name).all().map(\.name)
        var classes: [TeacherPage.ClassItem] = []
        for row in try await roster.classes(taughtBy: teacherId) {
            let schoolId = try await SchoolClass.find(row.id, on: req.db)?.schoolId ?? ""
            let period = row.periods.isEmpty ? nil : row.periods.contains(where: \.isNumber) ? "Period \(row.periods)" : row.periods
            let grades = row.grades.isEmpty ? nil : row.grades.split(separator: ",").map { GradeLevel.label(String($0)) }.joined(separator: ", ")
            let subjects = row.subjects.isEmpty ? nil : row.subjects.split(separator: ",").joined(separator: ", ")
            classes.append(.init(id: row.id, title: row.title, details: [period, grades, subjects].compactMap { $0 }.joined(separator: " · "),
                                 students: row.students, canOpen: policy.canViewClass(inSchool: schoolId, teachesClass: isSelf)))
        }

        // This school year's visits: all of them for those who may read them, the shared ones for the
        // teacher, and for anyone else only the visits they made themselves.
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let yearStart = DisplayTime.schoolYearStart(of: today)
        let year = WalkthroughQueries.ListFilter(from: yearStart)
        let seesAll = policy.canSeeWalkthroughs(ofTeacherAt: schools, isSelf: false, onCaseload: onCaseload)
        let scope: WalkthroughQueries.ListScope? = isSelf ? .sharedWith(teacherId) : seesAll ? .ofTeacher(teacherId) : nil
        var visits: [TeacherPage.VisitItem]?
        var visitCount = 0
        var loop: TeacherPage.Loop?
        if let scope {
            visitCount = try await queries.count(scope, filter: year)
            visits = try await queries.list(scope, filter: year, limit: 10).map { row in
                .init(id: row.id, when: DisplayTime.dateTime(row.observedAt), observer: row.observerName,
                      visitType: VisitType(rawValue: row.visitType)?.label ?? row.visitType,
                      status: row.feedbackStatus)
            }
            let measured = try await queries.feedbackLoop(scope, filter: year)
            if measured.visits > 0 {
                loop = .init(visits: measured.visits, shared: measured.shared,
                             medianTime: measured.medianHoursToFeedback.map(DisplayTime.duration) ?? "—",
                             withinADay: Percent.text(measured.sharedWithinADay), replyRate: Percent.text(measured.replyRate))
            }
        }
        var ownVisits: String?
        if scope == nil {
            let mine = try await queries.count(.madeBy(viewer.id), filter: .init(teacherId: teacherId))
            ownVisits = mine == 0 ? "You have not visited \(teacher.givenName) yet." : "You have visited \(teacher.givenName) \(mine == 1 ? "once" : "\(mine) times")."
        }

        var coaching: TeacherPage.Coaching?
        if policy.canSeeCoaching(ofTeacherAt: schools, isSelf: isSelf, onCaseload: onCaseload) {
            let summary = try await CoachingQueries(db: req.db).summary(ofTeacher: teacherId)
            let coachIds = try await CoachingQueries(db: req.db).coaches(of: teacherId)
            let coaches = try await StaffDirectory(db: req.db).people(ids: coachIds).map(\.displayName)
            coaching = .init(coaches: coaches.isEmpty ? "No coach assigned" : coaches.joined(separator: ", "), conversations: summary.conversations,
                             last: summary.lastHeldAt.map { DisplayTime.date($0) } ?? "none yet", openSteps: summary.openSteps)
        }

        let canSeeGrowth = policy.canSeeGrowthGoal(ofTeacherAt: schools, isSelf: isSelf, onCaseload: onCaseload)
        var growth: TeacherPage.Growth?
        if canSeeGrowth, let (goal, reflections) = try await LearningQueries(db: req.db).openGrowthGoal(ofTeacher: teacherId) {
            growth = .init(statement: goal.statement, since: DisplayTime.date(goal.setAt), reflections: reflections)
        }

        let who = isSelf ? "your" : "\(teacher.givenName)’s"
        return try await req.view.render("people/teacher", TeacherPage(
            page: PageContext(request: req, title: teacher.displayName), teacherId: teacherId, name: teacher.displayName, email: teacher.email,
            schools: schoolNames.joined(separator: ", "), isSelf: isSelf, classes: classes, visits: visits, visitCount: visitCount,
            visitsLede: isSelf ? "The feedback shared with you this school year (since \(DisplayTime.date(yearStart)))."
                               : "Every visit of \(who) classrooms this school year (since \(DisplayTime.date(yearStart))), shared or not.",
            loop: loop, ownVisits: ownVisits, coaching: coaching, growth: growth, canSeeGrowth: canSeeGrowth,
            yearLabel: DisplayTime.date(yearStart)))
    }
}
