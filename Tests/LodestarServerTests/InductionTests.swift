import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// Induction at school-1, on both databases.
@Suite("Induction")
struct InductionTests {
    @Test(arguments: TestDatabase.all)
    func aPlanFromTheTemplatePlansItsVisitsAndItemsAndShowsWhatIsDueAndWhoStayed(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let principal = try await LeadershipTests.client(app, people.email(.principal))
            let sql = app.db.sql
            let year = SchoolYear.current()

            // The demo: last year's cohort of two, one still on the roster; the 60-day check-in of one plan is overdue.
            let index = LeadershipTests.text(try await principal.page("/induction"))
            let cohort = try await sql.raw("""
                SELECT p.teacher_id, (SELECT COUNT(*) FROM role_grants g WHERE g.staff_id = p.teacher_id AND g.school_id = 'school-1' AND g.role = 'teacher') AS teaches
                FROM induction_plans p WHERE p.school_id = 'school-1' AND p.starts_on >= \(bind: "\(year - 1)-08-01") AND p.starts_on < \(bind: "\(year)-08-01")
                """).all().map { try $0.decode(column: "teaches", as: Int.self) > 0 }
            let stayed = cohort.filter { $0 }.count
            #expect(cohort.count >= 2 && stayed < cohort.count, "the demo's cohort of last year, one of whom left")
            #expect(index.contains("\(SchoolYear.label(year - 1)): \(cohort.count) new teachers inducted; \(stayed) still \(stayed == 1 ? "teaches" : "teach") here (\(Int((Double(stayed) * 100 / Double(cohort.count)).rounded()))%)"))
            #expect(LeadershipTests.text(try await principal.page("/")).contains("1 induction check-in or session is due within a week or overdue for your new teachers."))

            // A plan for a teacher without one, starting today, mentored by the featured teacher.
            let newTeacher = try #require(try await sql.raw("""
                SELECT g.staff_id FROM role_grants g WHERE g.role = 'teacher' AND g.school_id = 'school-1' AND g.staff_id <> \(bind: people.teacherId)
                AND g.staff_id NOT IN (SELECT teacher_id FROM induction_plans) ORDER BY g.staff_id LIMIT 1
                """).first()).decode(column: "staff_id", as: String.self)
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "America/New_York")!
            let today = calendar.startOfDay(for: Date())
            func day(_ n: Int) -> Date { calendar.date(byAdding: .day, value: n, to: today)! }
            let iso = { (date: Date) in
                let parts = calendar.dateComponents([.year, .month, .day], from: date)
                return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
            }
            let made = try await principal.post("/induction", form: ["school": "school-1", "teacherId": newTeacher, "mentorId": people.teacherId, "startsOn": iso(today)])
            #expect(made.status == .seeOther)
            let plan = String(try #require(made.headers.first(name: .location)?.split(separator: "/").last))
            // Visits every 14 days to day 90, at 10:00 school time, announced; check-ins at 30, 60, 90; sessions by 7, 30, 45.
            let visits = try await sql.raw("SELECT scheduled_for FROM scheduled_visits WHERE teacher_id = \(bind: newTeacher) AND note LIKE 'Induction visit%' ORDER BY scheduled_for")
                .all().map { try $0.decode(column: "scheduled_for", as: Int.self) }
            #expect(visits == [14, 28, 42, 56, 70, 84].map { Int(calendar.date(byAdding: .hour, value: 10, to: day($0))!.timeIntervalSince1970) })
            let items = try await sql.raw("SELECT title, due_on FROM induction_items WHERE plan_id = \(bind: plan) ORDER BY due_on, title").all()
                .map { "\(try $0.decode(column: "due_on", as: String.self)) \(try $0.decode(column: "title", as: String.self))" }
            #expect(items == ["\(iso(day(7))) New-teacher orientation", "\(iso(day(30))) Check-in at 30 days", "\(iso(day(30))) Our instructional framework, practice by practice",
                              "\(iso(day(45))) Formative assessment in Lodestar", "\(iso(day(60))) Check-in at 60 days", "\(iso(day(90))) Check-in at 90 days"])
            #expect(try await principal.post("/induction", form: ["school": "school-1", "teacherId": newTeacher, "mentorId": "", "startsOn": iso(today)]).status == .unprocessableEntity,
                    "the same plan twice")

            // The new teacher and the mentor see the plan, and the teacher sees the first visit coming on Today.
            let email = try #require(try await sql.raw("SELECT email FROM staff WHERE id = \(bind: newTeacher)").first()).decode(column: "email", as: String.self)
            let teacher = try await LeadershipTests.client(app, email)
            #expect(try await teacher.get("/induction/\(plan)").status == .ok)
            #expect(LeadershipTests.text(try await teacher.page("/")).contains("Induction visit, day 14"))
            #expect(try await LeadershipTests.client(app, people.teacherEmail).get("/induction/\(plan)").status == .ok)
            // Nobody else but the school's administrators and the district.
            #expect(try await LeadershipTests.client(app, people.email(.coach)).get("/induction/\(plan)").status == .forbidden)
            #expect(try await LeadershipTests.client(app, people.email(.teacherLeader)).get("/induction/\(plan)").status == .forbidden)
            let otherPrincipal = try #require(district.accounts.first { $0.grants.contains(RoleGrant(role: .principal, schoolId: "school-2")) })
            #expect(try await LeadershipTests.client(app, otherPrincipal.email).get("/induction/\(plan)").status == .forbidden)

            // Only the school's leaders mark an item done.
            let item = try #require(try await sql.raw("SELECT id FROM induction_items WHERE plan_id = \(bind: plan) ORDER BY due_on LIMIT 1").first()).decode(column: "id", as: String.self)
            #expect(try await teacher.post("/induction/\(plan)/items/\(item)", form: ["note": "x"]).status == .forbidden)
            #expect(try await principal.post("/induction/\(plan)/items/\(item)", form: ["note": "Oriented; met the grade team."]).status == .seeOther)
            let done = try #require(try await sql.raw("SELECT done_by, note FROM induction_items WHERE id = \(bind: item)").first())
            #expect(try done.decode(column: "done_by", as: String?.self) != nil && done.decode(column: "note", as: String.self) == "Oriented; met the grade team.")
        }
    }

    /// Who is new comes from the roster: a teacher a later import puts at a school for the first time arrived on their
    /// first class's begin date (or the import's day); the district's first roster makes no one new. The principal is
    /// asked for their plans on Today and on the induction page until one is started.
    @Test(arguments: TestDatabase.all)
    func teachersNewToTheSchoolAreFoundFromTheRosterAndAskedForAPlan(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970)), yearStart = DisplayTime.schoolYearStart(of: today)
            func arrivals() async throws -> [String] {
                try await sql.raw("SELECT id, staff_id, school_id, arrived_on FROM staff_arrivals ORDER BY arrived_on, staff_id").all().map {
                    "\(try $0.decode(column: "id", as: String.self).hasPrefix("demo-") ? "demo" : "import"): \(try $0.decode(column: "staff_id", as: String.self)) at \(try $0.decode(column: "school_id", as: String.self)) on \(try $0.decode(column: "arrived_on", as: String.self))"
                }
            }
            let demo = try await arrivals()
            #expect(demo.count == 4 && demo.allSatisfy { $0.hasPrefix("demo: ") }, "the first roster made no arrivals; the demo recorded its four: \(demo)")

            // The next roster: two teachers join school-1, one teaching a class from a day this year, one without a date.
            let begun = max(yearStart, DisplayTime.isoDay(today, plus: -10))
            let classId = try #require(district.bundle.classes.first { $0.schoolSourcedId == "school-1" }).sourcedId
            var bundle = district.bundle
            bundle.users.append(RosterUser(sourcedId: "new-teacher-a", orgSourcedIds: ["school-1"], role: "teacher", username: "anewcomb", givenName: "Ada", familyName: "Newcomb", email: "ada.newcomb@cedarvalley.example.org"))
            bundle.users.append(RosterUser(sourcedId: "new-teacher-b", orgSourcedIds: ["school-1"], role: "teacher", username: "barriving", givenName: "Ben", familyName: "Arriving", email: "ben.arriving@cedarvalley.example.org"))
            bundle.enrollments.append(RosterEnrollment(sourcedId: "enr-new-a", classSourcedId: classId, schoolSourcedId: "school-1", userSourcedId: "new-teacher-a", role: "teacher", beginDate: begun))
            bundle.enrollments.append(RosterEnrollment(sourcedId: "enr-new-b", classSourcedId: classId, schoolSourcedId: "school-1", userSourcedId: "new-teacher-b", role: "teacher"))
            _ = try await RosterWriter.write(bundle, to: app.db)
            #expect(Set(try await arrivals()) == Set(demo + ["import: new-teacher-a at school-1 on \(begun)", "import: new-teacher-b at school-1 on \(today)"]))
            _ = try await RosterWriter.write(bundle, to: app.db)
            #expect(try await arrivals().count == 6, "the same roster again adds no one")

            // Whom the principal is asked about: arrived this school year, teaching there, no plan there this year — from the rows.
            let expected = Set(try await sql.raw("""
                SELECT a.staff_id FROM staff_arrivals a JOIN role_grants g ON g.staff_id = a.staff_id AND g.school_id = a.school_id AND g.role = 'teacher'
                WHERE a.school_id = 'school-1' AND a.arrived_on >= \(bind: yearStart)
                AND NOT EXISTS (SELECT 1 FROM induction_plans p WHERE p.teacher_id = a.staff_id AND p.school_id = a.school_id AND p.starts_on >= \(bind: yearStart))
                """).all().map { try $0.decode(column: "staff_id", as: String.self) })
            #expect(expected.isSuperset(of: ["new-teacher-a", "new-teacher-b"]))
            let principal = try await LeadershipTests.client(app, people.email(.principal))
            func asked() async throws -> Set<String> {
                Set(try await principal.page("/induction").matches(of: /data-newcomer="([^"]+)"/).map { String($0.1) })
            }
            #expect(try await asked() == expected)
            #expect(LeadershipTests.text(try await principal.page("/")).contains("\(expected.count) teachers new to your school this year have no induction plan yet."))

            // Starting a plan from the list takes the arrival day; the teacher is no longer asked about.
            let started = try await principal.post("/induction", form: ["school": "school-1", "teacherId": "new-teacher-a", "mentorId": "", "startsOn": begun])
            #expect(started.status == .seeOther)
            #expect(try await sql.raw("SELECT starts_on FROM induction_plans WHERE teacher_id = 'new-teacher-a'").first()?.decode(column: "starts_on", as: String.self) == begun)
            #expect(try await asked() == expected.subtracting(["new-teacher-a"]))
            // A teacher is not asked about anyone (the page is the managers' and each plan's own people's).
            let teacher = try await LeadershipTests.client(app, people.teacherEmail)
            #expect(try await teacher.get("/induction").body.string.contains("data-newcomer") == false)
        }
    }
}
