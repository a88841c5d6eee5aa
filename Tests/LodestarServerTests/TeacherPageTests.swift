import Fluent
import Foundation
import LodestarCore
import Testing
import VaporTesting
@testable import LodestarServer

/// The page per teacher, the top-bar search, and the links that open a filtered list of walkthroughs.
@Suite("Teacher pages and search")
struct TeacherPageTests {
    struct Fixture {
        let district: DemoDistrict
        let people: DemoPeople
        let teacherId: String
        let teacherClass: (id: String, title: String)
        /// A teacher at the same school, and one at another school.
        let colleagueId: String
        let otherSchoolTeacher: String

        init(_ district: DemoDistrict) {
            self.district = district
            let people = DemoPeople(district: district), teacher = people.teacherId
            self.people = people
            teacherId = teacher
            let classId = district.bundle.enrollments.first { $0.userSourcedId == teacher && $0.role == "teacher" }!.classSourcedId
            teacherClass = (classId, district.bundle.classes.first { $0.sourcedId == classId }!.title)
            colleagueId = district.bundle.users.first { $0.role == "teacher" && $0.orgSourcedIds == ["school-1"] && $0.sourcedId != teacher }!.sourcedId
            otherSchoolTeacher = district.bundle.users.first { $0.role == "teacher" && $0.orgSourcedIds == ["school-2"] }!.sourcedId
        }

        func staffId(_ role: StaffRole) -> String { district.accounts.first { $0.email == people.email(role) }!.sourcedId! }
    }

