import Fluent
import LodestarCore
import Vapor

/// The first page after sign-in: for each role the person holds, what is there and what to do next.
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
    }

    struct HomePage: Encodable {
        struct Step: Encodable { let text: String; let href: String; let action: String }
        let page: PageContext
        let firstName: String
        let roleSummary: String
        let hasRoles: Bool
        let district: District?
        let schools: [RosterQueries.SchoolSummary]
        let classes: [RosterQueries.ClassRow]
        let isTeacher: Bool
        let nextSteps: [Step]
        /// Notifications not yet opened, newest first: what is new since the last visit, for every role.
        let news: [News]
        let moreNews: Int
        struct News: Encodable { let id: String; let title: String; let when: String }
        /// Library resources shared with this person in the last 60 days.
        let shared: [Shared]
        struct Shared: Encodable { let href: String; let title: String; let from: String; let when: String; let note: String }
    }

    /// District counts, formatted for reading ("1,196").
    struct District: Encodable {
        let schools: String
        let students: String
        let staff: String
        let classes: String
    }

    func home(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let policy = viewer.policy
        let queries = RosterQueries(req.db)
        var steps: [HomePage.Step] = []

        var district: District?
        if policy.seesWholeDistrict {
            let counts = try await queries.districtCounts()
            district = District(schools: counts.schools.formatted(), students: counts.students.formatted(),
                                staff: counts.staff.formatted(), classes: counts.classes.formatted())
            if counts.schools == 0 {
                steps.append(.init(text: "No schools are in Lodestar yet. Import the OneRoster export from your student information system to bring in schools, classes, teachers and students.",
                                   href: policy.canAdministerDistrict ? "/admin/import" : "", action: policy.canAdministerDistrict ? "Import a roster" : ""))
            }
        }
        let leadSchools = policy.schoolsLed
        let schools = try await queries.schools(limitedTo: policy.seesWholeDistrict ? nil : leadSchools)
        if policy.canAdministerDistrict {
            let withoutPrincipal = try await queries.schoolsWithoutPrincipal()
            if !withoutPrincipal.isEmpty {
                let names = withoutPrincipal.prefix(3).joined(separator: ", ") + (withoutPrincipal.count > 3 ? " and \(withoutPrincipal.count - 3) more" : "")
                steps.append(.init(text: "\(names) \(withoutPrincipal.count == 1 ? "has" : "have") no principal in Lodestar yet. Give principals, assistant principals and coaches their roles so they can open their school's roster.",
                                   href: "/admin/people", action: "Manage people and roles"))
            }
        }
        for school in schools where !policy.seesWholeDistrict && school.students == 0 {
            steps.append(.init(text: "\(school.name) has no students in Lodestar yet. Your district admin imports them from the student information system.", href: "", action: ""))
        }
        if !leadSchools.isEmpty, let school = schools.first, school.students > 0 {
            steps.append(.init(text: "Know your school: browse \(school.name)'s students by grade and program.", href: "/schools/\(school.id)", action: "Open the roster"))
        }
        let walkthroughs = WalkthroughQueries(db: req.db)
        let observes = policy.observesTeachers
        if observes {
            let drafts = try await walkthroughs.unsharedCount(observer: viewer.id)
            if drafts > 0 {
                steps.append(.init(text: "\(drafts) of your walkthroughs \(drafts == 1 ? "has" : "have") feedback not yet shared. Feedback within a day is the feedback teachers use.",
                                   href: "/walkthroughs", action: "Share feedback"))
            }
            steps.append(.init(text: "Be in classrooms today: a walkthrough takes five minutes and works offline on your phone.",
                               href: "/walkthroughs/new", action: "Start a walkthrough"))
            for school in policy.administeredSchools.sorted() {
                let notVisited = try await walkthroughs.teachersNotVisited(inSchool: school, days: 30)
                if notVisited > 0 {
                    steps.append(.init(text: WeeklySummary.notVisitedSentence(notVisited),
                                       href: "/walkthroughs/coverage?school=\(school.urlQueryEncoded)", action: "See coverage"))
                }
            }
        }
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        if policy.tracksOwnTime {
            let monday = DisplayTime.monday(of: today), lastMonday = DisplayTime.isoDay(monday, plus: -7)
            let lastWeek = try await TimeQueries(db: req.db).ledgers(leaders: [viewer.id], from: DisplayTime.startOfDay(lastMonday),
                                                                     to: DisplayTime.startOfDay(monday))[viewer.id]
            if let share = lastWeek?.instructionalShare {
                let target = try await TimeQueries(db: req.db).target(of: viewer.id)
                steps.append(.init(text: WeeklySummary.timeSentence(share: share, target: target),
                                   href: "/time/\(viewer.id.urlQueryEncoded)?week=\(lastMonday)", action: "See your week"))
            }
        }
        let (overdue, goal) = try await GoalsQueries(db: req.db).overdueSteps(ownedBy: viewer.id, before: today)
        if let first = overdue.first, let goal {
            steps.append(.init(text: overdue.count == 1 ? "Your action step “\(first.text)” was due \(DisplayTime.date(first.dueOn))." : "\(overdue.count) action steps you own are past due, the first “\(first.text)”.",
                               href: "/goals/\(goal.scope.urlQueryEncoded)/\(goal.id!.urlQueryEncoded)#plan", action: "Check in"))
        }
        let learning = LearningQueries(db: req.db)
        for school in policy.schoolIds.sorted() where policy.canPlanLearning(forSchool: school) {
            let unplanned = try await learning.needsWithoutSession(scope: school)
            if unplanned > 0 {
                steps.append(.init(text: "\(unplanned) accepted professional learning \(unplanned == 1 ? "need has" : "needs have") no session planned yet.",
                                   href: "/learning?scope=\(school.urlQueryEncoded)", action: "Plan learning"))
            }
        }
        for session in try await learning.upcomingSessions(scopes: policy.schoolIds.sorted() + [LearningScope.district]).prefix(2) {
            steps.append(.init(text: "Professional learning \(DisplayTime.dateTime(session.startsAt)): \(session.title).",
                               href: "/learning/sessions/\(session.id!.urlQueryEncoded)", action: "See the session"))
        }
        let isTeacher = policy.isTeacher
        if isTeacher, try await !learning.hasGrowthGoal(teacher: viewer.id) {
            steps.append(.init(text: "Choose a practice you want to grow in this year: your growth goal gathers the feedback and learning toward it.",
                               href: "/growth", action: "Set a growth goal"))
        }
        if isTeacher {
            for visit in try await walkthroughs.upcomingVisits(.forTeacher(viewer.id)).prefix(3) {
                steps.append(.init(text: "\(visit.observerName) plans a \(VisitType(rawValue: visit.visitType)?.label.lowercased() ?? "visit") \(DisplayTime.dateTime(visit.scheduledFor))\(visit.note.isEmpty ? "." : ": \(visit.note)")",
                                   href: "/feedback", action: "See planned visits"))
            }
            let unread = try await walkthroughs.unreadCount(teacher: viewer.id)
            if unread > 0 {
                steps.append(.init(text: "You have \(unread) new feedback \(unread == 1 ? "note" : "notes") from classroom visits. A short reflection back helps the conversation.",
                                   href: "/feedback", action: "Read feedback"))
            }
        }
        let inducting = policy.administeredSchools.sorted()
        if !inducting.isEmpty {
            let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
            let newcomers = try await InductionQueries(db: req.db).newWithoutPlan(atSchools: inducting, today: today).count
            if newcomers > 0 {
                steps.append(.init(text: "\(newcomers) \(newcomers == 1 ? "teacher new to your school this year has" : "teachers new to your school this year have") no induction plan yet.",
                                   href: "/induction", action: "Start their plans"))
            }
            let due = try await InductionQueries(db: req.db).due(atSchools: inducting, throughDay: DisplayTime.isoDay(today, plus: 7))
            if !due.isEmpty {
                steps.append(.init(text: "\(due.count) induction \(due.count == 1 ? "check-in or session is" : "check-ins and sessions are") due within a week or overdue for your new teachers.",
                                   href: "/induction", action: "Open induction"))
            }
        }
        let hiring = try await HiringQueries(db: req.db).waiting(forMember: viewer.id)
        if hiring.openings > 0 {
            steps.append(.init(text: "You sit on the hiring committee for \(hiring.openings) open \(hiring.openings == 1 ? "position" : "positions"); \(hiring.candidates) \(hiring.candidates == 1 ? "candidate waits" : "candidates wait") for your ratings.",
                               href: "/hiring", action: "Rate candidates"))
        }
        let classes = isTeacher ? try await queries.classes(taughtBy: viewer.id) : []
        if isTeacher && classes.isEmpty {
            steps.append(.init(text: "You have no classes in Lodestar yet. Classes arrive with the district's roster import; if yours are missing, tell your district admin.", href: "", action: ""))
        }
        let news = try await NotificationQueries(db: req.db).unread(of: viewer.id, limit: 5).map {
            HomePage.News(id: $0.id!, title: $0.title, when: DisplayTime.dateTime($0.createdAt))
        }
        let recent = Int(Date().timeIntervalSince1970) - 60 * 86_400
        let sharedRows = try await LibraryQueries(db: req.db).sharedWith(viewer.id, limit: 5).filter { $0.share.sharedAt >= recent }
        let sharers = try await Staff.names(of: sharedRows.map(\.share.fromId), on: req.db)
        return try await req.view.render("home/home", HomePage(
            page: PageContext(request: req, title: "Today"), firstName: viewer.staff.givenName,
            roleSummary: policy.roleSummary, hasRoles: policy.hasAnyRole, district: district,
            schools: policy.seesWholeDistrict ? [] : schools, classes: classes, isTeacher: isTeacher, nextSteps: steps,
            news: news, moreNews: max(0, viewer.unreadNotifications - news.count),
            shared: sharedRows.map { row in
                .init(href: "/library/\(row.item.id!)", title: row.item.title, from: sharers[row.share.fromId] ?? "Former staff member",
                      when: DisplayTime.date(DisplayTime.isoDay(row.share.sharedAt)), note: row.share.note)
            }))
    }
}
