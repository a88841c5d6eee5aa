import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// Priority standards on the demo's standards (two per grade in Mathematics and English language arts, none yet in
/// grade 12 English language arts), on both databases.
@Suite("Priority standards")
struct PriorityStandardsTests {
    @Test(arguments: TestDatabase.all)
    func theDistrictMarksPrioritiesWithReasonsAndEveryoneSeesThemAndTheGaps(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let ela = "/standards/priorities?document=\(DemoStandards.documentId("English Language Arts"))"
            func rows() async throws -> [String] {
                try await sql.raw("SELECT id, reasons, note FROM priority_standards ORDER BY id").all().map {
                    "\(try $0.decode(column: "id", as: String.self)) \(try $0.decode(column: "reasons", as: String.self)) \(try $0.decode(column: "note", as: String.self))"
                }
            }

            // A teacher reads them: grade 3's two, with their reasons, and grade 12 shown as the gap.
            let teacher = try await LeadershipTests.client(app, people.teacherEmail)
            let page = try await teacher.page(ela)
            #expect(page.matches(of: /data-priority="([^"]+)"/).map { String($0.1) }.filter { $0.hasPrefix("cv-ela-03-") } == ["cv-ela-03-1", "cv-ela-03-2"])
            #expect(page.matches(of: /data-priority=/).count == 24)
            #expect(LeadershipTests.text(page).contains("CV.ELA.3.2 Determine the main idea of a text and explain how details support it Endurance, Leverage"))
            #expect(LeadershipTests.text(page).contains("No priority standard yet: Grade 12."))
            #expect(try await teacher.post("/standards/cv-ela-12-3/priority", form: ["reasons[]": "readiness", "action": "save"]).status == .forbidden)
            let principal = try await LeadershipTests.client(app, people.email(.principal))
            #expect(try await principal.post("/standards/cv-ela-12-3/priority", form: ["reasons[]": "readiness", "action": "save"]).status == .forbidden)

            // The district leader: a reason Lodestar does not know, no reason, or a note too long is refused and changes nothing.
            let leader = try await LeadershipTests.client(app, people.email(.districtLeader))
            let before = try await rows()
            for form in [["reasons[]": "urgent", "action": "save"], ["action": "save", "note": "No reason given."],
                         ["reasons[]": "readiness", "action": "save", "note": String(repeating: "n", count: 301)]] {
                let refused = try await leader.post("/standards/cv-ela-12-3/priority", form: form)
                #expect(refused.status == .unprocessableEntity, "\(form)")
                #expect(refused.body.string.contains("Choose at least one reason (endurance, leverage, readiness) and keep the note to 300 characters."))
            }
            #expect(try await rows() == before)

            // Marked: grade 12 has its priority and the gap is gone; taken off again, it returns.
            #expect(try await leader.post("/standards/cv-ela-12-3/priority", form: ["reasons[]": "readiness", "action": "save", "note": "Research carries into college."]).status == .seeOther)
            #expect(try await rows() == (before + ["cv-ela-12-3 readiness Research carries into college."]).sorted())
            let marked = try await teacher.page(ela)
            #expect(marked.contains("data-priority=\"cv-ela-12-3\"") && !marked.contains("data-gaps"))
            #expect(LeadershipTests.text(try await teacher.page("/standards/cv-ela-12-3")).contains("Priority standard: Readiness. Research carries into college."))
            #expect(try await leader.post("/standards/cv-ela-12-3/priority", form: ["action": "remove"]).status == .seeOther)
            #expect(try await rows() == before)

            // Learning trends narrowed to priority standards list only those with results.
            let trends = try await leader.page("/insights/learning?school=school-1&priority=1")
            let listed = Set(trends.matches(of: /<th scope="row"><a href="\/standards\/([^"]+)">/).map { String($0.1) })
            let priorities = Set(before.map { String($0.split(separator: " ")[0]) })
            #expect(!listed.isEmpty && listed.isSubset(of: priorities), "\(listed.subtracting(priorities))")
            let all = Set(try await leader.page("/insights/learning?school=school-1").matches(of: /<th scope="row"><a href="\/standards\/([^"]+)">/).map { String($0.1) })
            #expect(listed == all.intersection(priorities))
        }
    }
}
