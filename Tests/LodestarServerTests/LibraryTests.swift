import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// The practice library on the demo district, on both databases: adding with moderation, the checks on links and
/// files, downloads, who sees what, sharing from feedback, saving and rating.
@Suite("Practice library")
struct LibraryTests {
    static func count(_ sql: any SQLDatabase, _ table: String) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()!.decode(column: "n", as: Int.self)
    }

    @Test(arguments: TestDatabase.all)
    func aTeachersAdditionWaitsAndFilesAreCheckedAndServedAsDownloads(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let teacher = try await LeadershipTests.client(app, people.teacherEmail)
            let principal = try await LeadershipTests.client(app, people.email(.principal))
            let colleagueEmail = try await sql.raw("""
                SELECT s.email FROM staff s JOIN role_grants g ON g.staff_id = s.id WHERE g.role = 'teacher' AND g.school_id = 'school-1' AND s.id <> \(bind: people.teacherId)
                AND s.id NOT IN (SELECT staff_id FROM role_grants WHERE role <> 'teacher') ORDER BY s.id
                """).first()!.decode(column: "email", as: String.self)
            let otherSchoolTeacher = try await sql.raw("SELECT s.email FROM staff s JOIN role_grants g ON g.staff_id = s.id WHERE g.role = 'teacher' AND g.school_id = 'school-2' ORDER BY s.id").first()!.decode(column: "email", as: String.self)

            // Refused, each with its reason, and nothing stored.
            let items = try await Self.count(sql, "library_items"), files = try await Self.count(sql, "library_files")
            for (form, message) in [(["kind": "link", "title": "Video", "url": "http://example.org/v"], "A link must be a full https:// address"),
                                    (["kind": "link", "title": "Video", "url": "javascript:alert(1)"], "A link must be a full https:// address"),
                                    (["kind": "note", "title": " ", "note": "x"], "Give it a title"),
                                    (["kind": "note", "title": "Tip", "note": ""], "Write the note."),
                                    (["kind": "note", "title": "Tip", "note": "x", "practice_no-such-practice": "on"], ""),
                                    (["kind": "note", "title": "Tip", "note": "x", "standards": "CV.MATH.99.9"], "No standard has the code “CV.MATH.99.9”."),
                                    (["kind": "podcast", "title": "Tip"], "Choose whether it is a link, a file or a note.")] {
                let response = try await teacher.post("/library", form: form)
                if message.isEmpty {
                    // A practice the framework does not have is not a checkbox of the form: it is ignored, and the note is added.
                    #expect(response.status == .seeOther)
                    try await sql.raw("DELETE FROM library_items WHERE title = 'Tip'").run()
                } else {
                    #expect(response.status == .unprocessableEntity, "\(form)")
                    #expect(LeadershipTests.text(response.body.string).contains(message), "\(form)")
                }
            }
            for (name, bytes, message) in [("tool.exe", Array("MZ\u{0}\u{0}".utf8), "is not a file the library keeps"),
                                           ("planner.txt", Array("%PDF-1.7 pretending".utf8), "is not a file the library keeps"),
                                           ("photo.png", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0], "is not a file the library keeps")] {
                let response = try await teacher.upload("/library", file: Data(bytes), field: "file", fileName: name, fields: ["kind": "file", "title": "A file"])
                #expect(response.status == .unprocessableEntity, "\(name)")
                #expect(LeadershipTests.text(response.body.string).contains(message), "\(name)")
            }
            let tooBig = try await teacher.upload("/library", file: Data(count: 10 * 1024 * 1024 + 1), field: "file", fileName: "big.pdf", fields: ["kind": "file", "title": "Big"])
            #expect(tooBig.status == .payloadTooLarge)
            #expect(try await Self.count(sql, "library_items") == items)
            #expect(try await Self.count(sql, "library_files") == files)

            // A PNG with an unsafe name: stored, pending (a teacher added it), and served as a download with a safe name.
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4]
            let added = try await teacher.upload("/library", file: Data(png), field: "file", fileName: "Anchor chart (grade 1) é.png",
                                                 fields: ["kind": "file", "title": "Anchor chart", "practice_routines": "on", "band_0": "on", "standards": "CV.MATH.K.1"])
            #expect(added.status == .seeOther, "\(LeadershipTests.text(added.body.string).prefix(600))")
            let id = try #require(added.headers.first(name: .location)?.split(separator: "/").last.map(String.init))
            let row = try #require(try await sql.raw("SELECT practices, standards, bands, status, file_type, file_size FROM library_items WHERE id = \(bind: id)").first())
            #expect(try row.decode(column: "practices", as: String.self) == "routines")
            #expect(try row.decode(column: "bands", as: String.self) == "K–2")
            #expect(try row.decode(column: "status", as: String.self) == "pending")
            #expect(try row.decode(column: "file_type", as: String.self) == "png" && row.decode(column: "file_size", as: Int.self) == 12)
            #expect(try await teacher.get("/library/\(id)").status == .ok)
            let download = try await teacher.get("/library/\(id)/file")
            #expect(download.status == .ok && Array(download.body.readableBytesView) == png)
            #expect(download.headers.first(name: .contentType) == "image/png")
            #expect(download.headers.first(name: .contentDisposition) == "attachment; filename=\"Anchor_chart__grade_1___.png\"; filename*=UTF-8''Anchor%20chart%20%28grade%201%29%20%C3%A9.png")
            #expect(download.headers.first(name: "X-Content-Type-Options") == "nosniff" && download.headers.first(name: "Content-Security-Policy") == "sandbox")

            // Waiting: a colleague and a teacher of another school do not find it; the principal approves it; then the
            // colleague does, and the other school still does not.
            let colleague = try await LeadershipTests.client(app, colleagueEmail)
            let elsewhere = try await LeadershipTests.client(app, otherSchoolTeacher)
            #expect(try await colleague.get("/library/\(id)").status == .notFound)
            #expect(try await colleague.get("/library/\(id)/file").status == .notFound)
            #expect(!(try await colleague.page("/library")).contains("data-item=\"\(id)\""))
            #expect(try await teacher.post("/library/\(id)/approve", form: [:]).status == .forbidden)
            #expect(try await principal.page("/library").contains("Waiting for your approval"))
            #expect(try await principal.post("/library/\(id)/approve", form: [:]).status == .seeOther)
            #expect(try await colleague.page("/library").contains("data-item=\"\(id)\""))
            #expect(try await elsewhere.get("/library/\(id)").status == .notFound)
            #expect(try await elsewhere.get("/library/\(id)/file").status == .notFound)

            // The district's resources are everyone's; a teacher may not remove an approved one, the principal may.
            #expect(try await teacher.post("/library/\(id)/remove", form: [:]).status == .forbidden)
            #expect(try await principal.post("/library/\(id)/remove", form: [:]).status == .seeOther)
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM library_files WHERE id = \(bind: id)").first()!.decode(column: "n", as: Int.self) == 0)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aLeaderSharesFromFeedbackAndTheTeacherSavesAndRates(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let principalId = district.accounts.first { $0.isFeatured && $0.grants.first?.role == .principal }!.sourcedId!
            let principal = try await LeadershipTests.client(app, people.email(.principal))
            let teacher = try await LeadershipTests.client(app, people.teacherEmail)

            // The principal's latest walkthrough of the teacher suggests resources on its practices, most matching first.
            let walkthrough = try #require(try await WalkthroughQueries(db: app.db).visits(to: people.teacherId, by: principalId, limit: 1).first)
            let marked = Set(try await sql.raw("SELECT indicator_key FROM indicator_marks WHERE walkthrough_id = \(bind: walkthrough.id!)").all().map { try $0.decode(column: "indicator_key", as: String.self) })
            let page = try await principal.page("/walkthroughs/\(walkthrough.id!)")
            let suggested = page.matches(of: /<li><a href="\/library\/([^"]+)">/).map { String($0.1) }
            var expected: [(id: String, matches: Int)] = []
            for row in try await sql.raw("SELECT id, practices FROM library_items WHERE status = 'approved' AND (school_id IS NULL OR school_id = 'school-1')").all() {
                let n = Set(try row.decode(column: "practices", as: String.self).split(separator: ",").map(String.init)).intersection(marked).count
                if n > 0 { expected.append((try row.decode(column: "id", as: String.self), n)) }
            }
            #expect(Set(suggested).isSubset(of: Set(expected.map(\.id))) && suggested.count == min(5, expected.count))
            #expect(suggested.map { id in expected.first { $0.id == id }!.matches } == suggested.map { id in expected.first { $0.id == id }!.matches }.sorted(by: >))
            let item = try #require(suggested.first)
            let teacherPageBefore = LeadershipTests.text(try await teacher.page("/"))

            let shared = try await principal.post("/library/\(item)/share", form: ["teacherId": people.teacherId, "note": "Try it Thursday.", "walkthroughId": walkthrough.id!])
            #expect(shared.status == .seeOther && shared.headers.first(name: .location) == "/walkthroughs/\(walkthrough.id!)#library")
            #expect(try await sql.raw("SELECT COUNT(*) AS n FROM library_shares WHERE item_id = \(bind: item) AND to_id = \(bind: people.teacherId) AND walkthrough_id = \(bind: walkthrough.id!) AND note = 'Try it Thursday.'").first()!.decode(column: "n", as: Int.self) == 1)
            let today = LeadershipTests.text(try await teacher.page("/"))
            #expect(today.contains("Shared with you") && today.contains("Try it Thursday.") && !teacherPageBefore.contains("Try it Thursday."))

            // Who may share: not the teacher, not a coach with a teacher off their caseload, not another school's resource.
            let shares = try await Self.count(sql, "library_shares")
            #expect(try await teacher.post("/library/\(item)/share", form: ["teacherId": people.teacherId]).status == .forbidden)
            let coachId = district.accounts.first { $0.isFeatured && $0.grants.first?.role == .coach }!.sourcedId!
            let offCaseload = try #require(try await sql.raw("""
                SELECT g.staff_id FROM role_grants g WHERE g.role = 'teacher' AND g.school_id = 'school-1'
                AND g.staff_id NOT IN (SELECT teacher_id FROM caseloads WHERE coach_id = \(bind: coachId)) ORDER BY g.staff_id
                """).first()).decode(column: "staff_id", as: String.self)
            let coach = try await LeadershipTests.client(app, people.email(.coach))
            #expect(try await coach.post("/library/\(item)/share", form: ["teacherId": offCaseload]).status == .forbidden)
            let elsewhere = try await LibraryQueries(db: app.db).add(LibraryEntry(kind: .note, title: "Roosevelt's own", url: "", note: "x", practices: [], standards: [], bands: []),
                                                                      schoolId: "school-2", approved: true, by: DemoLoader.adminId, file: nil)
            let leader = try await LeadershipTests.client(app, people.email(.districtLeader))
            #expect(try await leader.post("/library/\(elsewhere.id!)/share", form: ["teacherId": people.teacherId]).status == .unprocessableEntity)
            #expect(try await principal.post("/library/\(item)/share", form: ["teacherId": people.teacherId, "note": String(repeating: "n", count: 501)]).status == .unprocessableEntity)
            #expect(try await Self.count(sql, "library_shares") == shares)

            // Saving and rating: the demo teacher rated the first district note 5; the principal rates it 4: 4.5 from 2.
            let rated = try await sql.raw("SELECT item_id FROM library_saves WHERE rating = 5").first()!.decode(column: "item_id", as: String.self)
            #expect(try await principal.post("/library/\(rated)/save", form: ["rating": "9"]).status == .unprocessableEntity)
            #expect(try await principal.post("/library/\(rated)/save", form: ["rating": "4"]).status == .seeOther)
            #expect(LeadershipTests.text(try await teacher.page("/library/\(rated)")).contains("4.5 of 5, from 2 ratings"))
            #expect(try await teacher.post("/library/\(rated)/save", form: ["action": "unsave"]).status == .seeOther)
            #expect(LeadershipTests.text(try await teacher.page("/library/\(rated)")).contains("4.0 of 5, from 1 rating"))
            #expect(!(try await teacher.page("/library?view=saved")).contains("data-item=\"\(rated)\""))

            // An open need suggests resources on its practice or standard.
            let need = try #require(try await sql.raw("SELECT subject_key FROM learning_needs WHERE scope = 'school-1' AND status = 'open' ORDER BY id").first())
            let key = String(try need.decode(column: "subject_key", as: String.self).split(separator: "|")[0])
            let tagged = try await LibraryQueries(db: app.db).add(LibraryEntry(kind: .note, title: "For the need", url: "", note: "x", practices: [key], standards: [key], bands: []),
                                                                   schoolId: "school-1", approved: true, by: principalId, file: nil)
            #expect(try await principal.page("/learning?scope=school-1").contains("<a href=\"/library/\(tagged.id!)\">For the need</a>"))
        }
    }
}
