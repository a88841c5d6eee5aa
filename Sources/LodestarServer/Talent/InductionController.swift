import Fluent
import Foundation
import LodestarCore
import Vapor

/// Induction of teachers new to the district or the school: a plan from the district's template (a mentor, visits
/// at a cadence, check-ins, sessions), what is due, and who stayed.
struct InductionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("induction", use: index)
        routes.post("induction", use: start)
        routes.get("induction", ":planId", use: planPage)
        routes.post("induction", ":planId", "items", ":itemId", use: complete)
    }

    struct IndexPage: Encodable {
        struct Plan: Encodable { let href: String; let teacher: String; let mentor: String; let started: String; let progress: String; let next: String; let overdue: Bool }
        struct Retention: Encodable { let year: String; let text: String }
        /// A teacher new to the school this year with no plan yet, and the day they arrived (`StaffArrival`).
        struct Newcomer: Encodable { let id: String; let name: String; let arrived: String; let arrivedOn: String }
        struct School: Encodable {
            let id: String; let name: String; let plans: [Plan]; let retention: [Retention]
            let newcomers: [Newcomer]
            let teachers: [SelectOption]; let mentors: [SelectOption]
        }
        let page: PageContext
        let schools: [School]
        let ownPlans: [Plan]
        let today: String
        let template: String
        let error: String?
    }

    func index(req: Request) async throws -> Response {
        try await render(req, error: nil)
    }

    private func render(_ req: Request, error: String?) async throws -> Response {
        let viewer = try await req.viewer()
        let queries = InductionQueries(db: req.db)
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let managed = try await RosterQueries(req.db).schoolOrgs().filter { viewer.policy.managesInduction(atSchool: $0.id!) }
        let all = try await queries.plans(atSchools: nil)
        let own = all.filter { $0.teacherId == viewer.id || $0.mentorId == viewer.id }
        try req.require(!managed.isEmpty || !own.isEmpty)
        let items = Dictionary(grouping: try await queries.items(of: all.compactMap(\.id)), by: \.planId)
        let names = try await Staff.names(of: all.flatMap { [$0.teacherId, $0.mentorId].compactMap { $0 } }, on: req.db)
        func row(_ plan: InductionPlan) -> IndexPage.Plan {
            let mine = items[plan.id!] ?? []
            let next = mine.first { $0.doneAt == nil }
            return .init(href: "/induction/\(plan.id!)", teacher: names[plan.teacherId] ?? "Former staff member", mentor: plan.mentorId.map { names[$0] ?? "Former staff member" } ?? "None yet",
                         started: DisplayTime.date(plan.startsOn), progress: "\(mine.filter { $0.doneAt != nil }.count) of \(mine.count) done",
                         next: next.map { "\($0.title), \(DisplayTime.date($0.dueOn))" } ?? "All done", overdue: (next?.dueOn ?? "9999") < today)
        }
        let newcomers = Dictionary(grouping: try await queries.newWithoutPlan(atSchools: managed.compactMap(\.id), today: today), by: \.schoolId)
        var schools: [IndexPage.School] = []
        for school in managed {
            let plans = all.filter { $0.schoolId == school.id }
            let teachers = try await StaffDirectory(db: req.db).people(holding: [.teacher], atSchools: [school.id!])
            let stillTeaching = Set(teachers.map(\.id))
            let byYear = Dictionary(grouping: plans) { SchoolYear.of(day: $0.startsOn) }
            let retention = byYear.keys.sorted(by: >).map { year in
                let cohort = byYear[year]!, stayed = cohort.filter { stillTeaching.contains($0.teacherId) }.count
                return IndexPage.Retention(year: SchoolYear.label(year), text: "\(cohort.count) new \(cohort.count == 1 ? "teacher" : "teachers") inducted; \(stayed) still \(stayed == 1 ? "teaches" : "teach") here (\(Percent.text(Double(stayed) / Double(cohort.count))))")
            }
            // Suggested mentors for the school's own administrators (reading every school's practice for a district view would be slow).
            let suggested = viewer.policy.administers(school: school.id!)
                ? try await LearningQueries(db: req.db).mentorSuggestions(schoolId: school.id!, framework: try await FrameworkStore.active(on: req.db).framework) : []
            var order: [String] = []
            for suggestion in suggested where !order.contains(suggestion.suggestion.mentor) { order.append(suggestion.suggestion.mentor) }
            let mentors = order.compactMap { id in teachers.first { $0.id == id }.map { SelectOption(value: $0.id, label: "\($0.listName) (suggested)") } }
                + teachers.filter { !order.contains($0.id) }.map { SelectOption(value: $0.id, label: $0.listName) }
            let arrived = (newcomers[school.id!] ?? []).compactMap { arrival in
                teachers.first { $0.id == arrival.staffId }.map { IndexPage.Newcomer(id: $0.id, name: $0.name, arrived: DisplayTime.date(arrival.arrivedOn), arrivedOn: arrival.arrivedOn) }
            }
            schools.append(.init(id: school.id!, name: school.name, plans: plans.map(row), retention: retention, newcomers: arrived,
                                 teachers: teachers.map { .init(value: $0.id, label: $0.listName) }, mentors: mentors))
        }
        let template = InductionTemplate.lodestarDefault
        let response = try await req.view.render("talent/induction", IndexPage(
            page: PageContext(request: req, title: "Induction"), schools: schools, ownPlans: own.map(row), today: today,
            template: "A visit every \(template.visitEveryDays) days for the first \(template.visitsForDays) days (announced, non-evaluative: they show in coverage and planned visits); check-ins at \(template.checkInDays.map(String.init).joined(separator: ", ")) days; sessions: \(template.sessions.map { "\($0.title) (by day \($0.byDay))" }.joined(separator: "; ")).",
            error: error)).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    struct StartForm: Content { var school: String; var teacherId: String; var mentorId: String?; var startsOn: String }

    func start(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let form = try req.content.decode(StartForm.self)
        try req.require(viewer.policy.managesInduction(atSchool: form.school))
        let teachers = Set(try await StaffDirectory(db: req.db).people(holding: [.teacher], atSchools: [form.school]).map(\.id))
        let mentor = (form.mentorId ?? "").isEmpty ? nil : form.mentorId
        guard teachers.contains(form.teacherId), mentor.map({ teachers.contains($0) && $0 != form.teacherId }) ?? true,
              DisplayTime.date(fromISODay: form.startsOn) != nil else {
            return try await render(req, error: "Choose a teacher of the school, a mentor among its other teachers, and the day the induction starts.")
        }
        guard try await InductionQueries(db: req.db).plans(atSchools: [form.school]).allSatisfy({ $0.teacherId != form.teacherId || $0.startsOn != form.startsOn }) else {
            return try await render(req, error: "That teacher's induction already starts on that day.")
        }
        let plan = try await InductionQueries(db: req.db).start(school: form.school, teacher: form.teacherId, mentor: mentor, observer: viewer.id,
                                                                startsOn: form.startsOn, by: viewer.id)
        req.leaveNotice("The induction plan is made; its visits are planned and the teacher sees them.")
        return req.redirect(to: "/induction/\(plan.id!)")
    }

    struct PlanPage: Encodable {
        struct Item: Encodable { let id: String; let title: String; let kind: String; let due: String; let done: String?; let note: String; let overdue: Bool }
        let page: PageContext
        let id: String
        let teacher: String
        let mentor: String
        let school: String
        let started: String
        let visits: [String]
        let visitsMade: Int
        let items: [Item]
        let manages: Bool
        let notice: String?
    }

    private func context(_ req: Request) async throws -> (InductionPlan, Viewer) {
        let viewer = try await req.viewer()
        guard let plan = try await InductionQueries(db: req.db).plan(try req.parameters.require("planId")) else { throw LodestarError.notFound }
        try req.require(viewer.policy.canSeeInductionPlan(atSchool: plan.schoolId, isTeacher: plan.teacherId == viewer.id, isMentor: plan.mentorId == viewer.id))
        return (plan, viewer)
    }

    func planPage(req: Request) async throws -> View {
        let (plan, viewer) = try await context(req)
        let start = DisplayTime.startOfDay(plan.startsOn), end = DisplayTime.startOfDay(DisplayTime.isoDay(plan.startsOn, plus: 100))
        let visits = try await WalkthroughQueries(db: req.db).plannedVisits(involving: plan.teacherId, from: start, to: end)
            .filter { $0.observerId == plan.observerId }.sorted { $0.scheduledFor < $1.scheduledFor }
        let made = try await WalkthroughQueries(db: req.db).visits(byObservers: [plan.observerId] + [plan.mentorId].compactMap { $0 }, from: start, to: end)
            .filter { $0.teacherId == plan.teacherId }.count
        let items = try await InductionQueries(db: req.db).items(of: [plan.id!])
        let names = try await Staff.names(of: [plan.teacherId, plan.mentorId].compactMap { $0 } + items.compactMap(\.doneBy), on: req.db)
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        return try await req.view.render("talent/induction-plan", PlanPage(
            page: PageContext(request: req, title: "Induction: \(names[plan.teacherId] ?? "")"), id: plan.id!,
            teacher: names[plan.teacherId] ?? "Former staff member", mentor: plan.mentorId.map { names[$0] ?? "Former staff member" } ?? "None yet",
            school: try await RosterQueries(req.db).org(plan.schoolId)?.name ?? plan.schoolId, started: DisplayTime.date(plan.startsOn),
            visits: visits.map { DisplayTime.dateTime($0.scheduledFor) }, visitsMade: made,
            items: items.map { item in
                .init(id: item.id!, title: item.title, kind: item.kind, due: DisplayTime.date(item.dueOn),
                      done: item.doneAt.map { "Done \(DisplayTime.date(DisplayTime.isoDay($0)))" + (item.doneBy.flatMap { names[$0] }.map { " by \($0)" } ?? "") },
                      note: item.note, overdue: item.doneAt == nil && item.dueOn < today)
            },
            manages: viewer.policy.managesInduction(atSchool: plan.schoolId), notice: req.takeNotice()))
    }

    struct CompleteForm: Content { var note: String? }

    func complete(req: Request) async throws -> Response {
        let (plan, viewer) = try await context(req)
        try req.require(viewer.policy.managesInduction(atSchool: plan.schoolId))
        guard let item = try await InductionQueries(db: req.db).items(of: [plan.id!]).first(where: { $0.id == req.parameters.get("itemId") }) else {
            throw LodestarError.notFound
        }
        let note = (try req.content.decode(CompleteForm.self).note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        try await InductionQueries(db: req.db).complete(item, note: String(note.prefix(2_000)), by: viewer.id)
        req.leaveNotice("“\(item.title)” is done.")
        return req.redirect(to: "/induction/\(plan.id!)")
    }
}
