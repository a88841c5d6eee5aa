import Fluent
import SQLKit
import Foundation
import LodestarCore
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Assessments and mastery")
struct AssessmentTests {
    /// A mastery value never reads as another level than its own (trackers showed "3 Approaching" for 2.96).
    @Test func aMasteryValueReadsAsPreciselyAsItsLevelNeeds() {
        let scale = ProficiencyScale.fourLevel
        func shown(_ value: Double) -> String { let d = MasteryDisplay(.value(value), on: scale); return "\(d.text) \(d.level)" }
        #expect(shown(2.96) == "2.96 Approaching")
        #expect(shown(2.999) == "2.99 Approaching")
        #expect(shown(1.951) == "1.95 Beginning")
        #expect(shown(2.94) == "2.9 Approaching")
        #expect(shown(3.04) == "3 Meets")
        #expect(shown(3) == "3 Meets")
        #expect(shown(2.5) == "2.5 Approaching")
        #expect(shown(3.96) == "3.96 Meets")
        #expect(MasteryDisplay.value(2.96, on: scale) == "2.96")
    }
    struct Fixture {
        let people: DemoPeople
        let classId: String
        let students: [String]
        let otherClass: String
    }

    func withClass(_ database: TestDatabase, _ test: (Application, Fixture, TestClient) async throws -> Void) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let package = try CASEPackage.parse(Array(try Data(contentsOf: sharedData.appendingPathComponent("case/what-standards-could-be-ccss-math.json"))), fileName: "ccss.json")
            try await StandardsStore.save(package, subject: "Mathematics", on: app.db)
            let people = DemoPeople(district: district)
            let classId = district.bundle.enrollments.first { $0.userSourcedId == people.teacherId && $0.role == "teacher" }!.classSourcedId
            let students = district.bundle.enrollments.filter { $0.classSourcedId == classId && $0.role == "student" }.map(\.userSourcedId)
            let otherClass = district.bundle.classes.first { $0.schoolSourcedId == "school-1" && $0.sourcedId != classId }!.sourcedId
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            try await test(app, Fixture(people: people, classId: classId, students: students, otherClass: otherClass), teacher)
        }
    }

    func create(_ client: TestClient, classId: String, title: String, date: String, codes: String = "CCSS.Math.Content.6.RP.A.1") async throws -> String? {
        let response = try await client.post("/assessments", form: ["title": title, "assessedOn": date, "classIds[]": classId, "standards": codes])
        guard response.status == .seeOther, let location = response.headers.first(name: .location) else { return nil }
        return String(location.dropFirst("/assessments/".count))
    }

    @discardableResult
    func score(_ client: TestClient, _ assessment: String, student: String, standard: String, value: Double?) async throws -> TestingHTTPResponse {
        try await client.send(.PUT, "/api/assessments/\(assessment)/scores",
                              json: AssessmentController.ScoreInput(studentId: student, standardId: standard, value: value))
    }

    @Test(arguments: TestDatabase.all)
    func theClassMasteryByMonthCountsEachStudentAsOfEachMonthsEnd(_ database: TestDatabase) async throws {
        try await withClass(database) { app, f, teacher in
            let standard = try #require(try await Standard.query(on: app.db).filter(\.$code == "CCSS.Math.Content.6.RP.A.1").first()).id!
            let september = try #require(try await create(teacher, classId: f.classId, title: "Check 1", date: "2026-09-10"))
            let october = try #require(try await create(teacher, classId: f.classId, title: "Check 2", date: "2026-10-08"))
            try #require(f.students.count >= 13)
            // September: 4 of 12 students at 3, 8 at 2 → 4 of 12 (33%).
            // October: the 12 score 4 (decaying average 3.65 and 3.3, all at or above), a 13th scores 1 → 12 of 13 (92%).
            for (index, student) in f.students.prefix(12).enumerated() {
                #expect(try await score(teacher, september, student: student, standard: standard, value: index < 4 ? 3 : 2).status == .ok)
                #expect(try await score(teacher, october, student: student, standard: standard, value: 4).status == .ok)
            }
            #expect(try await score(teacher, october, student: f.students[12], standard: standard, value: 1).status == .ok)
            let lines = try await teacher.get("/classes/\(f.classId)/mastery-by-month.csv").body.string.split(whereSeparator: \.isNewline).map(String.init)
            #expect(lines.contains("CCSS.Math.Content.6.RP.A.1,2026-09,12,33"))
            #expect(lines.contains("CCSS.Math.Content.6.RP.A.1,2026-10,13,92"))
            let page = try await teacher.get("/classes/\(f.classId)/mastery").body.string
            #expect(page.contains("Month by month") && page.contains("92%"))
            // Another teacher cannot see the class's numbers.
            let colleague = TestClient(app)
            try await colleague.signIn(f.people.email(.teacherLeader))
            #expect(try await colleague.get("/classes/\(f.classId)/mastery-by-month.csv").status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func teacherCreatesAssessmentsEntersScoresAndTheTrackerFollowsTheMethod(_ database: TestDatabase) async throws {
        try await withClass(database) { app, f, teacher in
            let standard = try #require(try await Standard.query(on: app.db).filter(\.$code == "CCSS.Math.Content.6.RP.A.1").first()).id!
            let first = try #require(try await create(teacher, classId: f.classId, title: "Exit ticket 1", date: "2026-09-10"))
            let second = try #require(try await create(teacher, classId: f.classId, title: "Exit ticket 2", date: "2026-09-20"))
            let third = try #require(try await create(teacher, classId: f.classId, title: "Quiz", date: "2026-10-01"))
            let student = f.students[0]
            // Entered out of date order: attempts still follow the dates given (1, 2, 3 → decaying average).
            #expect(try await score(teacher, third, student: student, standard: standard, value: 3).status == .ok)
            #expect(try await score(teacher, first, student: student, standard: standard, value: 1).status == .ok)
            #expect(try await score(teacher, second, student: student, standard: standard, value: 2).status == .ok)
            // D = 1, 1.65, 2.5275 → 2.5 Approaching
            let tracker = try await teacher.get("/classes/\(f.classId)/mastery")
            #expect(tracker.status == .ok)
            #expect(tracker.body.string.contains("<span class=\"cell-value\">2.5</span> <span class=\"cell-level\">Approaching</span>"))
            let csv = try await teacher.get("/classes/\(f.classId)/mastery.csv")
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(csv.body.string.split(whereSeparator: \.isNewline).contains { $0.hasPrefix("\(student),") && $0.hasSuffix(",3,2.53,Approaching") })
            // The school switches to "most recent": the cell follows.
            try await MasteryStore.setMethod(.mostRecent, for: "school-1", on: app.db)
            #expect(try await teacher.get("/classes/\(f.classId)/mastery").body.string.contains("<span class=\"cell-value\">3</span> <span class=\"cell-level\">Meets</span>"))
            let evidence = try await teacher.get("/classes/\(f.classId)/mastery/\(student)/\(standard)")
            #expect(evidence.body.string.contains("Exit ticket 1"))
            #expect(evidence.body.string.contains("3 — Meets"))
            // The student's profile shows the same mastery.
            let profile = try await teacher.get("/students/\(student)")
            #expect(profile.body.string.contains("<strong>CCSS.Math.Content.6.RP.A.1</strong>"))
            #expect(profile.body.string.contains("<span class=\"cell-value\">3</span> <span class=\"cell-level\">Meets</span>"))
            // Clearing a score removes it.
            #expect(try await score(teacher, third, student: student, standard: standard, value: nil).status == .ok)
            #expect(try await Score.query(on: app.db).count() == 2)
        }
    }

    /// Two scores entered together for one day (an import enters a file's scores at one time) still have one
    /// order: by assessment. The tracker and the rollup follow it, whatever order the database stored them in.
    @Test(arguments: TestDatabase.all)
    func scoresEnteredTogetherForOneDayAreOrderedByAssessmentEverywhere(_ database: TestDatabase) async throws {
        try await withClass(database) { app, f, teacher in
            let standard = try #require(try await Standard.query(on: app.db).filter(\.$code == "CCSS.Math.Content.6.RP.A.1").first()).id!
            let one = try #require(try await create(teacher, classId: f.classId, title: "Morning check", date: "2026-09-10"))
            let other = try #require(try await create(teacher, classId: f.classId, title: "Afternoon check", date: "2026-09-10"))
            let (first, last) = one < other ? (one, other) : (other, one)
            try await MasteryStore.setMethod(.mostRecent, for: "school-1", on: app.db)
            let student = f.students[0]
            try await app.db.writeTransaction { db in
                // Stored last-first: 4 on the later assessment, then 1 on the earlier.
                for (assessment, value) in [(last, 4.0), (first, 1.0)] {
                    try await db.sql.raw("""
                        INSERT INTO scores (id, assessment_id, student_id, standard_id, value, entered_at, entered_by)
                        VALUES (\(bind: Score.id(assessment: assessment, student: student, standard: standard)), \(bind: assessment), \(bind: student),
                                \(bind: standard), \(bind: value), 1000, 'import')
                        """).run()
                }
                try await db.announce(.scoresChanged(students: [student], standards: [standard]))
            }
            // Most recent: the later assessment's 4.
            #expect(try await teacher.get("/classes/\(f.classId)/mastery").body.string.contains("<span class=\"cell-value\">4</span> <span class=\"cell-level\">Exceeds</span>"))
            let timeline = try await app.db.sql.raw("SELECT timeline FROM mastery_pairs WHERE id = \(bind: "\(student)|\(standard)")").first()?.decode(column: "timeline", as: String.self)
            #expect(MasteryTimeline.decode(try #require(timeline)).map(\.standing) == [.atOrAbove])
            let maintained = try await MasteryRollup.all(on: app.db)
            try await MasteryRollup.rebuild(on: app.db)
            #expect(try await MasteryRollup.all(on: app.db) == maintained)
        }
    }

    @Test(arguments: TestDatabase.all)
    func interventionGroupFollowsProgressAfterReassessment(_ database: TestDatabase) async throws {
        try await withClass(database) { app, f, teacher in
            let standard = try #require(try await Standard.query(on: app.db).filter(\.$code == "CCSS.Math.Content.6.RP.A.1").first()).id!
            let first = try #require(try await create(teacher, classId: f.classId, title: "Check", date: "2026-09-10"))
            try await score(teacher, first, student: f.students[0], standard: standard, value: 1)
            try await score(teacher, first, student: f.students[1], standard: standard, value: 2)
            try await score(teacher, first, student: f.students[2], standard: standard, value: 4)
            let form = try await teacher.get("/classes/\(f.classId)/interventions/new?standard=\(standard)")
            #expect(form.status == .ok)
            // Below Meets are ticked; the student at Exceeds is not.
            #expect(form.body.string.contains("value=\"\(f.students[0])\" checked"))
            #expect(!form.body.string.contains("value=\"\(f.students[2])\" checked"))
            do {
                // A small group: with seven at 1, one at 2 and one at 3 on another check, the six furthest below are
                // ticked and the seventh tied with them; the student at 2, below Meets too, is listed unticked.
                let other = try #require(try await create(teacher, classId: f.classId, title: "Other check", date: "2026-09-11"))
                let ones = [0, 3, 4, 5, 6, 8, 9].map { f.students[$0] }
                for student in ones { try await score(teacher, other, student: student, standard: standard, value: 1) }
                try await score(teacher, other, student: f.students[1], standard: standard, value: 2)
                try await score(teacher, other, student: f.students[7], standard: standard, value: 3)
                let small = try await teacher.get("/classes/\(f.classId)/interventions/new?standard=\(standard)").body.string
                #expect(ones.allSatisfy { small.contains("value=\"\($0)\" checked") })
                #expect(small.matches(of: /" checked>/).count == 7)
                #expect(small.contains("value=\"\(f.students[1])\">") && !small.contains("value=\"\(f.students[7])\" checked"))
                // Furthest below first: every 1 is listed before the 2.
                let positions = ones.map { small.range(of: "value=\"\($0)\"")!.lowerBound }
                #expect(positions.allSatisfy { $0 < small.range(of: "value=\"\(f.students[1])\"")!.lowerBound })
                for student in ones + [f.students[1], f.students[7]] { try await score(teacher, other, student: student, standard: standard, value: nil) }
            }
            #expect(try await teacher.post("/classes/\(f.classId)/interventions", form: ["standardId": standard, "name": "", "plan": "", "reassessOn": "2026-10-01", "studentIds[]": f.students[0]]).status == .unprocessableEntity)
            for minutes in ["-5", "1501", "ninety", "45.5"] {
                #expect(try await teacher.post("/classes/\(f.classId)/interventions", form: ["standardId": standard, "name": "Ratio group", "plan": "", "minutesPerWeek": minutes,
                                                                                          "reassessOn": "2026-10-01", "studentIds[]": f.students[0]]).status == .unprocessableEntity, "\(minutes)")
            }
            #expect(try await app.db.sql.raw("SELECT COUNT(*) AS n FROM intervention_groups").first()!.decode(column: "n", as: Int.self) == 0)
            let created = try await teacher.post("/classes/\(f.classId)/interventions", form: [
                "standardId": standard, "name": "Ratio group", "plan": "Reteach with tape diagrams", "minutesPerWeek": "90", "reassessOn": "2026-10-01", "studentIds[]": f.students[0]])
            #expect(created.status == .seeOther)
            let groupPath = try #require(created.headers.first(name: .location))
            #expect(try await teacher.get(groupPath).body.string.contains("0 of 1 now at Meets or above"))
            #expect(LeadershipTests.text(try await teacher.get(groupPath).body.string).contains("Scheduled: 90 minutes a week"))
            // After reassessment, most recent method: the student reached Meets.
            try await MasteryStore.setMethod(.mostRecent, for: "school-1", on: app.db)
            let reassessment = try #require(try await create(teacher, classId: f.classId, title: "Reassessment", date: "2026-10-01"))
            try await score(teacher, reassessment, student: f.students[0], standard: standard, value: 3)
            let page = try await teacher.get(groupPath)
            #expect(page.body.string.contains("1 of 1 now at Meets or above"))
            #expect(page.body.string.contains("+2"))
            // A colleague cannot see the group.
            let colleague = TestClient(app)
            try await colleague.signIn(f.people.email(.teacherLeader))
            #expect(try await colleague.get(groupPath).status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func badScoresAndBadAssessmentsAreRefused(_ database: TestDatabase) async throws {
        try await withClass(database) { app, f, teacher in
            let standard = try #require(try await Standard.query(on: app.db).filter(\.$code == "CCSS.Math.Content.6.RP.A.1").first()).id!
            let assessment = try #require(try await create(teacher, classId: f.classId, title: "Check", date: "2026-09-10"))
            let outside = try await score(teacher, assessment, student: f.students[0], standard: standard, value: 7)
            #expect(outside.status == .unprocessableEntity)
            #expect(outside.body.string.contains("expected one of 1, 2, 3, 4"))
            #expect(try await score(teacher, assessment, student: "stu-999999", standard: standard, value: 3).status == .unprocessableEntity)
            #expect(try await score(teacher, assessment, student: f.students[0], standard: "not-a-standard", value: 3).status == .unprocessableEntity)
            #expect(try await Score.query(on: app.db).count() == 0)
            // Unknown standard code, wrong date, someone else's class.
            #expect(try await teacher.post("/assessments", form: ["title": "X", "assessedOn": "2026-09-10", "classIds[]": f.classId, "standards": "NOPE.1"]).status == .unprocessableEntity)
            #expect(try await teacher.post("/assessments", form: ["title": "X", "assessedOn": "2026-02-30", "classIds[]": f.classId, "standards": "CCSS.Math.Content.6.RP.A.1"]).status == .unprocessableEntity)
            #expect(try await teacher.post("/assessments", form: ["title": "X", "assessedOn": "2026-09-10", "classIds[]": f.otherClass, "standards": "CCSS.Math.Content.6.RP.A.1"]).status == .forbidden)
            #expect(try await Assessment.query(on: app.db).count() == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func onlyTheClassTeachersAndSchoolLeadersSeeScores(_ database: TestDatabase) async throws {
        try await withClass(database) { app, f, teacher in
            let standard = try #require(try await Standard.query(on: app.db).filter(\.$code == "CCSS.Math.Content.6.RP.A.1").first()).id!
            let assessment = try #require(try await create(teacher, classId: f.classId, title: "Check", date: "2026-09-10"))
            let colleague = TestClient(app)
            try await colleague.signIn(f.people.email(.teacherLeader))
            #expect(try await colleague.get("/assessments/\(assessment)").status == .forbidden)
            #expect(try await colleague.get("/classes/\(f.classId)/mastery").status == .forbidden)
            #expect(try await colleague.get("/classes/\(f.classId)/mastery.csv").status == .forbidden)
            #expect(try await score(colleague, assessment, student: f.students[0], standard: standard, value: 3).status == .forbidden)

            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            #expect(try await principal.get("/classes/\(f.classId)/mastery").status == .ok)
            #expect(try await principal.get("/assessments/\(assessment)").status == .ok)

            let otherPrincipal = TestClient(app)
            let email = try #require(f.people.district.accounts.first { $0.grants == [RoleGrant(role: .principal, schoolId: "school-2")] }?.email)
            try await otherPrincipal.signIn(email)
            #expect(try await otherPrincipal.get("/classes/\(f.classId)/mastery").status == .forbidden)
            #expect(try await otherPrincipal.get("/assessments/\(assessment)").status == .forbidden)
        }
    }
}