    func withDemo(_ database: TestDatabase, _ test: (Application, Fixture) async throws -> Void) async throws {
        try await withLodestar(database) { app in
            try await test(app, Fixture(try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)))
        }
    }

    func visit(_ teacher: String, share: Bool, glow: String, hoursAgo: Double = 2) -> WalkthroughSubmission {
        WalkthroughSubmission(id: UUID().uuidString.lowercased(), teacherId: teacher, observedAt: Date().timeIntervalSince1970 - hoursAgo * 3_600,
                              marks: [.init(indicator: "checks-for-understanding", mark: "observed", lookFors: [])],
                              glow: glow, grow: "Ask every student before moving on.", share: share)
    }

    func client(_ app: Application, _ email: String) async throws -> TestClient {
        let client = TestClient(app)
        try await client.signIn(email)
        return client
    }

    @Test(arguments: TestDatabase.all)
    func eachPartOfATeachersPageShowsToThoseItsRuleAdmits(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let principal = try await client(app, f.people.email(.principal))
            #expect(try await principal.send(.POST, "/api/walkthroughs", json: visit(f.teacherId, share: true, glow: "Exit tickets sorted by the door.")).status == .created)
            #expect(try await principal.send(.POST, "/api/walkthroughs", json: visit(f.teacherId, share: false, glow: "A draft.", hoursAgo: 1)).status == .created)
            let goal = GrowthGoal()
            goal.id = "goal-1"; goal.teacherId = f.teacherId; goal.statement = "Every lesson ends with an exit ticket I read that day."
            goal.indicators = "checks-for-understanding"; goal.setAt = Int(Date().timeIntervalSince1970) - 86_400
            try await goal.create(on: app.db)
            let path = "/teachers/\(f.teacherId)"

            // The principal: classes, both visits with where their feedback stands, the loop, coaching, the growth goal.
            let seen = try await principal.page(path)
            #expect(seen.contains("/classes/\(f.teacherClass.id)\">\(f.teacherClass.title)</a>"))
            #expect(seen.contains("Visits <span class=\"count\">2</span>"))
            #expect(seen.contains("Draft — not shared") && seen.contains("Shared, not yet read"))
            #expect(seen.contains("<span class=\"stat-label\">Feedback shared</span> <strong>1</strong>"))
            #expect(seen.contains("id=\"coaching-heading\""))
            #expect(seen.contains("Every lesson ends with an exit ticket I read that day."))

            // The teacher: only the shared visit, never the draft; their own growth goal.
            let teacher = try await client(app, f.people.teacherEmail)
            let own = try await teacher.page(path)
            #expect(own.contains("Feedback on your teaching <span class=\"count\">1</span>"))
            #expect(!own.contains("Draft — not shared"))
            #expect(own.contains("Every lesson ends with an exit ticket I read that day."))
            // …and no colleague's page.
            #expect(try await teacher.get("/teachers/\(f.colleagueId)").status == .forbidden)

            // A district leader reads the visits but not the growth goal (the teacher's, their coach's and principal's).
            let leader = try await client(app, f.people.email(.districtLeader))
            let district = try await leader.page(path)
            #expect(district.contains("Visits <span class=\"count\">2</span>"))
            #expect(!district.contains("id=\"growth-heading\"") && !district.contains("exit ticket I read"))

            // A coach without the teacher on their caseload: the classes, their own visits only, no coaching record or goal.
            let coach = try await client(app, f.people.email(.coach))
            let notMine = try await coach.page(path)
            #expect(notMine.contains(f.teacherClass.title))
            #expect(notMine.contains("You have not visited"))
            #expect(!notMine.contains("id=\"coaching-heading\"") && !notMine.contains("Draft — not shared") && !notMine.contains("exit ticket I read"))
            // On the caseload: coaching, visits and the goal.
            let entry = CaseloadEntry()
            entry.id = "coach|teacher"; entry.coachId = f.staffId(.coach); entry.teacherId = f.teacherId
            try await entry.create(on: app.db)
            let mine = try await coach.page(path)
            #expect(mine.contains("id=\"coaching-heading\"") && mine.contains("Draft — not shared") && mine.contains("exit ticket I read"))

            // Another school's teacher is not the principal's to open; a non-teacher id is not a teacher page.
            #expect(try await principal.get("/teachers/\(f.otherSchoolTeacher)").status == .forbidden)
            #expect(try await principal.get("/teachers/\(f.staffId(.coach))").status == .notFound)
            #expect(try await leader.get("/teachers/\(f.otherSchoolTeacher)").status == .ok)

            // Teacher names lead to the page: the visits list, the walkthrough, the roster.
            #expect(try await principal.page("/walkthroughs").contains("href=\"/teachers/\(f.teacherId)\""))
            #expect(try await principal.page("/schools/school-1?tab=teachers").contains("href=\"/teachers/\(f.teacherId)\""))
            let walkthrough = try #require(try await Walkthrough.query(on: app.db).filter(\.$sharedAt != nil).first())
            #expect(try await principal.page("/walkthroughs/\(walkthrough.id!)").contains("href=\"/teachers/\(f.teacherId)\""))
            #expect(try await teacher.page("/walkthroughs/\(walkthrough.id!)").contains("href=\"/teachers/\(f.teacherId)\""))
        }
    }

    @Test(arguments: TestDatabase.all)
    func searchFindsOnlyWhatTheViewerMayOpen(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let teacherUser = try #require(f.district.bundle.users.first { $0.sourcedId == f.teacherId })
            let ownStudentId = try #require(f.district.bundle.enrollments.first { $0.classSourcedId == f.teacherClass.id && $0.role == "student" }?.userSourcedId)
            let ownStudent = try #require(try await Student.find(ownStudentId, on: app.db))
            let otherSchoolStudent = try #require(try await Student.query(on: app.db).filter(\.$schoolId == "school-2").sort(\.$id).first())
            func search(_ client: TestClient, _ text: String) async throws -> String {
                try await client.page("/search?q=" + text.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            }

            // The principal finds the teacher (to their page), a class, a student of the school, not another school's student.
            let principal = try await client(app, f.people.email(.principal))
            let byName = try await search(principal, "\(teacherUser.givenName) \(teacherUser.familyName)")
            #expect(byName.contains("href=\"/teachers/\(f.teacherId)\""))
            #expect(try await search(principal, f.teacherClass.title).contains("href=\"/classes/\(f.teacherClass.id)\""))
            #expect(try await search(principal, ownStudent.identifier).contains("href=\"/students/\(ownStudentId)\""))
            #expect(!(try await search(principal, otherSchoolStudent.identifier).contains("href=\"/students/\(otherSchoolStudent.id!)\"")))
            #expect(!(try await search(principal, otherSchoolStudent.identifier).contains("/teachers/\(f.otherSchoolTeacher)")))

            // A district leader finds any school's student.
            let leader = try await client(app, f.people.email(.districtLeader))
            #expect(try await search(leader, otherSchoolStudent.identifier).contains("href=\"/students/\(otherSchoolStudent.id!)\""))

            // A teacher finds their own students but no colleague's page and no student outside their classes.
            let teacher = try await client(app, f.people.teacherEmail)
            #expect(try await search(teacher, ownStudent.identifier).contains("href=\"/students/\(ownStudentId)\""))
            let colleague = try #require(f.district.bundle.users.first { $0.sourcedId == f.colleagueId })
            #expect(!(try await search(teacher, colleague.familyName).contains("/teachers/\(f.colleagueId)")))
            let taught = RosterQueriesProbe.taughtBy(f.district, teacher: f.teacherId)
            let sameSchoolOther = try #require(try await Student.query(on: app.db).filter(\.$schoolId == "school-1").all().first { !taught.contains($0.id!) })
            #expect(!(try await search(teacher, sameSchoolOther.identifier).contains("/students/\(sameSchoolOther.id!)")))

            // Standards for everyone, by code.
            try await loadSampleMathStandards(app)
            let standard = try #require(try await Standard.query(on: app.db).filter(\.$code != "").sort(\.$code).first())
            #expect(try await search(teacher, standard.code).contains("href=\"/standards/\(standard.id!)\""))

            // Too short, too long, or only wildcards: a message and nothing listed.
            #expect(try await search(principal, "a").contains("Type at least 2 letters"))
            #expect(try await search(principal, String(repeating: "x", count: 101)).contains("at most 100 characters"))
            let wildcards = try await search(principal, "%%_")
            #expect(wildcards.contains("Type at least 2 letters") && !wildcards.contains("href=\"/students/"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func aPracticeGoalOpensTheWalkthroughsThatLookedForIt(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let principal = try await client(app, f.people.email(.principal))
            // Ten visits this month that looked for discourse and did not see it: a need the evidence proposes.
            var ids: [String] = []
            for hour in 1...10 {
                var rare = visit(f.teacherId, share: true, glow: "Whiteboards up.", hoursAgo: Double(hour))
                rare.marks.append(.init(indicator: "discourse", mark: "not_observed", lookFors: []))
                ids.append(rare.id)
                #expect(try await principal.send(.POST, "/api/walkthroughs", json: rare).status == .created)
            }
            let deadline = DisplayTime.isoDay(DisplayTime.isoDay(Int(Date().timeIntervalSince1970)), plus: 120)
            #expect(try await principal.post("/goals/school-1", form: [
                "statement": "Half of all visits see checks for understanding", "ownerId": f.staffId(.principal), "kind": "indicator_observed",
                "indicatorKey": "checks-for-understanding", "target": "50", "deadline": deadline]).status == .seeOther)
            let goal = try #require(try await SmartGoal.query(on: app.db).first())
            let path = "/goals/school-1/\(goal.id!)"
            let months = "from=\(goal.startsOn.prefix(7))&amp;through=\(DisplayTime.isoDay(Int(Date().timeIntervalSince1970)).prefix(7))"

            // The principal opens the walkthroughs themselves, narrowed to the practice, the school and the goal's months…
            let visits = "/insights/practice/visits?school=school-1&amp;\(months)&amp;indicator=checks-for-understanding"
            #expect(try await principal.page(path).contains("href=\"\(visits)\""))
            let list = try await principal.page(visits.replacingOccurrences(of: "&amp;", with: "&"))
            #expect(ids.allSatisfy { list.contains("href=\"/walkthroughs/\($0)\"") } && list.contains("href=\"/teachers/\(f.teacherId)\""))
            // …a coach the practice trend (not single walkthroughs), a teacher their own walkthroughs of it.
            let coach = try await client(app, f.people.email(.coach))
            let coachView = try await coach.page(path)
            #expect(coachView.contains("href=\"/insights/practice?school=school-1&amp;\(months)\"") && !coachView.contains("/insights/practice/visits"))
            let teacher = try await client(app, f.people.teacherEmail)
            #expect(try await teacher.page(path).contains("href=\"/walkthroughs?practice=checks-for-understanding&amp;from=\(goal.startsOn)\""))

            // The need the evidence proposes for a rarely seen practice opens the same list for the principal.
            let hub = try await principal.page("/learning?scope=school-1")
            #expect(hub.contains("/insights/practice/visits?school=school-1&amp;from=") && hub.contains("&amp;indicator=discourse\""))
            // The coach plans learning too, and is sent to the heatmap instead.
            let coachHub = try await coach.page("/learning?scope=school-1")
            #expect(coachHub.contains("href=\"/insights/practice?school=school-1&amp;from=") && !coachHub.contains("/insights/practice/visits"))
        }
    }
}

