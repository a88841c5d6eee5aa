import Fluent
import Foundation
import LodestarCore
import NIOCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// What one request, one bad file or one anonymous visitor can reach (issue 16): each test here failed on
/// the `main` of 1 December 2026.
@Suite("Hardening")
struct HardeningTests {
    /// The first character a spreadsheet reads as the start of a formula (OWASP), and what a plain number is.
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]
    static func isPlainNumber(_ cell: String) -> Bool { cell.wholeMatch(of: /[+-]?[0-9]*\.?[0-9]+/) != nil }

    @Test(arguments: TestDatabase.all)
    func malformedPathsAreAnsweredAndTheServerGoesOn(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let visitor = TestClient(app)
            for path in ["/%ff", "/../Package.swift", "/css/%2e%2e/%2e%2e/Package.swift", "/css/../../Package.swift", "/%2e%2e/%2e%2e/etc/passwd",
                         "/css/%00", "/js/%c0%ae%c0%ae/Package.swift", "/%", "/css/lodestar.css%ff", "/" + String(repeating: "a", count: 8_000)] {
                let response = try await visitor.get(path)
                #expect([400, 403, 404, 414].contains(response.status.code), "\(path.prefix(60)): \(response.status)")
                #expect(response.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true, "\(path)")
                #expect(response.headers.first(name: .cacheControl) == "no-store", "\(path)")
                #expect(!response.body.string.contains("import PackageDescription"))
            }
            #expect(try await visitor.get("/signin").status == .ok)
        }
    }

    @Test(arguments: TestDatabase.all)
    func everyKindOfResponseCarriesTheSecurityHeaders(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let visitor = TestClient(app)
            let stylesheet = try await visitor.get("/css/lodestar.css")
            let redirect = try await visitor.get("/classes")
            let missing = try await visitor.get("/no-such-page")
            let principal = TestClient(app)
            try await principal.signIn(DemoPeople(district: district).email(.principal))
            let page = try await principal.get("/schools/school-1")
            #expect(stylesheet.status == .ok && redirect.status == .seeOther && missing.status == .notFound && page.status == .ok)
            for response in [stylesheet, redirect, missing, page] {
                #expect(response.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(response.headers.first(name: "Referrer-Policy") == "same-origin")
                #expect(response.headers.first(name: "Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
            }
            // Pages (a school's, with its students' numbers) are never kept by a browser or proxy; static files may be.
            for response in [redirect, missing, page] { #expect(response.headers.first(name: .cacheControl) == "no-store") }
            #expect(stylesheet.headers.first(name: .cacheControl) != "no-store")
        }
    }

    /// Every CSV export, with names, titles and a sign-in identifier that are formulas: no cell of any file
    /// starts a formula, negative numbers stay numbers, and the values are there, neutralised.
    @Test func noExportHoldsACellThatRunsAsAFormula() async throws {
        try await withLodestar(.sqlite) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let ids = try await RouteMatrixTests.Ids.load(district, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let evil = "=HYPERLINK(\"http://evil.example\",\"Open\")"
            try await sql.raw("UPDATE students SET given_name = \(bind: evil), family_name = \(bind: "@SUM(A1)")").run()
            try await sql.raw("UPDATE staff SET family_name = \(bind: "+cmd|' /C calc'!A0") WHERE email NOT LIKE 'admin%'").run()
            try await sql.raw("UPDATE orgs SET name = \(bind: "-") || name").run()
            try await sql.raw("UPDATE classes SET title = \(bind: "=") || title").run()
            try await sql.raw("UPDATE goals SET statement = \(bind: "=1+1")").run()
            try await sql.raw("UPDATE action_steps SET text = \(bind: "\t=2+2")").run()
            try await sql.raw("UPDATE time_entries SET title = \(bind: "\r=3+3")").run()
            try await sql.raw("UPDATE learning_needs SET title = \(bind: "@need")").run()
            try await sql.raw("UPDATE learning_sessions SET title = \(bind: "+session")").run()
            try await sql.raw("UPDATE self_assessment_team_ratings SET evidence = \(bind: "=team()")").run()
            let visitor = TestClient(app)
            try await visitor.get("/signin")
            #expect(try await visitor.post("/signin", form: ["identifier": evil, "password": "x"]).status == .unauthorized)

            let admin = TestClient(app), principal = TestClient(app)
            try await admin.signIn(people.email(.districtAdmin))
            try await principal.signIn(people.email(.principal))
            let exports = app.routes.all.map { "\($0.method.rawValue) /\($0.path.map(\.description).joined(separator: "/"))" }
                .filter { $0.hasPrefix("GET ") && $0.hasSuffix(".csv") }.sorted()
            #expect(exports.count >= 15)
            var neutralised: [String: Int] = [:]
            for route in exports {
                let path = try #require(ids.path(route, .own))
                let client = route.hasPrefix("GET /time/") || route.hasPrefix("GET /leadership/") ? principal : admin
                let response = try await client.get(path + (route == "GET /learning/needs.csv" ? "?scope=school-1" : ""))
                #expect(response.status == .ok, "\(route): \(response.status)")
                let table = try CSVTable(fileName: route, bytes: Array(response.body.readableBytesView))
                for cell in table.columns.header + table.records.flatMap(\.fields) {
                    if let first = cell.first, Self.formulaStarts.contains(first) {
                        #expect(Self.isPlainNumber(cell), "\(route): the cell “\(cell)” starts a formula")
                    }
                    if cell.hasPrefix("'"), let second = cell.dropFirst().first, Self.formulaStarts.contains(second) { neutralised[route, default: 0] += 1 }
                }
            }
            for route in ["GET /admin/audit.csv", "GET /schools/:schoolId/students.csv", "GET /classes/:classId/mastery.csv", "GET /goals/:scope/goals.csv",
                          "GET /goals/:scope/steps.csv", "GET /time/:leaderId/time.csv", "GET /learning/needs.csv", "GET /insights/feedback.csv",
                          "GET /leadership/:schoolId/:year/ratings.csv"] {
                #expect((neutralised[route] ?? 0) > 0, "\(route): no poisoned value reached the file, so it proves nothing")
            }
            let audit = try await admin.get("/admin/audit.csv").body.string
            #expect(audit.contains("'=hyperlink(\"\"http://evil.example\"\",\"\"open\"\")"))
            // Negative gaps stay numbers.
            let equity = try await admin.get("/insights/equity.csv").body.string
            #expect(equity.contains(",-"))
        }
    }

    @Test func theCSVWriterRule() {
        var csv = CSVWriter(header: ["a", "b", "c", "d", "e", "f", "g"])
        csv.append(["=1+1", "-12", "-0.5", "+5", "@x", "\tx", "-1+2"])
        #expect(csv.text == "a,b,c,d,e,f,g\r\n'=1+1,-12,-0.5,+5,'@x,'\tx,'-1+2\r\n")
        var exchange = CSVWriter(header: ["name"], readBy: .program)
        exchange.append(["=kept as it is"])
        #expect(exchange.text == "name\r\n=kept as it is\r\n")
    }

    @Test func downloadNamesKeepToASafeAlphabet() {
        var headers = HTTPHeaders()
        headers.setDownload(named: "mastery-c\"1\r\nSet-Cookie: x=y.csv")
        let value = headers.first(name: .contentDisposition)!
        #expect(value == "attachment; filename=\"mastery-c_1__Set-Cookie__x_y.csv\"; filename*=UTF-8''mastery-c%221%0D%0ASet-Cookie%3A%20x%3Dy.csv")
        headers.setDownload(named: "time-jada.green.csv")
        #expect(headers.first(name: .contentDisposition) == "attachment; filename=\"time-jada.green.csv\"")
    }

    @Test(arguments: ["\r", "\n", "\u{0}", "\t"])
    func rosterIdsWithControlCharactersAreRefusedWithTheirPlace(_ character: String) throws {
        let orgs = "sourcedId,status,dateLastModified,name,type\n\"sch\(character)1\",active,,School,school\n"
        let files = ["manifest.csv": "propertyName,value\noneroster.version,1.1\nfile.orgs,bulk\n", "orgs.csv": orgs].mapValues { Array($0.utf8) }
        Self.expectRefusal(naming: ["orgs.csv", "line 2", "sourcedId", "control character"]) { try OneRosterParser.parse(files: files) }
    }

    /// Expects `work` to be refused with a message naming each of `parts` (file, line, column, reason).
    static func expectRefusal(naming parts: [String], sourceLocation: SourceLocation = #_sourceLocation, _ work: () throws -> Void) {
        #expect(sourceLocation: sourceLocation) { try work() } throws: { error in parts.allSatisfy { "\(error)".contains($0) } }
    }

    @Test(arguments: TestDatabase.all)
    func refusedRequestsAreInTheAuditTrailWithinALimit(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let teacher = TestClient(app)
            try await teacher.signIn(DemoPeople(district: district).teacherEmail)
            #expect(try await teacher.get("/admin/people").status == .forbidden)
            teacher.csrf = "forged"
            #expect(try await teacher.post("/goals/school-1", form: ["statement": "x"]).status == .forbidden)
            let refused = try await app.db.sql.raw("SELECT staff_id, action, subject FROM audit_events WHERE action LIKE 'request refused:%' ORDER BY at, subject").all()
                .map { "\(try $0.decode(column: "action", as: String.self)) \(try $0.decode(column: "subject", as: String.self))" }
            #expect(Set(refused) == ["request refused: 403 Forbidden GET /admin/people", "request refused: 403 Forbidden POST /goals/:scope"])
            // From one address, twenty in ten minutes; then the log only.
            let log = RefusalLog()
            let start = Date()
            for _ in 0..<RefusalLog.perAddress { #expect(await log.admit("192.0.2.9", now: start)) }
            #expect(await !log.admit("192.0.2.9", now: start))
            #expect(await log.admit("192.0.2.10", now: start))
            #expect(await log.admit("192.0.2.9", now: start.addingTimeInterval(RefusalLog.window + 1)))
        }
    }

    @Test(arguments: TestDatabase.all)
    func aNoticeInTheAddressIsNotShown(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let admin = TestClient(app)
            try await admin.signIn(DemoPeople(district: district).email(.districtAdmin))
            let forged = "Your session expired: sign in again at evil.example"
            for path in ["/admin", "/admin/people/\(DemoPeople(district: district).teacherId)", "/admin/frameworks", "/admin/scales", "/admin/mastery",
                         "/learning", "/mentors", "/coaching", "/time/categories", "/walkthroughs/coverage"] {
                let page = try await admin.get(path + "?notice=" + forged.urlQueryEncoded)
                #expect(page.status == .ok, "\(path)")
                #expect(!page.body.string.contains("evil.example"), "\(path) shows the address's notice")
            }
            // A notice Lodestar leaves is shown once, after the redirect.
            #expect(try await admin.post("/time/categories/new", form: ["name": "Family meetings", "kind": "management"]).status == .seeOther)
            #expect(try await admin.get("/time/categories").body.string.contains("Added."))
            #expect(!(try await admin.page("/time/categories").contains("Added.")))
        }
    }

    @Test(arguments: TestDatabase.all)
    func anActionStepsOwnerIsFromTheGoalsSchool(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: true, on: app.db)
            let people = DemoPeople(district: district)
            let sql = app.db.sql
            let goal = try #require(try await sql.raw("SELECT id FROM goals WHERE scope = 'school-1' LIMIT 1").first()?.decode(column: "id", as: String.self))
            let otherTeacher = try #require(try await sql.raw("SELECT staff_id FROM role_grants WHERE role = 'teacher' AND school_id = 'school-2' LIMIT 1").first()?.decode(column: "staff_id", as: String.self))
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            let dueOn = DisplayTime.isoDay(Int(Date().timeIntervalSince1970) + 7 * 86_400)
            let refused = try await principal.post("/goals/school-1/\(goal)/steps", form: ["text": "Walk the other school", "ownerId": otherTeacher, "dueOn": dueOn])
            #expect(refused.status == .unprocessableEntity)
            #expect(try await sql.raw("SELECT id FROM action_steps WHERE owner_id = \(bind: otherTeacher)").all().isEmpty)
            #expect(try await principal.post("/goals/school-1/\(goal)/steps", form: ["text": "Walk our own", "ownerId": people.teacherId, "dueOn": dueOn]).status == .seeOther)
        }
    }

    @Test func scoreFilesKeepTheTitleLimit() {
        let title = String(repeating: "T", count: ScoreFile.titleLength + 1)
        let csv = "assessment,date,class,student,standard,score\n\(title),2026-09-10,class1,user1,CV.ELA.2.2,4\n"
        Self.expectRefusal(naming: ["scores.csv", "line 2", "assessment", "at most 200"]) {
            _ = try ScoreFile.parse(Array(csv.utf8), fileName: "scores.csv", scale: .fourLevel)
        }
    }

    @Test(arguments: TestDatabase.all)
    func aRosterNeverWritesAnAccountMadeInLodestarNorTakesItsEmail(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            try await OneRosterImport.run(path: OneRosterImportTests.oat, on: app.db)
            try await runCommand(app, ["user", "add", "it.admin@district.example", "--given", "Ida", "--family", "Admin", "--role", "district_admin"])
            let local = try #require(try await Staff.query(on: app.db).filter(\.$email == "it.admin@district.example").first())
            let header = "sourcedId,status,dateLastModified,orgSourcedIds,role,username,givenName,familyName,email"
            func delta(_ rows: String) throws -> [String: [UInt8]] {
                try OneRosterImportTests.oatFiles { files in
                    files["manifest.csv"] = "propertyName,value\noneroster.version,1.1\nfile.users,delta\nfile.orgs,absent\nfile.enrollments,absent\nfile.classes,absent\nfile.courses,absent\nfile.academicSessions,absent\nfile.demographics,absent\n"
                    files["users.csv"] = header + "\n" + rows
                }
            }
            // A row with the local account's id is refused, with its line; the account is as it was.
            let renamed = try await OneRosterImport.run(files: try delta("\(local.id!),active,,12345,administrator,x,Mallory,Renamed,mallory@evil.example\n"), on: app.db)
            #expect(renamed.warnings.contains { $0.contains("users.csv line 2") && $0.contains(local.id!) && $0.contains("refused") })
            let after = try #require(try await Staff.find(local.id!, on: app.db))
            #expect(after.givenName == "Ida" && after.email == "it.admin@district.example" && after.passwordHash == local.passwordHash)
            // A row that takes the local account's email refuses the whole import.
            await #expect {
                try await OneRosterImport.run(files: try delta("t-new,active,,12345,teacher,t,Tom,New,IT.Admin@district.example\n"), on: app.db)
            } throws: { "\($0)".contains("users.csv") && "\($0)".contains("line 2") && "\($0)".contains("already has") }
            #expect(try await Staff.find("t-new", on: app.db) == nil)
            // The database refuses a second account with one email, whoever writes it.
            await #expect(throws: (any Error).self) {
                try await app.db.sql.raw("INSERT INTO staff (id, given_name, family_name, email, username, identifier, roster_role, org_ids, source, is_enabled) VALUES ('x2', 'X', 'Y', 'IT.ADMIN@district.example', '', '', '', '', 'local', true)").run()
            }
            // A delta that changes a rostered staff member is applied (it answered 500 before).
            try await OneRosterImport.run(files: try delta("t-1,active,,12345,teacher,t1,Tess,First,tess@district.example\n"), on: app.db)
            let changed = try await OneRosterImport.run(files: try delta("t-1,active,,12345,teacher,t1,Tess,Second,tess@district.example\n"), on: app.db)
            #expect(changed.counts("staff")?.updated == 1)
            #expect(try await Staff.find("t-1", on: app.db)?.familyName == "Second")
        }
    }

    @Test func zipsAreReadByWhatTheyHoldNotWhatTheySay() throws {
        let roster = Data("sourcedId,name,type\n1,School,school\n".utf8)
        // Six megabytes of one byte: a small zip that inflates a thousandfold.
        let bomb = try zipArchive([("users.csv", Data(repeating: 0x41, count: 6 * 1024 * 1024))])
        #expect(bomb.count < 64 * 1024)
        #expect { try OneRosterImport.readZip(bomb, name: "bomb.zip") } throws: { "\($0)".contains("expands more than 250 times") }
        // Past the limit on what all files inflate to, counted as they inflate.
        let large = try zipArchive([("users.csv", Data((0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }))])
        #expect { try OneRosterImport.readZip(large, name: "large.zip", limits: .init(expanded: 1024 * 1024)) } throws: { "\($0)".contains("expands to more than 1 MB") }
        // The declared size patched small does not get a larger file through.
        var patched = large
        patchDeclaredSizes(in: &patched, to: 1_000)
        #expect(throws: LodestarError.self) { try OneRosterImport.readZip(patched, name: "patched.zip", limits: .init(expanded: 1024 * 1024)) }
        // Two files of one name in different folders: which one is meant cannot be known.
        let twice = try zipArchive([("a/orgs.csv", roster), ("b/orgs.csv", roster)])
        #expect { try OneRosterImport.readZip(twice, name: "twice.zip") } throws: { "\($0)".contains("holds orgs.csv twice") }
        // Too many entries.
        let many = try zipArchive((0..<30).map { ("f\($0).txt", Data()) })
        #expect { try OneRosterImport.readZip(many, name: "many.zip", limits: .init(entries: 20)) } throws: { "\($0)".contains("more than 20 files") }
        #expect(try OneRosterImport.readZip(try zipArchive([("export/orgs.csv", roster)]), name: "fine.zip")["orgs.csv"] == Array(roster))
        // A file that is not a zip but holds the end-of-zip signature 100 KB before its end (as one in twenty
        // files of 200 MB of random bytes does somewhere) is not a zip; a real zip's end record is in its tail.
        var notAZip = Data(repeating: 0x20, count: 200 * 1024)
        notAZip.replaceSubrange(100 * 1024..<(100 * 1024 + 22), with: [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
        #expect { try OneRosterImport.readZip(notAZip, name: "random.zip") } throws: { "\($0)".contains("random.zip is not a zip file") }
        // A real zip with a comment after its end record is still read.
        var commented = try zipArchive([("orgs.csv", roster)])
        commented[commented.count - 2] = 5
        commented.append(Data("hello".utf8))
        #expect(try OneRosterImport.readZip(commented, name: "commented.zip")["orgs.csv"] == Array(roster))
    }

    /// Sets the uncompressed size of every entry, in the local headers and the central directory, to `size`.
    func patchDeclaredSizes(in data: inout Data, to size: UInt32) {
        let bytes = [UInt8](data)
        var patched = bytes
        func write(_ value: UInt32, at offset: Int) { for k in 0..<4 { patched[offset + k] = UInt8((value >> (8 * UInt32(k))) & 0xFF) } }
        for offset in 0..<(bytes.count - 4) {
            if bytes[offset..<offset + 4] == [0x50, 0x4B, 0x03, 0x04] { write(size, at: offset + 22) }
            if bytes[offset..<offset + 4] == [0x50, 0x4B, 0x01, 0x02] { write(size, at: offset + 24) }
        }
        data = Data(patched)
    }

    @Test(arguments: TestDatabase.all)
    func uploadsAreReadOnlyByThoseWhoMayUpload(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let file = Data("sourcedId,name,type\n".utf8)
            // Signed out: to sign in, the body unread; a multipart body to a page that takes none: refused.
            let visitor = TestClient(app)
            try await visitor.get("/signin")
            #expect(try await visitor.upload("/admin/import", file: file, field: "bundle", fileName: "roster.zip").headers.first(name: .location) == "/signin")
            #expect(try await visitor.upload("/signin", file: file, field: "bundle", fileName: "roster.zip").status == .forbidden)
            // A teacher may not import a roster: refused before the body is read, so no form is even looked at.
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            #expect(try await teacher.upload("/admin/import", file: file, field: "bundle", fileName: "roster.zip").status == .forbidden)
            // An upload without the form's token is refused once read.
            let admin = TestClient(app)
            try await admin.signIn(people.email(.districtAdmin))
            let token = admin.csrf
            admin.csrf = "forged"
            #expect(try await admin.upload("/admin/import", file: file, field: "bundle", fileName: "roster.zip").status == .forbidden)
            admin.csrf = token
            // Past the route's limit: 413 with a page that says so.
            let tooLarge = try await admin.upload("/admin/frameworks/import", file: Data(count: 3 * 1024 * 1024), field: "file", fileName: "framework.json")
            #expect(tooLarge.status == .payloadTooLarge)
            #expect(tooLarge.body.string.contains("larger than 2 MB"))
        }
    }

    /// An upload's body is read as it arrives: the file to a temporary file, the fields kept short. A body that is
    /// not a form of ours is refused, never trusted: an empty multipart boundary stopped the process before
    /// (MultipartKit traps on one), and any teacher may send one to the score import.
    @Test(arguments: TestDatabase.all)
    func uploadBodiesAreReadAsTheyArriveAndRefusedWhenMalformed(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let teacher = TestClient(app)
            try await teacher.signIn(DemoPeople(district: district).teacherEmail)
            let token = try #require(teacher.csrf)
            for contentType in ["multipart/form-data; boundary=\"\"", "multipart/form-data; boundary=", "multipart/form-data",
                                "multipart/form-data; boundary=\(String(repeating: "b", count: 200))"] {
                let response = try await teacher.post("/assessments/import", contentType: contentType,
                                                      body: Data("--\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token)\r\n--\r\n".utf8))
                #expect(response.status == .forbidden, "\(contentType): \(response.status)")
            }
            // A part that never ends is no file: the page asks for one.
            let cut = try await teacher.post("/assessments/import", contentType: "multipart/form-data; boundary=x", body: Data(
                "--x\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(token)\r\n--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.csv\"\r\n\r\nstudent_id,".utf8))
            #expect(cut.status == .unprocessableEntity)
            #expect(cut.body.string.contains("Choose a score file"))
            // More fields, or longer ones, than any form of Lodestar's has: refused with a reason.
            let many = (0..<30).map { "--x\r\nContent-Disposition: form-data; name=\"f\($0)\"\r\n\r\nv\r\n" }.joined() + "--x--\r\n"
            let tooMany = try await teacher.post("/assessments/import", contentType: "multipart/form-data; boundary=x", body: Data(many.utf8))
            #expect(tooMany.status == .unprocessableEntity)
            #expect(tooMany.body.string.contains("more fields than any"))
            let long = try await teacher.upload("/assessments/import", file: Data("x".utf8), field: "file", fileName: "s.csv",
                                                fields: ["title": String(repeating: "t", count: 5_000)])
            #expect(long.status == .unprocessableEntity)
            #expect(long.body.string.contains("longer than any"))
            // The server goes on, and a real upload is read: the file's rows reach the importer, which names the line.
            let file = Data("assessment,date,class,student,standard,score\nQuiz,2026-09-01,nowhere,nobody,none,3\n".utf8)
            let imported = try await teacher.upload("/assessments/import", file: file, field: "file", fileName: "scores.csv")
            #expect(imported.status == .unprocessableEntity)
            #expect(imported.body.string.contains("scores.csv"))
        }
    }
}