@Suite("Mastery settings")
struct MasterySettingsTests {
    @Test(arguments: TestDatabase.all)
    func districtAdminSetsTheMethodAndSchoolOverrides(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.get("/admin/mastery").status == .forbidden)
            #expect(try await principal.post("/admin/mastery", form: ["scope": "district", "method": "highest"]).status == .forbidden)

            let admin = TestClient(app)
            try await admin.signIn(people.email(.districtAdmin))
            #expect(try await admin.get("/admin/mastery").status == .ok)
            #expect(try await admin.post("/admin/mastery", form: ["scope": "district", "method": "n_times", "count": "2"]).status == .seeOther)
            #expect(try await MasteryStore.method(forSchool: "school-1", on: app.db) == .nTimes(count: 2))
            #expect(try await admin.post("/admin/mastery", form: ["scope": "school-1", "method": "weighted", "weight": "0.7"]).status == .seeOther)
            #expect(try await MasteryStore.method(forSchool: "school-1", on: app.db) == .weightedAverage(weight: 0.7))
            #expect(try await MasteryStore.method(forSchool: "school-2", on: app.db) == .nTimes(count: 2))
            #expect(try await admin.post("/admin/mastery", form: ["scope": "school-1", "method": "inherit"]).status == .seeOther)
            #expect(try await MasteryStore.method(forSchool: "school-1", on: app.db) == .nTimes(count: 2))
            #expect(try await admin.post("/admin/mastery", form: ["scope": "district", "method": "decaying", "weight": "2"]).status == .unprocessableEntity)
        }
    }
}