/// Which students a teacher teaches, from the demo's own roster (not from Lodestar's queries).
enum RosterQueriesProbe {
    static func taughtBy(_ district: DemoDistrict, teacher: String) -> Set<String> {
        let classes = Set(district.bundle.enrollments.filter { $0.userSourcedId == teacher && $0.role == "teacher" }.map(\.classSourcedId))
        return Set(district.bundle.enrollments.filter { classes.contains($0.classSourcedId) && $0.role == "student" }.map(\.userSourcedId))
    }
}

/// Every link a page shows leads somewhere the person may go: following the links from Today, as each role
/// with partial access (teacher, teacher leader, coach), never ends on a refusal or a missing page.
@Suite("Links lead somewhere")
struct LinksLeadSomewhereTests {
    @Test func noLinkSendsAPersonToARefusal() async throws {
        try await withLodestar(.sqlite) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, through: DisplayTime.date(fromISODay: "2026-12-10", time: "17:00")!, on: app.db)
            let people = DemoPeople(district: district)
            for email in [people.teacherEmail, people.email(.teacherLeader), people.email(.coach)] {
                let client = TestClient(app)
                try await client.signIn(email)
                var queue = ["/"], seen: Set<String> = [], refused: [String] = []
                while let path = queue.first, seen.count < 220 {
                    queue.removeFirst()
                    guard seen.insert(path).inserted else { continue }
                    let response = try await client.get(path)
                    guard response.status == .ok || response.status == .seeOther else {
                        refused.append("\(path) → \(response.status.code)")
                        continue
                    }
                    guard response.headers.contentType?.subType == "html" else { continue }
                    for match in response.body.string.matches(of: /href="(\/[^"#]*)"/) {
                        let link = String(match.1).replacingOccurrences(of: "&amp;", with: "&")
                        if link.contains("signout") || link.contains(/\.(csv|zip|ics|json|svg|css|js)(\?|$)/) { continue }
                        if !seen.contains(link) { queue.append(link) }
                    }
                }
                #expect(refused.isEmpty, "\(email): \(refused.prefix(5).joined(separator: ", "))")
                #expect(seen.count > 40, "\(email) reached only \(seen.count) pages")
            }
        }
    }
}
