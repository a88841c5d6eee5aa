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

    /// The vertical alignment of the demo's English language arts priorities: each builds on the grade before and leads
    /// to the next, from the package's links, except grade 8, which the package does not link to grade 9. The district
    /// adds the missing link by code (a wrong code is refused and changes nothing) and can take its own link away.
    @Test(arguments: TestDatabase.all)
    func theAlignmentFollowsTheLinksAndTheDistrictFillsAGap(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let page = "/standards/alignment?document=\(DemoStandards.documentId("English Language Arts"))"
            let teacher = try await LeadershipTests.client(app, people.teacherEmail)
            func unlinked() async throws -> [String] {
                try await teacher.page(page).matches(of: /<tr data-standard="([^"]+)" class="overdue">/).map { String($0.1) }
            }
            #expect(try await unlinked() == ["cv-ela-08-1", "cv-ela-08-2"])
            let alignment = try await teacher.page(page)
            #expect(alignment.contains("data-unlinked=\"2\""))
            let row = try #require(alignment.firstMatch(of: /<tr data-standard="cv-ela-03-2">(.*?)<\/tr>/.dotMatchesNewlines()).map { LeadershipTests.text(String($0.1)) })
            #expect(row.contains("CV.ELA.2.2 priority") && row.contains("CV.ELA.4.2 priority"), "\(row)")

            let leader = try await LeadershipTests.client(app, people.email(.districtLeader))
            func links() async throws -> Int { try await sql.raw("SELECT COUNT(*) AS n FROM standard_links").first()!.decode(column: "n", as: Int.self) }
            let before = try await links()
            for code in ["CV.ELA.99.1", "CV.ELA.8.1", "CV.ELA.7.1", "CV.ELA.8.3"] {
                // No such standard; the standard itself; one of an earlier grade; then one of the same grade, which may follow it.
                let response = try await leader.post("/standards/cv-ela-08-1/links", form: ["code": code])
                #expect(response.status == (code == "CV.ELA.8.3" ? .seeOther : .unprocessableEntity), "\(code)")
            }
            #expect(try await links() == before + 1)
            #expect(try await leader.post("/standards/cv-ela-07-1/links", form: ["code": "CV.ELA.8.1"]).status == .unprocessableEntity, "the package already links them")
            #expect(try await leader.post("/standards/cv-ela-08-1/links", form: ["code": "CV.ELA.9.1"]).status == .seeOther)
            #expect(try await unlinked() == ["cv-ela-08-2"])
            #expect(LeadershipTests.text(try await teacher.page("/standards/cv-ela-09-1")).contains("Builds on: CV.ELA.8.1"))
            let added = try #require(try await sql.raw("SELECT id FROM standard_links WHERE origin_id = 'cv-ela-08-1' AND destination_id = 'cv-ela-09-1'").first()).decode(column: "id", as: String.self)
            #expect(try await teacher.post("/standards/cv-ela-08-1/links/\(added)/delete", form: [:]).status == .forbidden)
            let packaged = try #require(try await sql.raw("SELECT id FROM standard_links WHERE document_id IS NOT NULL").first()).decode(column: "id", as: String.self)
            #expect(try await leader.post("/standards/cv-ela-08-1/links/\(packaged)/delete", form: [:]).status == .notFound, "a package's links change only with the package")
            #expect(try await leader.post("/standards/cv-ela-08-1/links/\(added)/delete", form: [:]).status == .seeOther)
            #expect(try await unlinked() == ["cv-ela-08-1", "cv-ela-08-2"])

            // Importing the package again replaces its links and keeps the district's.
            #expect(try await leader.post("/standards/cv-ela-08-1/links", form: ["code": "CV.ELA.9.1"]).status == .seeOther)
            let count = try await links()
            try await StandardsStore.save(DemoStandards.packages[1], subject: nil, on: app.db)
            #expect(try await links() == count)
        }
    }
}