@Suite("Proficiency scales")
struct ScaleTests {
    @Test(arguments: TestDatabase.all)
    func districtAdminAddsAScaleThatAssessmentsUse(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            try await StandardsStore.save(DemoStandards.packages[0], subject: nil, on: app.db)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.get("/admin/scales").status == .forbidden)
            let admin = TestClient(app)
            try await admin.signIn(people.email(.districtAdmin))
            #expect(try await admin.post("/admin/scales", form: ["name": "Three", "levels": "1 Not yet\n2 Developing\n3 Proficient", "masteryValue": "3", "cuts": "60, 80"]).status == .seeOther)
            #expect(try await admin.post("/admin/scales", form: ["name": "Broken", "levels": "1 A", "masteryValue": "1", "cuts": ""]).status == .unprocessableEntity)
            let scale = try #require(try await ScaleRecord.query(on: app.db).filter(\.$name == "Three").first())

            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            let classId = district.bundle.enrollments.first { $0.userSourcedId == people.teacherId && $0.role == "teacher" }!.classSourcedId
            let created = try await teacher.post("/assessments", form: ["title": "Check", "assessedOn": "2026-09-10", "classIds[]": classId,
                                                                        "standards": "CV.MATH.K.1", "scaleId": scale.id!])
            #expect(created.status == .seeOther)
            #expect(try await Assessment.query(on: app.db).first()?.scaleId == scale.id)
        }
    }
}

