import Fluent
import Foundation
import LodestarCore
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Coaching")
struct CoachingTests {
    @Test(arguments: TestDatabase.all)
    func principalAssignsCaseloadCoachRecordsAConversationTeacherFollowsUp(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let coachId = try #require(district.accounts.first { $0.isFeatured && $0.grants.first?.role == .coach }?.sourcedId)
            let otherTeacher = try #require(district.bundle.users.first { $0.role == "teacher" && $0.orgSourcedIds == ["school-1"] && $0.sourcedId != people.teacherId }).sourcedId

            let coach = TestClient(app)
            try await coach.signIn(people.email(.coach))
            // Before the teacher is on the caseload, the coach sees nothing of theirs.
            #expect(try await coach.get("/coaching/teachers/\(people.teacherId)").status == .forbidden)
            #expect(try await coach.post("/coaching/caseloads", form: ["coachId": coachId, "teacherId": people.teacherId, "school": "school-1"]).status == .forbidden)

            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.post("/coaching/caseloads", form: ["coachId": coachId, "teacherId": people.teacherId, "school": "school-1"]).status == .seeOther)
            #expect(try await principal.post("/coaching/caseloads", form: ["coachId": coachId, "teacherId": people.teacherId, "school": "school-2"]).status == .forbidden)

            let overview = try await coach.get("/coaching")
            #expect(overview.body.string.contains("/coaching/teachers/\(people.teacherId)"))
            let tomorrow = DisplayTime.isoDay(Int(Date().timeIntervalSince1970) + 86_400)
            let nextWeek = DisplayTime.isoDay(Int(Date().timeIntervalSince1970) + 7 * 86_400)
            // A step without a due date is refused, and nothing is saved.
            let missingDue = try await coach.post("/coaching/teachers/\(people.teacherId)/conversations", form: [
                "heldOn": DisplayTime.isoDay(Int(Date().timeIntervalSince1970)), "notes": "Talked about discourse.",
                "stepText[]": "Plan two turn-and-talks", "stepOwner[]": "teacher", "stepDue[]": ""])
            #expect(missingDue.status == .unprocessableEntity)
            #expect(try await CoachingConversation.query(on: app.db).count() == 0)

            let saved = try await coach.post("/coaching/teachers/\(people.teacherId)/conversations", form: [
                "heldOn": DisplayTime.isoDay(Int(Date().timeIntervalSince1970)), "focus[]": "discourse",
                "notes": "Talked about discourse.", "stepText[]": "Plan two turn-and-talks", "stepOwner[]": "teacher", "stepDue[]": nextWeek,
                "followUpOn": tomorrow])
            #expect(saved.status == .seeOther)
            #expect(try await CoachingStep.query(on: app.db).count() == 1)
            #expect(try await ScheduledVisit.query(on: app.db).filter(\.$teacherId == people.teacherId).count() == 1)

            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            let record = try await teacher.get("/coaching/teachers/\(people.teacherId)")
            #expect(record.status == .ok)
            #expect(record.body.string.contains("Plan two turn-and-talks"))
            #expect(record.body.string.contains("Student discourse"))
            // The conversation was given a day: it shows that day, with no time made up for it.
            #expect(record.body.string.contains(DisplayTime.date(Int(Date().timeIntervalSince1970))))
            #expect(!record.body.string.contains("12:00 AM"))
            let step = try #require(try await CoachingStep.query(on: app.db).first())
            #expect(try await teacher.post("/coaching/steps/\(step.id!)/done", form: [:]).status == .seeOther)
            #expect(try await CoachingStep.find(step.id, on: app.db)?.doneAt != nil)
            #expect(try await teacher.get("/feedback").body.string.contains("Follow-up on our coaching conversation"))

            // A colleague sees none of it; the coach sees no teacher off the caseload.
            let colleague = TestClient(app)
            try await colleague.signIn(people.email(.teacherLeader))
            #expect(try await colleague.get("/coaching/teachers/\(people.teacherId)").status == .forbidden)
            #expect(try await colleague.post("/coaching/steps/\(step.id!)/done", form: [:]).status == .forbidden)
            #expect(try await coach.get("/coaching/teachers/\(otherTeacher)").status == .forbidden)
            #expect(try await coach.post("/coaching/teachers/\(otherTeacher)/conversations", form: ["heldOn": tomorrow, "notes": "x"]).status == .forbidden)
        }
    }
}
