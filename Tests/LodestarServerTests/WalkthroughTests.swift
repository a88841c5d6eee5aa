import Fluent
import Foundation
import LodestarCore
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Walkthroughs")
struct WalkthroughTests {
    /// Walkthroughs are inserted by SQLKit with their columns named, not by Fluent: every field of the model is among them.
    @Test func aWalkthroughIsInsertedWithEveryColumnOfItsModel() {
        #expect(WalkthroughStore.columns.sorted() == Walkthrough.keys.map(\.description).sorted())
    }

    /// The small demo, with ids worth trying.
    struct Fixture {
        let people: DemoPeople
        let teacherId: String
        let teacherClass: String
        let otherSchoolTeacher: String

        init(_ district: DemoDistrict) {
            let people = DemoPeople(district: district)
            let teacher = people.teacherId
            self.people = people
            teacherId = teacher
            teacherClass = district.bundle.enrollments.first { $0.userSourcedId == teacher && $0.role == "teacher" }!.classSourcedId
            otherSchoolTeacher = district.bundle.users.first { $0.role == "teacher" && $0.orgSourcedIds == ["school-2"] }!.sourcedId
        }
    }

    func withDemo(_ database: TestDatabase, _ test: (Application, Fixture) async throws -> Void) async throws {
        try await withLodestar(database) { app in
            try await test(app, Fixture(try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)))
        }
    }

    func submission(teacher: String, classId: String? = nil, id: String = UUID().uuidString.lowercased(),
                    visitType: VisitType = .informal, glow: String = "Students explained the target to each other.") -> WalkthroughSubmission {
        WalkthroughSubmission(id: id, teacherId: teacher, classId: classId, visitType: visitType, observedAt: Date().timeIntervalSince1970 - 900,
                              studentsOnTask: 21, studentsPresent: 23,
                              marks: [.init(indicator: "learning-target", mark: "observed", lookFors: ["Students can say what they are learning when asked"]),
                                      .init(indicator: "discourse", mark: "not_observed")],
                              notes: [.init(at: Date().timeIntervalSince1970 - 800, text: "Target posted by the door.")],
                              glow: glow, grow: "Add a turn-and-talk before whole-class answers.",
                              question: "What did you hear in students' conversations?")
    }

    @discardableResult
    func post(_ submission: WalkthroughSubmission, as client: TestClient) async throws -> TestingHTTPResponse {
        try await client.send(.POST, "/api/walkthroughs", json: submission)
    }

    @Test(arguments: TestDatabase.all)
    func sameWalkthroughSentTwiceIsSavedOnce(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            let walkthrough = submission(teacher: f.teacherId, classId: f.teacherClass)
            #expect(try await post(walkthrough, as: principal).status == .created)
            let again = try await post(walkthrough, as: principal)
            #expect(again.status == .ok)
            #expect(again.body.string.contains("already_saved"))
            #expect(try await Walkthrough.query(on: app.db).count() == 1)
            #expect(try await IndicatorMark.query(on: app.db).count() == 2)
            let saved = try #require(try await Walkthrough.find(walkthrough.id, on: app.db))
            #expect(saved.schoolId == "school-1")
            #expect(saved.sharedAt != nil)
            #expect(saved.frameworkId == "lodestar-core@1")
        }
    }

    @Test(arguments: TestDatabase.all)
    func invalidWalkthroughIsRefusedWithAReadableJSONError(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            var bad = submission(teacher: f.teacherId)
            bad.marks[0].mark = "brilliant"
            let response = try await post(bad, as: principal)
            #expect(response.status == .unprocessableEntity)
            #expect(response.body.string.contains("marks[0].mark"))
            #expect(response.headers.contentType == .json)
            let wrongClass = try await post(submission(teacher: f.teacherId, classId: "school-2-course-06-0-1"), as: principal)
            #expect(wrongClass.status == .unprocessableEntity)
            #expect(try await Walkthrough.query(on: app.db).count() == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func whoMayVisitWhom(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            #expect(try await post(submission(teacher: f.otherSchoolTeacher), as: principal).status == .forbidden)

            let coach = TestClient(app)
            try await coach.signIn(f.people.email(.coach))
            #expect(try await post(submission(teacher: f.teacherId), as: coach).status == .forbidden)
            let entry = CaseloadEntry()
            entry.id = "coach|teacher"
            entry.coachId = try #require(try await Staff.query(on: app.db).filter(\.$email == f.people.email(.coach)).first()?.id)
            entry.teacherId = f.teacherId
            try await entry.create(on: app.db)
            #expect(try await post(submission(teacher: f.teacherId), as: coach).status == .created)

            let leader = TestClient(app)
            try await leader.signIn(f.people.email(.teacherLeader))
            #expect(try await post(submission(teacher: f.teacherId), as: leader).status == .forbidden)
            #expect(try await post(submission(teacher: f.teacherId, visitType: .peer), as: leader).status == .created)

            // Without the CSRF header the API refuses.
            var result: TestingHTTPResponse!
            try await app.testing().test(.POST, "/api/walkthroughs", beforeRequest: { req in
                req.headers.replaceOrAdd(name: .cookie, value: principal.cookie!)
                try req.content.encode(submission(teacher: f.teacherId), as: .json)
            }, afterResponse: { result = $0 })
            #expect(result.status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func teacherSeesSharedFeedbackRepliesAndObserverSeesTheReply(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            let shared = submission(teacher: f.teacherId, glow: "Shared glow")
            var draft = submission(teacher: f.teacherId, glow: "Draft glow")
            draft.share = false
            try await post(shared, as: principal)
            try await post(draft, as: principal)

            let teacher = TestClient(app)
            try await teacher.signIn(f.people.teacherEmail)
            let inbox = try await teacher.get("/feedback")
            #expect(inbox.body.string.contains("Shared glow"))
            #expect(!inbox.body.string.contains("Draft glow"))
            #expect(try await teacher.get("/walkthroughs/\(draft.id)").status == .notFound)
            #expect(try await teacher.get("/walkthroughs/\(shared.id)").status == .ok)
            #expect(try await Walkthrough.find(shared.id, on: app.db)?.readAt != nil)
            #expect(try await teacher.post("/walkthroughs/\(shared.id)/replies", form: ["body": "I will try the turn-and-talk tomorrow."]).status == .seeOther)
            // A teacher never sees marks turned into a score.
            #expect(!inbox.body.string.contains("%"))

            let page = try await principal.get("/walkthroughs/\(shared.id)")
            #expect(page.body.string.contains("I will try the turn-and-talk tomorrow."))
            let visits = try await principal.get("/walkthroughs")
            // Two visits, one shared, and its teacher replied.
            #expect(visits.body.string.contains("<span class=\"stat-label\">Visits</span> <strong>2</strong>"))
            #expect(visits.body.string.contains("<span class=\"stat-label\">Teachers who replied</span> <strong>100%</strong>"))

            // Sharing the draft later makes it visible.
            #expect(try await principal.post("/walkthroughs/\(draft.id)/share", form: [:]).status == .seeOther)
            #expect(try await teacher.get("/walkthroughs/\(draft.id)").status == .ok)
        }
    }

    @Test(arguments: TestDatabase.all)
    func othersCannotReadATeachersWalkthroughs(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            let walkthrough = submission(teacher: f.teacherId)
            try await post(walkthrough, as: principal)

            let otherTeacher = TestClient(app)
            try await otherTeacher.signIn(f.people.email(.teacherLeader))
            #expect(try await otherTeacher.get("/walkthroughs/\(walkthrough.id)").status == .forbidden)
            #expect(try await otherTeacher.post("/walkthroughs/\(walkthrough.id)/replies", form: ["body": "Hi"]).status == .forbidden)

            let coach = TestClient(app)
            try await coach.signIn(f.people.email(.coach))
            #expect(try await coach.get("/walkthroughs/\(walkthrough.id)").status == .forbidden)

            let ap = TestClient(app)
            try await ap.signIn(f.people.email(.assistantPrincipal))
            #expect(try await ap.get("/walkthroughs/\(walkthrough.id)").status == .ok)
            #expect(try await ap.post("/walkthroughs/\(walkthrough.id)/share", form: [:]).status == .forbidden)

            let otherPrincipal = TestClient(app)
            let otherPrincipalEmail = try #require(f.people.district.accounts.first { $0.grants == [RoleGrant(role: .principal, schoolId: "school-2")] }?.email)
            try await otherPrincipal.signIn(otherPrincipalEmail)
            #expect(try await otherPrincipal.get("/walkthroughs/\(walkthrough.id)").status == .forbidden)

            let leader = TestClient(app)
            try await leader.signIn(f.people.email(.districtLeader))
            #expect(try await leader.get("/walkthroughs/\(walkthrough.id)").status == .ok)
        }
    }

    @Test(arguments: TestDatabase.all)
    func frameworksAreImportedExportedAndVersionedByDistrictAdmins(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            try await post(submission(teacher: f.teacherId), as: principal)
            #expect(try await principal.get("/admin/frameworks").status == .forbidden)
            #expect(try await principal.get("/admin/frameworks/lodestar-core@1/export").status == .forbidden)

            let admin = TestClient(app)
            try await admin.signIn(f.people.email(.districtAdmin))
            let exported = try await admin.get("/admin/frameworks/lodestar-core@1/export")
            #expect(exported.status == .ok)
            #expect(try FrameworkJSON.decode(Array(exported.body.readableBytesView), fileName: "export.json") == .lodestarDefault)

            var edited = Framework.lodestarDefault
            edited.domains[0].indicators[0].shortName = "Learning target is clear"
            let saved = try await admin.post("/admin/frameworks/lodestar-core@1/json", form: ["definition": String(decoding: FrameworkJSON.encode(edited), as: UTF8.self)])
            #expect(saved.status == .seeOther)
            #expect(try await FrameworkStore.active(on: app.db).id == "lodestar-core@2")
            // The earlier walkthrough keeps version 1.
            #expect(try await Walkthrough.query(on: app.db).first()?.frameworkId == "lodestar-core@1")

            let broken = try await admin.post("/admin/frameworks/lodestar-core@2/json", form: ["definition": "{\"format\": \"lodestar-framework-1\"}"])
            #expect(broken.status == .unprocessableEntity)
            #expect(broken.body.string.contains("framework"))
            #expect(try await FrameworkRecord.query(on: app.db).count() == 2)

            // The form editor: rename a practice, add one; a practice without questions is refused by name.
            #expect(try await admin.get("/admin/frameworks/lodestar-core@2/edit").status == .ok)
            var fields = FrameworkForm.fields(of: edited)
            fields["d0_i0_shortName"] = "Shared learning target"
            fields["d0_i2_shortName"] = "Student self-assessment"
            fields["d0_i2_lookFors"] = "Students rate their work against the criteria"
            let missingQuestion = try await admin.post("/admin/frameworks/lodestar-core@2/edit", form: fields)
            #expect(missingQuestion.status == .unprocessableEntity)
            #expect(missingQuestion.body.string.contains("Student self-assessment: at least one reflective question is required"))
            fields["d0_i2_questions"] = "How did students judge their own work today?"
            #expect(try await admin.post("/admin/frameworks/lodestar-core@2/edit", form: fields).status == .seeOther)
            let current = try await FrameworkStore.active(on: app.db)
            #expect(current.id == "lodestar-core@3")
            #expect(current.framework.indicator("learning-target")?.shortName == "Shared learning target")
            #expect(current.framework.indicator("student-self-assessment")?.questions == ["How did students judge their own work today?"])
        }
    }

    @Test(arguments: TestDatabase.all)
    func demoDistrictHasAYearOfBelievableWalkthroughs(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let through = Date(timeIntervalSince1970: 1_795_651_200) // 2026-11-26
            let district = try await DemoLoader.load(size: .small, seed: 1, through: through, on: app.db)
            let walkthroughs = try await Walkthrough.query(on: app.db).all()
            // The year's visits, and the peer visits of each school's confirmed mentor pair.
            #expect((500...620).contains(walkthroughs.count))
            #expect(walkthroughs.allSatisfy { $0.observedAt <= Int(through.timeIntervalSince1970) })
            // Every visit is of a teacher of that school, by someone who may visit them.
            let teacherSchool = Dictionary(district.bundle.users.filter { $0.role == "teacher" }.map { ($0.sourcedId, $0.orgSourcedIds[0]) }, uniquingKeysWith: { a, _ in a })
            #expect(walkthroughs.allSatisfy { teacherSchool[$0.teacherId] == $0.schoolId })
            let caseloads = try await CaseloadEntry.query(on: app.db).all()
            #expect(!caseloads.isEmpty)
            let coachingOutsideCaseload = walkthroughs.filter { w in w.visitType == "coaching" && !caseloads.contains { $0.coachId == w.observerId && $0.teacherId == w.teacherId } }
            #expect(coachingOutsideCaseload.isEmpty)
            let conversations = try await CoachingConversation.query(on: app.db).all()
            #expect(!conversations.isEmpty)
            #expect(conversations.allSatisfy { c in caseloads.contains { $0.coachId == c.coachId && $0.teacherId == c.teacherId } })
            #expect(try await CoachingStep.query(on: app.db).count() >= conversations.count)
            // Feedback usually goes out within a day, and about half of teachers reply.
            let loop = FeedbackLoop(walkthroughs.map { .init(observedAt: Double($0.observedAt), sharedAt: $0.sharedAt.map(Double.init), replied: false) })
            #expect((loop.sharedWithinADay ?? 0) > 0.8)
            let replies = try await FeedbackReply.query(on: app.db).count()
            #expect(Double(replies) / Double(loop.shared) > 0.3)
            // Some practices are commonly seen, some rarely.
            let marks = try await IndicatorMark.query(on: app.db).all()
            func seenShare(_ key: String) -> Double {
                let these = marks.filter { $0.indicatorKey == key && $0.mark != "not_applicable" }
                return Double(these.filter { $0.mark == "observed" }.count) / Double(these.count)
            }
            #expect(seenShare("routines") > seenShare("discourse") + 0.3)
            #expect(Double(marks.count) / Double(walkthroughs.count) > 8)
            // Loading again changes nothing and adds nothing.
            try await DemoLoader.load(size: .small, seed: 1, through: through, on: app.db)
            #expect(try await Walkthrough.query(on: app.db).count() == walkthroughs.count)
        }
    }
}