@Suite("Score files")
struct ScoreImportTests {
    func withClass(_ database: TestDatabase, _ test: (Application, DemoPeople, String, [String]) async throws -> Void) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let package = try CASEPackage.parse(Array(try Data(contentsOf: sharedData.appendingPathComponent("case/what-standards-could-be-ccss-math.json"))), fileName: "ccss.json")
            try await StandardsStore.save(package, subject: "Mathematics", on: app.db)
            let people = DemoPeople(district: district)
            let classId = district.bundle.enrollments.first { $0.userSourcedId == people.teacherId && $0.role == "teacher" }!.classSourcedId
            let students = district.bundle.enrollments.filter { $0.classSourcedId == classId && $0.role == "student" }.map(\.userSourcedId)
            try await test(app, people, classId, students)
        }
    }

    static let code = "CCSS.Math.Content.6.RP.A.1"

    /// A file the page cannot wait for goes on by itself: the sender follows it on its own page (theirs alone) and is
    /// told when it ends, imported or refused. The page waits no time at all here, so every file takes that path.
    @Test(arguments: TestDatabase.all)
    func aLongImportGoesOnByItselfAndSaysWhenItEnds(_ database: TestDatabase) async throws {
        try await withClass(database) { app, people, classId, students in
            app.importJobs.patience = .zero
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            func send(_ csv: String) async throws -> String {
                let sent = try await teacher.upload("/assessments/import", file: Data(csv.utf8), field: "file", fileName: "scores.csv")
                #expect(sent.status == .seeOther)
                let location = try #require(sent.headers.first(name: .location))
                #expect(location.hasPrefix("/assessments/import/jobs/"))
                // Followed until it ends, as the page does by reloading itself.
                for _ in 0..<400 {
                    let page = try await teacher.page(location)
                    if !page.contains("http-equiv=\"refresh\"") { return page }
                    #expect(page.contains("This page follows the import"))
                    try await Task.sleep(for: .milliseconds(25))
                }
                Issue.record("the import did not end")
                return ""
            }
            let good = "assessment,date,class,student,standard,score\nExit ticket,2026-09-10,\(classId),\(students[0]),\(Self.code),3\n"
                + "Exit ticket,2026-09-10,\(classId),\(students[1]),\(Self.code),2\nQuiz,2026-09-20,\(classId),\(students[0]),\(Self.code),4\n"
            let ended = try await send(good)
            #expect(ended.contains("Imported 2 assessments: 3 new scores, 0 changed, 0 unchanged."))
            #expect(try await Score.query(on: app.db).count() == 3)

            let bad = "assessment,date,class,student,standard,score\nQuiz,2026-09-20,\(classId),\(students[0]),\(Self.code),9\n"
            let refused = try await send(bad)
            #expect(refused.contains("Nothing was imported"))
            #expect(refused.contains("scores.csv, line 2"))
            #expect(try await Score.query(on: app.db).count() == 3)

            // Told of both, each linking to its import's page.
            let told = try await app.db.sql.raw("SELECT title, link FROM notifications WHERE recipient_id = \(bind: people.teacherId) AND kind = 'import_result' ORDER BY created_at, title")
                .all().map { (try $0.decode(column: "title", as: String.self), try $0.decode(column: "link", as: String.self)) }
            #expect(told.map(\.0).sorted() == ["Your import of scores.csv finished",
                                               "Your import of scores.csv was refused; nothing was imported. The reason is on the import page."])
            #expect(told.allSatisfy { $0.1.hasPrefix("/assessments/import/jobs/") })

            // The page is the sender's alone.
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.get(told[0].1).status == .notFound)
            #expect(try await teacher.get("/assessments/import/jobs/no-such-import").status == .notFound)
        }
    }

    @Test(arguments: TestDatabase.all)
    func goodFileImportsAndReimportChangesNothing(_ database: TestDatabase) async throws {
        try await withClass(database) { app, people, classId, students in
            let file = """
                assessment,date,class,student,standard,score
                Exit ticket,2026-09-10,\(classId),\(students[0]),\(Self.code),3
                Exit ticket,2026-09-10,\(classId),\(students[1]),\(Self.code),7/10
                Quiz,2026-09-20,\(classId),\(students[0]),\(Self.code),4

                """
            // A kind of its own, so the metrics' count is this test's alone: three rows each time the file is read.
            let kind = "scores-\(UUID().uuidString.prefix(8))"
            let report = try await ScoreImport.run(Array(file.utf8), fileName: "scores.csv", importer: nil, progress: ImportProgress(kind: kind), on: app.db)
            #expect(report.assessments == 2)
            #expect(report.scores == SyncCounts(created: 3))
            #expect(try await Score.query(on: app.db).filter(\.$studentId == students[1]).first()?.value == 2) // 70% → Approaching
            #expect(Metrics.registry.emitToString().contains("lodestar_import_rows_total{kind=\"\(kind)\"} 3\n"))
            let again = try await ScoreImport.run(Array(file.utf8), fileName: "scores.csv", importer: nil, progress: ImportProgress(kind: kind), on: app.db)
            #expect(again.scores == SyncCounts(unchanged: 3))
            #expect(Metrics.registry.emitToString().contains("lodestar_import_rows_total{kind=\"\(kind)\"} 6\n"))
            #expect(try await Assessment.query(on: app.db).count() == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func badFilesNameLineAndColumnAndSaveNothing(_ database: TestDatabase) async throws {
        try await withClass(database) { app, people, classId, students in
            let header = "assessment,date,class,student,standard,score\n"
            let good = "Exit ticket,2026-09-10,\(classId),\(students[0]),\(Self.code),3\n"
            let cases: [(String, Int, String)] = [
                (good + "Exit ticket,2026-09-10,\(classId),\(students[1]),\(Self.code),5\n", 3, "score"),
                (good + "Exit ticket,2026-09-10,\(classId),\(students[1]),\(Self.code),11/10\n", 3, "score"),
                (good + "Exit ticket,2026-09-31,\(classId),\(students[1]),\(Self.code),3\n", 3, "date"),
                (good + "Exit ticket,2026-09-10,\(classId),stu-999999,\(Self.code),3\n", 3, "student"),
                (good + "Exit ticket,2026-09-10,\(classId),\(students[1]),NOT.A.CODE,3\n", 3, "standard"),
                (good + good, 3, "student"),
                (good + "Exit ticket,2026-09-10,no-such-class,\(students[1]),\(Self.code),3\n", 3, "class"),
                (good + "Exit ticket,2026-09-10,\(classId),\(students[1]),\(Self.code),\n", 3, "score"),
            ]
            for (body, line, column) in cases {
                let error = await #expect(throws: LodestarError.self) {
                    try await ScoreImport.run(Array((header + body).utf8), fileName: "scores.csv", importer: nil, on: app.db)
                }
                #expect(error?.location?.line == line, "\(column): \(error?.description ?? "")")
                #expect(error?.location?.columnName == column, "\(error?.description ?? "")")
            }
            #expect(try await Score.query(on: app.db).count() == 0)
            #expect(try await Assessment.query(on: app.db).count() == 0)

            // Through the page: a colleague may not import scores for someone else's class.
            let colleague = TestClient(app)
            try await colleague.signIn(people.email(.teacherLeader))
            let viewer = try await colleagueViewer(app, email: people.email(.teacherLeader))
            let refused = await #expect(throws: LodestarError.self) {
                try await ScoreImport.run(Array((header + good).utf8), fileName: "scores.csv", importer: viewer, on: app.db)
            }
            #expect(refused?.location?.columnName == "class")
        }
    }

    func colleagueViewer(_ app: Application, email: String) async throws -> Viewer {
        let staff = try #require(try await Staff.query(on: app.db).filter(\.$email == email).first())
        let grants = try await RoleGrantRecord.query(on: app.db).filter(\.$staffId == staff.id!).all().compactMap(\.grant)
        return Viewer(staff: staff, policy: AccessPolicy(grants: grants))
    }
}

