import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Professional learning")
struct ProfessionalLearningServerTests {
    func visit(_ teacher: String, at: Double, _ marks: [(String, String)], type: VisitType = .informal) -> WalkthroughSubmission {
        WalkthroughSubmission(id: UUID().uuidString.lowercased(), teacherId: teacher, classId: nil, visitType: type, observedAt: at,
                              marks: marks.map { .init(indicator: $0.0, mark: $0.1) }, glow: "Students explained their thinking.", grow: "", question: "")
    }

    @Test(arguments: TestDatabase.all)
    func aRarelySeenPracticeIsProposedAcceptedOnceAndOnlyByThoseWhoPlan(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            // Fourteen visits this month. Ten look for discourse and see it in 2 (20%: proposed); four leave it unmarked
            // (not looked for). Rigor: seen in 3 of the 10 that looked (30%: not proposed; counting the four unmarked
            // as not seen would make it 3 of 14, 21%, and propose it). The learning target: 12 of 14 (not proposed).
            let now = Date().timeIntervalSince1970
            for index in 0..<14 {
                let marks = index < 10
                    ? [("discourse", index < 2 ? "observed" : "not_observed"), ("learning-target", index < 8 ? "observed" : "not_observed"),
                       ("rigor", index < 3 ? "observed" : "not_observed")]
                    : [("learning-target", "observed")]
                #expect(try await principal.send(.POST, "/api/walkthroughs", json: visit(people.teacherId, at: now - Double(index + 1) * 600, marks)).status == .created)
            }
            let hub = try await principal.get("/learning?scope=school-1").body.string
            let evidence = "Seen in 2 of the 10 walkthroughs that looked for it (20%) this school year; 4 more did not look for it."
            #expect(hub.contains(evidence))
            #expect(!hub.contains("Accept as a need: Rigorous tasks") && !hub.contains("Seen in 3 of") && !hub.contains("Seen in 12 of"))

            // A teacher and a teacher leader read the page but may not accept needs; another school's principal may not either.
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            #expect(try await teacher.get("/learning").status == .ok)
            #expect(!(try await teacher.page("/learning").contains("Accept as a need")))
            #expect(try await teacher.post("/learning/needs", form: ["scope": "school-1", "kind": "practice", "key": "discourse"]).status == .forbidden)
            let teacherLeader = TestClient(app)
            try await teacherLeader.signIn(people.email(.teacherLeader))
            #expect(try await teacherLeader.post("/learning/needs", form: ["scope": "school-1", "kind": "practice", "key": "discourse"]).status == .forbidden)
            #expect(try await principal.post("/learning/needs", form: ["scope": "school-2", "kind": "other", "title": "x"]).status == .forbidden)
            #expect(try await LearningNeed.query(on: app.db).count() == 0)

            // The principal accepts it: the evidence is recomputed by the server, and the proposal is gone.
            #expect(try await principal.post("/learning/needs", form: ["scope": "school-1", "kind": "practice", "key": "discourse"]).status == .seeOther)
            let need = try #require(try await LearningNeed.query(on: app.db).first())
            #expect(need.title == "Student discourse" && need.evidence == evidence && need.status == "open")
            #expect(!(try await principal.page("/learning?scope=school-1").contains("Accept as a need: Student discourse")))
            #expect(try await principal.get("/").body.string.contains("1 accepted professional learning need has no session planned yet."))
            // Accepting it twice is refused with a plain message; a practice seen often cannot be accepted as rarely seen.
            #expect(try await principal.post("/learning/needs", form: ["scope": "school-1", "kind": "practice", "key": "discourse"]).status == .unprocessableEntity)
            #expect(try await principal.post("/learning/needs", form: ["scope": "school-1", "kind": "practice", "key": "learning-target"]).status == .unprocessableEntity)
            #expect(try await LearningNeed.query(on: app.db).count() == 1)
            let needs = try await principal.get("/learning/needs.csv?scope=school-1").body.string
            #expect(needs.contains("open,Practice rarely observed,Student discourse,\(evidence),"))
            #expect(!(try await teacher.page("/learning/needs.csv?scope=school-1").contains("proposed,")))
        }
    }

    @Test(arguments: TestDatabase.all)
    func sessionImpactCountsAttendeesClassroomsAndStudentsBeforeAndAfter(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            try await loadSampleMathStandards(app)
            let people = DemoPeople(district: district)
            let classes = district.bundle.classes.filter { $0.schoolSourcedId == "school-1" }
            let teacherOf = people.teacher(of:), studentsOf = people.students(of:)
            let attending = classes[0], absent = try #require(classes.first { teacherOf($0.sourcedId) != teacherOf(classes[0].sourcedId) })
            let attendee = teacherOf(attending.sourcedId), other = teacherOf(absent.sourcedId)

            let now = Date().timeIntervalSince1970, day = 86_400.0
            let sessionDay = DisplayTime.isoDay(Int(now - 10 * day))
            let beforeMonth = String(ISODay.adding(-1, to: String(sessionDay.prefix(7)) + "-01").prefix(7))
            let today = DisplayTime.isoDay(Int(now))
            // The attendee's ten students: all Approaching (2) in the month before the session; 7 Meets (3) today.
            // The other class's students are all at Meets throughout and must not count.
            var rows: [ScoreFile.Row] = []
            for (index, student) in studentsOf(attending.sourcedId).enumerated() {
                for (date, value) in [(beforeMonth + "-10", 2.0), (today, index < 7 ? 3.0 : 2.0)] {
                    rows.append(ScoreFile.Row(line: rows.count + 2, assessment: "Check \(date)", date: date, classId: attending.sourcedId, studentId: student,
                                              standard: "CCSS.Math.Content.6.RP.A.1", value: value, columns: [:]))
                }
            }
            for student in studentsOf(absent.sourcedId) {
                rows.append(ScoreFile.Row(line: rows.count + 2, assessment: "Other \(today)", date: today, classId: absent.sourcedId, studentId: student,
                                          standard: "CCSS.Math.Content.6.RP.A.1", value: 3, columns: [:]))
            }
            _ = try await ScoreImport.write(ScoreFile.Rows(rows), importer: nil, on: app.db)

            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            for submission in [
                // Before (within 60 days): discourse not seen twice; the target seen once and once not applicable.
                visit(attendee, at: now - 20 * day, [("discourse", "not_observed"), ("learning-target", "observed")]),
                visit(attendee, at: now - 15 * day, [("discourse", "not_observed"), ("learning-target", "not_applicable")]),
                // Discourse seen; the target left unmarked: not looked for, so out of its share.
                visit(attendee, at: now - 12 * day, [("discourse", "observed")]),
                // Outside the 60 days before: left out.
                visit(attendee, at: now - 80 * day, [("discourse", "observed"), ("learning-target", "observed")]),
                // After: both seen.
                visit(attendee, at: now - 5 * day, [("discourse", "observed"), ("learning-target", "observed")]),
                // A colleague who did not attend: left out.
                visit(other, at: now - 20 * day, [("discourse", "observed")]),
                visit(other, at: now - 5 * day, [("discourse", "not_observed")]),
            ] {
                #expect(try await principal.send(.POST, "/api/walkthroughs", json: submission).status == .created)
            }

            // Bad input is refused with a plain message, and nothing is saved.
            var form = ["scope": "school-1", "title": "Turn and talk", "facilitatorId": try #require(district.accounts.first { $0.isFeatured && $0.grants.first?.role == .coach }?.sourcedId),
                        "day": sessionDay, "startTime": "15:30", "endTime": "14:30", "indicators[]": "discourse", "standards": "CCSS.Math.Content.6.RP.A.1",
                        "lookFors": "Partners explain their reasoning"]
            #expect(try await principal.post("/learning/sessions", form: form).status == .unprocessableEntity)
            form["endTime"] = "16:30"
            form["standards"] = "NOT.A.CODE"
            let unknown = try await principal.post("/learning/sessions", form: form)
            #expect(unknown.status == .unprocessableEntity && unknown.body.string.contains("No standard has the code “NOT.A.CODE”"))
            #expect(try await LearningSession.query(on: app.db).count() == 0)
            // A teacher may not plan sessions; a principal not for another school.
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            form["standards"] = "CCSS.Math.Content.6.RP.A.1"
            #expect(try await teacher.post("/learning/sessions", form: form).status == .forbidden)
            #expect(try await principal.post("/learning/sessions", form: form.merging(["scope": "school-2"]) { $1 }).status == .forbidden)

            // Two practices (the form sends both) and one standard.
            #expect(try await principal.post("/learning/sessions", form: form).status == .seeOther)
            let session = try #require(try await LearningSession.query(on: app.db).first())
            session.indicators = "discourse,learning-target"
            try await session.save(on: app.db)
            let id = session.id!
            #expect(try await principal.post("/learning/sessions/\(id)/attendance", form: ["attended[]": attendee]).status == .seeOther)
            // Only the school's staff can be marked present.
            #expect(try await principal.post("/learning/sessions/\(id)/attendance", form: ["attended[]": "not-a-person"]).status == .unprocessableEntity)
            #expect(try await SessionAttendance.query(on: app.db).all().map(\.staffId) == [attendee])
            // Visitors see the session's look-fors when they choose an attendee on the capture page; not for others.
            let capture = try JSONSerialization.jsonObject(with: Data(try await principal.get("/walkthroughs/capture-data").body.string.utf8)) as? [String: Any]
            let captureTeachers = try #require(capture?["teachers"] as? [[String: Any]])
            let followUps = { (teacher: String) in (captureTeachers.first { $0["id"] as? String == teacher }?["followUps"] as? [[String: Any]]) ?? [] }
            #expect(followUps(attendee).first?["lookFors"] as? [String] == ["Partners explain their reasoning"])
            #expect(followUps(other).isEmpty)
            let attendance = try await principal.get("/learning/sessions/\(id)/attendance.csv").body.string
            #expect(attendance.split(separator: "\r\n").count == 2 && attendance.contains(",\(attendee),"))
            #expect(try await teacher.get("/learning/sessions/\(id)/attendance.csv").status == .forbidden)

            let csv = try await principal.get("/learning/sessions/\(id)/impact.csv").body.string
            // Discourse: before 1 of 3 visits; after 1 of 1. Target: before 1 of 1 (the visit marked not applicable is
            // left out, the one that left it unmarked is not looked for); after 1 of 1. Together: before 3 visits,
            // 2 of 4 with 1 not looked for; after 1 visit, 2 of 2.
            #expect(csv.contains("Student discourse,before,3,1,,1,3,33%,0\r\n"))
            #expect(csv.contains("Student discourse,after,1,1,,1,1,100%,0\r\n"))
            #expect(csv.contains("Clear learning target,before,1,1,,1,1,100%,1\r\n"))
            #expect(csv.contains("Clear learning target,after,1,1,,1,1,100%,0\r\n"))
            #expect(csv.contains("All of the session's practices,before,3,1,,2,4,50%,1\r\n"))
            #expect(csv.contains("All of the session's practices,after,1,1,,2,2,100%,0\r\n"))
            // The attendee's ten students: 0 of 10 at mastery at the end of the month before, 7 of 10 now.
            #expect(csv.contains("mastery on the session's standards,before,,,10,0,10,0%\r\n"))
            #expect(csv.contains("mastery on the session's standards,now,,,10,7,10,70%\r\n"))
            let page = try await principal.get("/learning/sessions/\(id)/impact").body.string
            #expect(page.contains("+70 points") && page.contains("Before and after, not cause and effect."))

            // Everyone at the school reads the session; only planners see attendance and impact.
            let seen = try await teacher.get("/learning/sessions/\(id)"); #expect(seen.status == .ok, "\(seen.body.string.suffix(800))")
            #expect(!(try await teacher.page("/learning/sessions/\(id)").contains("Save attendance")))
            #expect(try await teacher.get("/learning/sessions/\(id)/impact").status == .forbidden)
            #expect(try await teacher.post("/learning/sessions/\(id)/attendance", form: ["attended[]": people.teacherId]).status == .forbidden)
            let elsewhere = TestClient(app)
            try await elsewhere.signIn(try #require(district.accounts.first { $0.grants.contains { $0.role == .principal && $0.schoolId == "school-2" } }?.email))
            #expect(try await elsewhere.get("/learning/sessions/\(id)").status == .forbidden)
            let coach = TestClient(app)
            try await coach.signIn(people.email(.coach))
            #expect(try await coach.get("/learning/sessions/\(id)/impact").status == .ok)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aTeacherOftenSeenWithGrowingClassesIsSuggestedAsMentorAndALeaderConfirms(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            try await loadSampleMathStandards(app)
            let people = DemoPeople(district: district)
            let classes = district.bundle.classes.filter { $0.schoolSourcedId == "school-1" }
            // The growing teacher is the demo's featured teacher (she can sign in); the mentor a colleague.
            let menteeClass = try #require(classes.first { people.teacher(of: $0.sourcedId) == people.teacherId })
            let mentorClass = try #require(classes.first { people.teacher(of: $0.sourcedId) != people.teacherId })
            let mentor = people.teacher(of: mentorClass.sourcedId), mentee = people.teacherId
            // Mentor's class: 2 → 3 (+100 points); mentee's: 3 → 2 (−100). Median growth 0: the mentor grows strongly.
            let rows = people.septemberAndOctoberScores([(mentorClass.sourcedId, 2, 3), (menteeClass.sourcedId, 3, 2)])
            _ = try await ScoreImport.write(ScoreFile.Rows(rows), importer: nil, on: app.db)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            // Discourse seen in 3 of 3 visits to the mentor, 0 of 3 to the mentee. Four more visits to the mentor leave
            // discourse unmarked: not looked for, so the mentor's share is 3 of 3 (counted as not seen, 3 of 7 would
            // be under half, and no mentor would be suggested).
            let now = Date().timeIntervalSince1970
            for (teacher, mark) in [(mentor, "observed"), (mentee, "not_observed")] {
                for hour in 1...3 {
                    #expect(try await principal.send(.POST, "/api/walkthroughs", json: visit(teacher, at: now - Double(hour) * 3_600, [("discourse", mark)])).status == .created)
                }
            }
            for hour in 4...7 {
                #expect(try await principal.send(.POST, "/api/walkthroughs", json: visit(mentor, at: now - Double(hour) * 3_600, [("rigor", "observed")])).status == .created)
            }
            let suggestions = try await LearningQueries(db: app.db).mentorSuggestions(schoolId: "school-1", framework: FrameworkStore.active(on: app.db).framework)
            let discourse = suggestions.filter { $0.indicator == "discourse" }.map(\.suggestion)
            #expect(discourse.map { [$0.mentor, $0.mentee] } == [[mentor, mentee]])
            #expect(discourse.first?.mentorGrowth == 100)
            #expect(try await principal.get("/mentors").body.string.contains("Seen in 3 of the 3 walkthroughs that looked for it; classes grew +100 points"))

            // Teachers may not confirm pairings; the principal does; the suggestion is then gone.
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            let form = ["school": "school-1", "indicator": "discourse", "mentorId": mentor, "menteeId": mentee]
            #expect(try await teacher.post("/mentors", form: form).status == .forbidden)
            #expect(try await principal.post("/mentors", form: form.merging(["school": "school-2"]) { $1 }).status == .forbidden)
            #expect(try await principal.post("/mentors", form: form).status == .seeOther)
            #expect(try await principal.post("/mentors", form: form).status == .unprocessableEntity)
            #expect(try await LearningQueries(db: app.db).mentorSuggestions(schoolId: "school-1", framework: FrameworkStore.active(on: app.db).framework)
                .filter { $0.indicator == "discourse" }.isEmpty)
            // The mentee visits the mentor: a peer visit, counted on the pairing both see.
            #expect(try await teacher.send(.POST, "/api/walkthroughs", json: visit(mentor, at: Date().timeIntervalSince1970 + 1, [("discourse", "observed")], type: .peer)).status == .created)
            let mine = try await teacher.get("/mentors").body.string
            #expect(mine.contains("Student discourse") && mine.contains("<td class=\"num\">1 <a href=\"/walkthroughs/new\">Log a peer visit</a>"))
            #expect(!mine.contains("Suggested from the evidence"))
            let pairing = try #require(try await MentorPairing.query(on: app.db).first())
            #expect(try await teacher.post("/mentors/\(pairing.id!)/end", form: [:]).status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aGrowthGoalIsTheTeachersAndOnlyTheirCoachAndSchoolLeadersReadIt(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let teacher = TestClient(app), principal = TestClient(app), coach = TestClient(app), teacherLeader = TestClient(app), districtLeader = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            try await principal.signIn(people.email(.principal))
            try await coach.signIn(people.email(.coach))
            try await teacherLeader.signIn(people.email(.teacherLeader))
            try await districtLeader.signIn(people.email(.districtLeader))
            let path = "/growth/teachers/\(people.teacherId)"
            #expect(try await teacher.get("/growth").headers.first(name: .location) == path)
            #expect(try await teacher.get("/").body.string.contains("Set a growth goal"))

            // A goal needs words and at least one practice; nothing is saved otherwise.
            #expect(try await teacher.post("\(path)/goal", form: ["statement": "Better questions"]).status == .unprocessableEntity)
            #expect(try await GrowthGoal.query(on: app.db).count() == 0)
            #expect(try await teacher.post("\(path)/goal", form: ["statement": "Every student talks about the math each lesson", "indicators[]": "discourse"]).status == .seeOther)
            // Only the teacher sets it.
            #expect(try await principal.post("\(path)/goal", form: ["statement": "x", "indicators[]": "discourse"]).status == .forbidden)

            // A shared walkthrough after the goal, seeing discourse, is feedback toward it.
            // A second one leaves discourse unmarked: not looked for, so out of the share.
            let observed = visit(people.teacherId, at: Date().timeIntervalSince1970 + 1, [("discourse", "observed"), ("learning-target", "observed")])
            #expect(try await principal.send(.POST, "/api/walkthroughs", json: observed).status == .created)
            let unmarked = visit(people.teacherId, at: Date().timeIntervalSince1970 + 2, [("learning-target", "observed")])
            #expect(try await principal.send(.POST, "/api/walkthroughs", json: unmarked).status == .created)
            let page = try await teacher.get(path).body.string
            #expect(page.contains("Every student talks about the math each lesson"))
            #expect(!(try await teacher.page("/").contains("Set a growth goal")))
            #expect(page.contains("in 2 shared walkthroughs: these practices were seen 1 of the 1 times they were looked for (100%); 1 more times they were not looked for."))
            #expect(page.contains("Student discourse: Observed"))

            #expect(try await teacher.post("\(path)/reflections", form: ["body": "Turn-and-talk worked in math, less in reading."]).status == .seeOther)
            #expect(try await principal.get(path).body.string.contains("Turn-and-talk worked in math"))
            #expect(try await principal.post("\(path)/reflections", form: ["body": "x"]).status == .forbidden)

            // The coach reads it only once the teacher is on the caseload; a teacher leader and district roles never.
            #expect(try await coach.get(path).status == .forbidden)
            let coachId = try #require(district.accounts.first { $0.isFeatured && $0.grants.first?.role == .coach }?.sourcedId)
            #expect(try await principal.post("/coaching/caseloads", form: ["coachId": coachId, "teacherId": people.teacherId, "school": "school-1"]).status == .seeOther)
            #expect(try await coach.get(path).status == .ok)
            #expect(try await coach.get("/growth").body.string.contains("Every student talks about the math each lesson"))
            #expect(try await teacherLeader.get(path).status == .forbidden)
            #expect(try await districtLeader.get(path).status == .forbidden)

            // A new goal closes the old one, which stays in the history.
            #expect(try await teacher.post("\(path)/goal", form: ["statement": "Checks for understanding every lesson", "indicators[]": "checks-for-understanding"]).status == .seeOther)
            let goals = try await GrowthGoal.query(on: app.db).all()
            #expect(goals.count == 2 && goals.filter { $0.closedAt == nil }.map(\.statement) == ["Checks for understanding every lesson"])
            #expect(try await teacher.get(path).body.string.contains("Earlier goals"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func aPLCRunsACycleOfInquiryThatTheSchoolsLeadersCanFollow(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let colleague = try #require(district.bundle.users.first { $0.role == "teacher" && $0.orgSourcedIds == ["school-1"] && $0.sourcedId != people.teacherId }).sourcedId
            let elsewhere = try #require(district.bundle.users.first { $0.role == "teacher" && $0.orgSourcedIds == ["school-2"] }).sourcedId
            let lead = TestClient(app), teacher = TestClient(app), principal = TestClient(app)
            try await lead.signIn(people.email(.teacherLeader))
            try await teacher.signIn(people.teacherEmail)
            try await principal.signIn(people.email(.principal))

            // A teacher may not start one; a teacher leader may, with teachers of the school only.
            #expect(try await teacher.post("/plcs", form: ["school": "school-1", "name": "Grade K", "members[]": people.teacherId]).status == .forbidden)
            #expect(try await lead.post("/plcs", form: ["school": "school-1", "name": "Grade K", "members[]": elsewhere]).status == .unprocessableEntity)
            #expect(try await PLCTeam.query(on: app.db).count() == 0)
            #expect(try await lead.post("/plcs", form: ["school": "school-1", "name": "Grade K team", "focus": "Kindergarten", "members[]": people.teacherId]).status == .seeOther)
            let team = try #require(try await PLCTeam.query(on: app.db).first())

            // The member writes notes and opens a cycle; linking another school's assessment is refused.
            let path = "/plcs/\(team.id!)"
            #expect(try await teacher.post("\(path)/meetings", form: ["heldOn": "2026-11-02", "notes": "Looked at the letter-sounds check."]).status == .seeOther)
            #expect(try await teacher.post("\(path)/cycles", form: ["question": "Why do a third of our students miss short vowels?", "assessments[]": "not-ours"]).status == .unprocessableEntity)
            #expect(try await teacher.post("\(path)/cycles", form: ["question": "Why do a third of our students miss short vowels?"]).status == .seeOther)
            let cycle = try #require(try await InquiryCycle.query(on: app.db).first())
            #expect(cycle.status == "question")
            #expect(try await teacher.post("\(path)/cycles/\(cycle.id!)", form: ["status": "action", "plan": "Daily 5-minute vowel warm-up", "action": "Two weeks of warm-ups"]).status == .seeOther)
            // Only those who start PLCs change the members.
            #expect(try await teacher.post("\(path)/members", form: ["members[]": colleague]).status == .forbidden)

            // The principal follows the cycle's stage; a colleague outside the team and another school's staff do not see it.
            let index = try await principal.get("/plcs").body.string
            #expect(index.contains("Why do a third of our students miss short vowels?") && index.contains("Acting"))
            #expect(try await principal.get(path).body.string.contains("Daily 5-minute vowel warm-up"))
            let otherSchool = TestClient(app)
            try await otherSchool.signIn(try #require(district.accounts.first { $0.grants.contains { $0.role == .principal && $0.schoolId == "school-2" } }?.email))
            #expect(try await otherSchool.get(path).status == .forbidden)
            #expect(try await otherSchool.post("\(path)/meetings", form: ["heldOn": "2026-11-02", "notes": "x"]).status == .forbidden)
            // The principal may write too (school leaders work in their school's PLCs); a bad day is refused.
            #expect(try await principal.post("\(path)/meetings", form: ["heldOn": "2 Nov", "notes": "x"]).status == .unprocessableEntity)
            #expect(try await PLCMeeting.query(on: app.db).count() == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aPLCTeamsOwnEvidenceProposesNeedsTheSchoolsNumbersHide(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let colleagues = district.bundle.users.filter { $0.role == "teacher" && $0.orgSourcedIds == ["school-1"] && $0.sourcedId != people.teacherId }.map(\.sourcedId)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            // The featured teacher: discourse seen in 2 of 10 visits. A colleague outside the team: in 10 of 10.
            // The school: 12 of 20 (60%), not proposed. The team: 2 of 10 (20%), proposed.
            let now = Date().timeIntervalSince1970
            for index in 0..<10 {
                #expect(try await principal.send(.POST, "/api/walkthroughs", json: visit(people.teacherId, at: now - Double(index + 1) * 600,
                                                                                          [("discourse", index < 2 ? "observed" : "not_observed")])).status == .created)
                #expect(try await principal.send(.POST, "/api/walkthroughs", json: visit(colleagues[2], at: now - Double(index + 1) * 700, [("discourse", "observed")])).status == .created)
            }
            #expect(!(try await principal.page("/learning?scope=school-1").contains("Seen in 12 of the 20")))
            #expect(try await principal.post("/plcs", form: ["school": "school-1", "name": "K team", "members[]": people.teacherId]).status == .seeOther)
            let team = try #require(try await PLCTeam.query(on: app.db).first())
            // One member is too few to read a team's evidence.
            #expect(try await principal.post("/learning/needs", form: ["scope": "school-1", "team": team.id!, "kind": "practice", "key": "discourse"]).status == .unprocessableEntity)
            // Two more members, added directly (the test client sends one value per field).
            try await app.db.transaction { db in
                for member in [colleagues[0], colleagues[1]] {
                    let row = PLCMember()
                    row.id = "\(team.id!)|\(member)"
                    row.teamId = team.id!
                    row.staffId = member
                    try await row.create(on: db)
                }
            }
            let hub = try await principal.get("/learning?scope=school-1&team=\(team.id!)").body.string
            #expect(hub.contains("Seen in 2 of the 10 walkthroughs that looked for it (20%) in the team&#39;s classrooms this school year."))
            let teacherLeader = TestClient(app)
            try await teacherLeader.signIn(people.email(.teacherLeader))
            #expect(try await teacherLeader.post("/learning/needs", form: ["scope": "school-1", "team": team.id!, "kind": "practice", "key": "discourse"]).status == .forbidden)
            #expect(try await principal.post("/learning/needs", form: ["scope": "school-1", "team": team.id!, "kind": "practice", "key": "discourse"]).status == .seeOther)
            let need = try #require(try await LearningNeed.query(on: app.db).first())
            #expect(need.teamId == team.id && need.title == "Student discourse — K team" && need.evidenceLink == "/plcs/\(team.id!)")
            #expect(try await principal.get("/plcs/\(team.id!)").body.string.contains("<strong>Student discourse — K team</strong>"))
            // Accepted for the team, it is no longer proposed for the team; the school's proposals are not affected.
            #expect(try await principal.post("/learning/needs", form: ["scope": "school-1", "team": team.id!, "kind": "practice", "key": "discourse"]).status == .unprocessableEntity)
        }
    }
}