@Suite("Visit coverage")
struct CoverageTests {
    @Test(arguments: TestDatabase.all)
    func principalSeesCoverageAndPlansAVisitTheTeacherSees(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let coverage = try await principal.get("/walkthroughs/coverage?school=school-1")
            #expect(coverage.status == .ok)
            #expect(coverage.body.string.contains("never visited"))
            #expect(try await principal.get("/walkthroughs/coverage?school=school-2").body.string.contains("school-1\" selected"))

            let tomorrow = DisplayTime.isoDay(Int(Date().timeIntervalSince1970) + 86_400)
            let planned = try await principal.post("/walkthroughs/schedule", form: [
                "teacherId": people.teacherId, "day": tomorrow, "time": "10:15", "visitType": "informal", "note": "Reading block"])
            #expect(planned.status == .seeOther)
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            let inbox = try await teacher.get("/feedback")
            #expect(inbox.body.string.contains("Visits planned with you"))
            #expect(inbox.body.string.contains("Reading block"))

            // A teacher cannot see coverage or plan an informal visit of a colleague.
            #expect(try await teacher.get("/walkthroughs/coverage").status == .forbidden)
            let other = try #require(district.bundle.users.first { $0.role == "teacher" && $0.orgSourcedIds == ["school-1"] && $0.sourcedId != people.teacherId })
            #expect(try await teacher.post("/walkthroughs/schedule", form: [
                "teacherId": other.sourcedId, "day": tomorrow, "time": "10:15", "visitType": "informal"]).status == .forbidden)
            // A date in the past is refused.
            #expect(try await principal.post("/walkthroughs/schedule", form: [
                "teacherId": people.teacherId, "day": "2020-01-01", "time": "10:15", "visitType": "informal"]).status == .unprocessableEntity)
        }
    }
}

@Suite("Write gate")
struct WriteGateTests {
    actor Log {
        var running = 0, most = 0, done: [Int] = []
        func start(_ index: Int) { running += 1; most = max(most, running); done.append(index) }
        func end() { running -= 1 }
    }

    /// Writers of a SQLite-file server run one at a time, and each knows it holds the gate (so a write
    /// transaction inside it does not wait for itself).
    @Test func writersRunOneAtATime() async throws {
        let gate = WriteGate(), log = Log()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await gate.run {
                        await log.start(index)
                        try await Task.sleep(for: .milliseconds(2))
                        #expect(WriteGate.isHeld)
                        await log.end()
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await log.most == 1)
        #expect(await log.done.sorted() == Array(0..<20))
        #expect(!WriteGate.isHeld)
    }
}