@Suite("Demo assessments")
struct DemoAssessmentTests {
    /// Scores kept in hand for the rollup follow the database's attempt order: the day, then when entered, then the
    /// assessment. Two assessments of one day, the later id entered first, come in the order they were entered.
    @Test
    func scoresInHandOfOneDayComeInTheOrderTheyWereEntered() {
        var students = NumberedNames()
        let student = students.add("stu-1")
        var imported = ImportedScores(students: students)
        imported.add(assessment: "a", student: student, standard: "std", value: 1)
        imported.add(assessment: "b", student: student, standard: "std", value: 4)
        imported.finish(assessments: ["a": ("2026-10-01", "four", 2_000), "b": ("2026-10-01", "four", 1_000)])
        let book = ScaleBook(scales: [:], fallback: .fourLevel)
        #expect(imported.attempts(of: ["stu-1"], book: book)["stu-1|std"]?.map(\.value) == [4, 1])
    }

    @Test(arguments: TestDatabase.all)
    func demoHasWeeklyAssessmentsWithGrowthAndGroupGaps(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let through = Date(timeIntervalSince1970: 1_795_651_200) // 2026-11-26
            try await DemoLoader.load(size: .small, seed: 1, through: through, on: app.db)
            let assessments = try await Assessment.query(on: app.db).count()
            let scores = try await Score.query(on: app.db).count()
            #expect(assessments > 700)
            #expect(scores > 25_000)
            // Scores grow over the autumn.
            func mean(_ condition: SQLQueryString) async throws -> Double {
                try await app.db.sql.raw("""
                    SELECT AVG(sc.value) AS m FROM scores sc JOIN assessments a ON a.id = sc.assessment_id
                    JOIN students s ON s.id = sc.student_id WHERE \(condition)
                    """).first()!.decode(column: "m", as: Double.self)
            }
            #expect(try await mean("a.assessed_on < '2026-09-20'") + 0.15 < mean("a.assessed_on > '2026-11-01'"))
            // Groups differ, as in real districts.
            #expect(try await mean("s.special_education = \(bind: true)") + 0.3 < mean("s.special_education = \(bind: false)"))
            #expect(try await mean("s.gifted = \(bind: true)") > mean("s.gifted = \(bind: false)") + 0.3)
            // Every score is on the scale, and the tracker of a class shows mastery.
            #expect(try await Score.query(on: app.db).filter(\.$value < 1).count() == 0)
            // A score of the school's own on a student the demo scores: loading again keeps it, and the student's
            // standing (read from the database, not from the demo's scores in hand) equals a rebuild's.
            let some = try await app.db.sql.raw("""
                SELECT sc.student_id, a.school_id FROM scores sc JOIN assessments a ON a.id = sc.assessment_id ORDER BY sc.id LIMIT 1
                """).first()!
            let (student, school) = (try some.decode(column: "student_id", as: String.self), try some.decode(column: "school_id", as: String.self))
            // On a standard the demo does not score them on, so the standing exists only through this score.
            let standard = try await app.db.sql.raw("""
                SELECT id FROM standards WHERE id NOT IN (SELECT standard_id FROM scores WHERE student_id = \(bind: student)) ORDER BY id LIMIT 1
                """).first()!.decode(column: "id", as: String.self)
            try await app.db.sql.raw("""
                INSERT INTO assessments (id, title, assessed_on, scale_id, school_id, created_by, created_at)
                VALUES ('own-1', 'Exit ticket', '2026-11-25', \(bind: MasteryStore.defaultScaleId), \(bind: school), 'local-demo-admin', 0)
                """).run()
            try await app.db.sql.raw("""
                INSERT INTO scores (id, assessment_id, student_id, standard_id, value, entered_at, entered_by)
                VALUES ('own-1-score', 'own-1', \(bind: student), \(bind: standard), 4, 0, 'local-demo-admin')
                """).run()
            try await DemoLoader.load(size: .small, seed: 1, through: through, on: app.db)
            #expect(try await Score.query(on: app.db).count() == scores + 1)
            let loaded = try await MasteryRollup.all(on: app.db)
            try await MasteryRollup.rebuild(on: app.db)
            #expect(try await MasteryRollup.all(on: app.db) == loaded)
        }
    }
}

