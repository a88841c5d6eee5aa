import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// The succession bench of school-1, on both databases.
@Suite("Succession")
struct SuccessionTests {
    @Test(arguments: TestDatabase.all)
    func thePrincipalKeepsTheBenchAndTheDistrictSeesWhereNoOneIsReady(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let principal = try await LeadershipTests.client(app, people.email(.principal))
            let sql = app.db.sql
            // The demo's school-1 bench: the assistant principal ready now for principal, the teacher leader ready now for
            // coach, the coach in 1–2 years for assistant principal, the featured teacher in 1–2 years for teacher leader.
            let page = LeadershipTests.text(try await principal.page("/succession/school-1"))
            #expect(page.contains("Teacher leader no one ready now"))
            #expect(!page.contains("Principal no one ready now") && !page.contains("Instructional coach no one ready now"))
            #expect(page.contains("Nora Washington — 1–2 years. Facilitate the grade team's next cycle of inquiry. (Time in the schedule for teachers to learn together)"))
            #expect(page.contains("In the last 90 days: "))

            // Someone not at the school, or no development goal: refused, nothing changes.
            let count = { try await sql.raw("SELECT COUNT(*) AS n FROM succession_bench").first()!.decode(column: "n", as: Int.self) }
            let before = try await count()
            let outsider = try #require(try await sql.raw("SELECT staff_id FROM role_grants WHERE school_id = 'school-2' AND role = 'teacher' ORDER BY staff_id LIMIT 1").first())
                .decode(column: "staff_id", as: String.self)
            #expect(try await principal.post("/succession/school-1", form: ["staffId": outsider, "role": "coach", "readiness": "ready now", "development": "x"]).status == .unprocessableEntity)
            #expect(try await principal.post("/succession/school-1", form: ["staffId": people.teacherId, "role": "teacher_leader", "readiness": "ready now", "development": " "]).status == .unprocessableEntity)
            #expect(try await count() == before)
            // Nora is ready now: the teacher-leader role has a successor.
            #expect(try await principal.post("/succession/school-1", form: ["staffId": people.teacherId, "role": "teacher_leader", "readiness": "ready now",
                                                                             "development": "Lead the grade team's cycle.", "indicator": "succession"]).status == .seeOther)
            #expect(try await count() == before)
            let after = LeadershipTests.text(try await principal.page("/succession/school-1"))
            #expect(!after.contains("Teacher leader no one ready now") && after.contains("Assistant principal no one ready now"))

            // Only the principal and district leaders.
            for role in [StaffRole.assistantPrincipal, .coach, .teacherLeader, .districtAdmin] {
                #expect(try await LeadershipTests.client(app, people.email(role)).get("/succession/school-1").status == .forbidden, "\(role)")
            }
            #expect(try await LeadershipTests.client(app, people.teacherEmail).get("/succession/school-1").status == .forbidden)
            let otherPrincipal = try #require(district.accounts.first { $0.grants.contains(RoleGrant(role: .principal, schoolId: "school-2")) })
            #expect(try await LeadershipTests.client(app, otherPrincipal.email).get("/succession/school-1").status == .forbidden)
            let leader = LeadershipTests.text(try await LeadershipTests.client(app, people.email(.districtLeader)).page("/succession"))
            #expect(leader.contains("Lincoln Elementary School 1 ready now · 1 on the bench 0 ready now · 1 on the bench 1 ready now · 1 on the bench 1 ready now · 1 on the bench"))
        }
    }
}
