import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// Hiring on the demo's opening at school-1 (committee: the principal, assistant principal, teacher leader and the
/// featured teacher; Maya Ortiz rated by all at screening and by three at the interview), on both databases.
@Suite("Hiring")
struct HiringTests {
    static let opening = "/hiring/\(DemoTalentLoader.openingId)"
    static let maya = "\(opening)/candidates/\(DemoTalentLoader.openingId)-candidate-1"

    /// The part of a candidate page about one step.
    static func step(_ html: String, _ number: Int) -> String {
        guard let start = html.range(of: "id=\"step-\(number)\"") else { return "" }
        let rest = html[start.upperBound...]
        return String(rest[..<(rest.range(of: "</section>")?.lowerBound ?? rest.endIndex)])
    }

    static func teacherRatings(level: String, evidence: String, step: Int, leaving out: String? = nil) -> [String: String] {
        var fields = ["step": String(step)]
        for criterion in HiringProfile.lodestarDefaults[1].criteria where criterion.key != out {
            fields["level_\(step)_\(criterion.key)"] = level
            fields["evidence_\(step)_\(criterion.key)"] = evidence
        }
        return fields
    }

    @Test(arguments: TestDatabase.all)
    func aMemberSeesTheCommitteesRatingsOnlyAfterRatingTheStep(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let teacher = try await LeadershipTests.client(app, people.teacherEmail)
            let before = try await teacher.page(Self.maya)
            #expect(Self.step(before, 0).contains("Jada Green: "), "screening, rated by everyone, shows the committee's ratings")
            let blind = Self.step(before, 1)
            #expect(blind.contains("3 of 4 members have rated this step") && blind.contains("Rate this step on your own first"))
            #expect(!blind.contains("Jada Green: ") && !blind.contains("ratings from"), "another member's rating is shown before one's own")
            // A rating with a criterion left out is refused, and nothing is kept.
            let count = { try await app.db.sql.raw("SELECT COUNT(*) AS n FROM candidate_ratings WHERE member_id = \(bind: people.teacherId) AND step = 1").first()!.decode(column: "n", as: Int.self) }
            #expect(try await teacher.post("\(Self.maya)/ratings", form: Self.teacherRatings(level: "3", evidence: "Clear.", step: 1, leaving: "collaborates")).status == .unprocessableEntity)
            #expect(try await count() == 0)
            #expect(try await teacher.post("\(Self.maya)/ratings", form: Self.teacherRatings(level: "2", evidence: "Talked over the students.", step: 1)).status == .seeOther)
            #expect(try await count() == 5)
            let open = LeadershipTests.text(Self.step(try await teacher.page(Self.maya), 1))
            #expect(open.contains("Jada Green: ") && open.contains("Nora Washington: 2 · Emerging. Talked over the students."))
            // Members of the committee only rate; they do not decide, export or delete.
            #expect(try await teacher.post("\(Self.maya)/decision", form: ["decision": "hired", "reason": "x"]).status == .forbidden)
            #expect(try await teacher.get("\(Self.maya)/export").status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func onlyTheCommitteeThePrincipalAndTheDistrictSeeAnOpening(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let coach = try await LeadershipTests.client(app, people.email(.coach))
            #expect(try await coach.get(Self.opening).status == .forbidden)
            #expect(try await coach.get(Self.maya).status == .forbidden)
            #expect(try await coach.get("/hiring").status == .forbidden)
            let peer = try #require(try await app.db.sql.raw("""
                SELECT s.email FROM staff s JOIN role_grants g ON g.staff_id = s.id
                WHERE g.role = 'teacher' AND g.school_id = 'school-1' AND s.id <> \(bind: people.teacherId) ORDER BY s.id LIMIT 1
                """).first()).decode(column: "email", as: String.self)
            #expect(try await LeadershipTests.client(app, peer).get(Self.maya).status == .forbidden)
            let otherPrincipal = try #require(district.accounts.first { $0.grants.contains(RoleGrant(role: .principal, schoolId: "school-2")) })
            #expect(try await LeadershipTests.client(app, otherPrincipal.email).get(Self.maya).status == .forbidden)
            // A leader who is not on the committee but runs hiring sees every rating as it comes.
            let leader = try await LeadershipTests.client(app, people.email(.districtLeader))
            #expect(Self.step(try await leader.page(Self.maya), 1).contains("Jada Green: "))
        }
    }

    @Test(arguments: TestDatabase.all)
    func theDecisionIsAuditedAndACandidatesDataGoesOnRequestOrAfterTheRetentionPeriod(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let principal = try await LeadershipTests.client(app, DemoPeople(district: district).email(.principal))
            let sql = app.db.sql
            let maya = DemoTalentLoader.openingId + "-candidate-1", daniel = DemoTalentLoader.openingId + "-candidate-2", priya = DemoTalentLoader.openingId + "-candidate-3"
            func rows(_ candidate: String) async throws -> (candidates: Int, ratings: Int) {
                (try await sql.raw("SELECT COUNT(*) AS n FROM candidates WHERE id = \(bind: candidate)").first()!.decode(column: "n", as: Int.self),
                 try await sql.raw("SELECT COUNT(*) AS n FROM candidate_ratings WHERE candidate_id = \(bind: candidate)").first()!.decode(column: "n", as: Int.self))
            }
            func audited(_ action: String, _ candidate: String) async throws -> Int {
                try await sql.raw("SELECT COUNT(*) AS n FROM audit_events WHERE action = \(bind: action) AND subject = \(bind: "candidate " + candidate)").first()!.decode(column: "n", as: Int.self)
            }
            // The decision needs its reason; it is audited and starts the retention period.
            #expect(try await principal.post("\(Self.maya)/decision", form: ["decision": "hired", "reason": " "]).status == .unprocessableEntity)
            let before = Int(Date().timeIntervalSince1970)
            #expect(try await principal.post("\(Self.maya)/decision", form: ["decision": "hired", "reason": "Strongest at every step; the team wants her."]).status == .seeOther)
            #expect(try await audited("hiring decision: hired", maya) == 1)
            let deleteAfter = try await sql.raw("SELECT delete_after AS n FROM candidates WHERE id = \(bind: maya)").first()!.decode(column: "n", as: Int.self)
            #expect(deleteAfter >= before + 365 * 86_400 && deleteAfter <= before + 365 * 86_400 + 60)
            #expect(try await sql.raw("SELECT status FROM openings WHERE id = \(bind: DemoTalentLoader.openingId)").first()!.decode(column: "status", as: String.self) == "filled")

            // The record on request: exported whole (audited), then deleted with every rating (audited).
            let export = try await principal.get("\(Self.maya)/export")
            #expect(export.status == .ok)
            let record = try JSONSerialization.jsonObject(with: Data(export.body.readableBytesView)) as! [String: Any]
            let stored = try await rows(maya).ratings
            #expect(record["name"] as? String == "Maya Ortiz" && (record["ratings"] as? [Any])?.count == stored && stored == 35)
            #expect(try await audited("exported a candidate's record", maya) == 1)
            #expect(try await rows(daniel) == (1, 25))
            #expect(try await principal.post("\(Self.opening)/candidates/\(daniel)/delete", form: ["confirm": "yes"]).status == .unprocessableEntity)
            #expect(try await rows(daniel) == (1, 25))
            #expect(try await principal.post("\(Self.opening)/candidates/\(daniel)/delete", form: ["confirm": "delete"]).status == .seeOther)
            #expect(try await rows(daniel) == (0, 0))
            #expect(try await audited("deleted a candidate's record on request", daniel) == 1)

            // After the retention period: Priya's ends now, Maya's in a year.
            let now = Int(Date().timeIntervalSince1970)
            try await sql.raw("UPDATE candidates SET delete_after = \(bind: now - 1) WHERE id = \(bind: priya)").run()
            #expect(try await HiringQueries(db: app.db).deleteExpired(now: now) == 1)
            #expect(try await rows(priya) == (0, 0))
            #expect(try await rows(maya).candidates == 1)
            #expect(try await HiringQueries(db: app.db).deleteExpired(now: deleteAfter) == 1)
            #expect(try await rows(maya) == (0, 0))
        }
    }

    /// The district edits a profile's criteria and steps on one page; a bad line is refused with its field and line and
    /// nothing changes; a new opening hires against the edited profile while the demo's opening keeps its copy.
    @Test(arguments: TestDatabase.all)
    func theDistrictEditsAProfileAndNewOpeningsUseIt(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let leader = try await LeadershipTests.client(app, people.email(.districtLeader))
            let sql = app.db.sql
            func stored() async throws -> String {
                try await sql.raw("SELECT definition FROM hiring_profiles WHERE id = 'teacher'").first()!.decode(column: "definition", as: String.self)
            }
            #expect(LeadershipTests.text(try await leader.page("/hiring/profiles")).contains("Checks for understanding: Checks what students learned during the lesson and changes course from it."))
            let before = try await stored()

            let refused = try await leader.post("/hiring/profiles/teacher", form: ["name": "Teacher", "steps": "Screening\nInterview",
                                                                               "criteria": "Knows the content: Plans from the standards.\nReflects on practice"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Criteria, line 2: write the criterion&#39;s name, a colon, then what strong looks like."))
            #expect(try await stored() == before, "a refused form changes nothing")

            let saved = try await leader.post("/hiring/profiles/teacher", form: ["name": "Classroom teacher", "steps": "Screening\n\nDemonstration lesson\nReferences",
                                                                             "criteria": "Knows the content: Plans from the standards.\nReflects on practice: Names what they would change and why."])
            #expect(saved.status == .seeOther)
            let profile = try JSONDecoder().decode(HiringProfile.self, from: Data(try await stored().utf8))
            #expect(profile == HiringProfile(name: "Classroom teacher", role: "teacher", criteria: [
                .init(key: "knows-the-content", name: "Knows the content", descriptor: "Plans from the standards."),
                .init(key: "reflects-on-practice", name: "Reflects on practice", descriptor: "Names what they would change and why."),
            ], steps: ["Screening", "Demonstration lesson", "References"]))

            let principal = try await LeadershipTests.client(app, people.email(.principal))
            #expect(try await principal.get("/hiring/profiles").status == .forbidden)
            let opened = try await principal.post("/hiring", form: ["school": "school-1", "title": "Grade 5 teacher", "profile": "teacher"])
            #expect(opened.status == .seeOther)
            let page = LeadershipTests.text(try await principal.page(opened.headers.first(name: .location)!))
            #expect(page.contains("Reflects on practice") && page.contains("References") && !page.contains("Checks for understanding"))
            let demo = LeadershipTests.text(try await principal.page(Self.opening))
            #expect(demo.contains("Checks for understanding") && !demo.contains("Reflects on practice"), "the demo's opening keeps the profile it opened with")
        }
    }
}