@Suite("School assessment views")
struct SchoolAssessmentViewTests {
    @Test(arguments: TestDatabase.all)
    func frequencyAndReadingViewsForLeaders(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, through: Date(), on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let frequency = try await principal.get("/schools/school-1/assessment-frequency")
            #expect(frequency.status == .ok)
            #expect(frequency.body.string.contains("CV.MATH."))
            let reading = try await principal.get("/schools/school-1/reading")
            #expect(reading.status == .ok)
            #expect(reading.body.string.contains("CV.ELA.3.1"))
            #expect(reading.body.string.contains("%</strong>"))

            // Designating standards is the principal's; a coach sees the view but cannot change it; a teacher sees neither.
            let coach = TestClient(app)
            try await coach.signIn(people.email(.coach))
            #expect(try await coach.get("/schools/school-1/reading").status == .ok)
            #expect(try await coach.post("/schools/school-1/reading", form: ["standardIds[]": "cv-ela-03-1"]).status == .forbidden)
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            #expect(try await teacher.get("/schools/school-1/reading").status == .forbidden)
            #expect(try await teacher.get("/schools/school-1/assessment-frequency").status == .forbidden)

            #expect(try await principal.post("/schools/school-1/reading", form: ["standardIds[]": "cv-ela-03-1"]).status == .seeOther)
            let narrowed = try await principal.page("/schools/school-1/reading")
            #expect(!narrowed.contains("value=\"cv-ela-KG-2\" checked"))
            #expect(narrowed.contains("value=\"cv-ela-03-1\" checked"))
            #expect(narrowed.contains("none designated for this grade"))
            #expect(try await principal.post("/schools/school-1/reading", form: ["standardIds[]": "no-such-standard"]).status == .unprocessableEntity)
        }
    }

    @Test(arguments: TestDatabase.all)
    func smallGroupsAreNotShown(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            try await OneRosterImport.run(path: sharedData.appendingPathComponent("oneroster/v1p1-oat-sample").path, on: app.db)
            let package = DemoStandards.packages.first { $0.subject == "English Language Arts" }!
            try await StandardsStore.save(package, subject: nil, on: app.db)
            try await ScoreImport.run(Array("assessment,date,class,student,standard,score\nCheck,2026-09-10,class1,user1,CV.ELA.2.2,4\n".utf8),
                                      fileName: "s.csv", importer: nil, on: app.db)
            let benchmark = ReadingBenchmark()
            benchmark.id = "12345|cv-ela-02-2"
            benchmark.schoolId = "12345"
            benchmark.standardId = "cv-ela-02-2"
            try await benchmark.create(on: app.db)
            try await runCommand(app, ["user", "add", "lead@x.org", "--role", "district_leader"])
            let staff = try #require(try await Staff.query(on: app.db).filter(\.$email == "lead@x.org").first())
            staff.passwordHash = try Bcrypt.hash(DemoDistrict.password)
            try await staff.save(on: app.db)
            let leader = TestClient(app)
            try await leader.signIn("lead@x.org")
            let page = try await leader.get("/schools/12345/reading")
            #expect(page.body.string.contains("Not shown (fewer than 10)"))
            #expect(!page.body.string.contains("1 of 1"))
        }
    }

}

@Suite("OneRoster results")
struct OneRosterResultsTests {
    static let oat = sharedData.appendingPathComponent("oneroster/v1p1-oat-sample").path

    func setUp(_ app: Application) async throws {
        try await OneRosterImport.run(path: Self.oat, on: app.db)
        try await StandardsStore.save(DemoStandards.packages.first { $0.subject == "Mathematics" }!, subject: nil, on: app.db)
    }

    static let lineItems = """
        sourcedId,status,dateLastModified,title,description,assignDate,dueDate,classSourcedId,categorySourcedId,gradingPeriodSourcedId,resultValueMin,resultValueMax,metadata.standards
        li-1,active,,Fractions quiz,,2026-10-05,2026-10-06,class1,,,0,20,
        li-2,active,,Word problems,,2026-10-12,,class1,,,0,10,CV.MATH.2.3

        """
    static let objectives = "lineItemSourcedId,source,learningObjectiveId\nli-1,case,cv-math-02-2\n"

    func files(results: String, lineItems: String = lineItems, objectives: String? = objectives) -> [String: CSVSource] {
        var files: [String: CSVSource] = ["lineItems.csv": .bytes(Array(lineItems.utf8)), "results.csv": .bytes(Array(results.utf8))]
        if let objectives { files["lineItemLearningObjectiveIds.csv"] = .bytes(Array(objectives.utf8)) }
        return files
    }

    static let header = "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,scoreStatus,score,scoreDate,comment\n"

    @Test(arguments: TestDatabase.all)
    func lineItemsAndResultsBecomeAssessmentsAndScores(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            try await setUp(app)
            let results = Self.header + "r1,active,,li-1,user1,fully graded,16,,\nr2,active,,li-2,user1,fully graded,6,,\nr3,active,,li-2,user2,not submitted,,,\n"
            let report = try await ScoreImport.runOneRoster(files(results: results), importer: nil, on: app.db)
            #expect(report.assessments == 2)
            #expect(report.scores == SyncCounts(created: 2))
            // 16/20 = 80% → Meets; 6/10 = 60% → Approaching.
            #expect(try await Score.query(on: app.db).filter(\.$standardId == "cv-math-02-2").first()?.value == 3)
            #expect(try await Score.query(on: app.db).filter(\.$standardId == "cv-math-02-3").first()?.value == 2)
            #expect(try await ScoreImport.runOneRoster(files(results: results), importer: nil, on: app.db).scores == SyncCounts(unchanged: 2))
        }
    }

    @Test(arguments: TestDatabase.all)
    func badGradebooksNameFileLineAndColumn(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            try await setUp(app)
            let cases: [([String: CSVSource], String, Int?, String?)] = [
                (files(results: Self.header + "r1,active,,li-1,user1,fully graded,25,,\n"), "results.csv", 2, "score"),
                (files(results: Self.header + "r1,active,,li-9,user1,fully graded,5,,\n"), "results.csv", 2, "lineItemSourcedId"),
                (files(results: Self.header + "r1,active,,li-1,user9,fully graded,5,,\n"), "results.csv", 2, "studentSourcedId"),
                (files(results: Self.header + "r1,active,,li-1,user1,fully graded,5,,\n", objectives: nil), "lineItems.csv", 2, "sourcedId"),
                (files(results: Self.header + "r1,active,,li-1,user1,fully graded,5,,\nr2,active,,li-1,user1,fully graded,6,,\n"), "results.csv", 3, "studentSourcedId"),
                // Two second results: the one met first in the file is named.
                (files(results: Self.header + "r1,active,,li-1,user1,fully graded,5,,\nr2,active,,li-2,user1,fully graded,6,,\n"
                       + "r3,active,,li-2,user1,fully graded,7,,\nr4,active,,li-1,user1,fully graded,8,,\n"), "results.csv", 4, "studentSourcedId"),
                (["lineItems.csv": .bytes(Array(Self.lineItems.utf8))], "results.csv", nil, nil),
            ]
            for (files, file, line, column) in cases {
                let error = await #expect(throws: LodestarError.self) { try await ScoreImport.runOneRoster(files, importer: nil, on: app.db) }
                #expect(error?.location?.file == file, "\(error?.description ?? "")")
                #expect(error?.location?.line == line, "\(error?.description ?? "")")
                #expect(error?.location?.columnName == column, "\(error?.description ?? "")")
            }
            let twice = await #expect(throws: LodestarError.self) {
                try await ScoreImport.runOneRoster(files(results: Self.header + "r1,active,,li-1,user1,fully graded,5,,\nr2,active,,li-1,user1,fully graded,6,,\n"),
                                                   importer: nil, on: app.db)
            }
            #expect(twice?.message == "this student already has a result for this line item (line 2)")
            #expect(try await Score.query(on: app.db).count() == 0)
        }
    }
}
