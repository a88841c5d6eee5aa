import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("OneRoster import")
struct OneRosterImportTests {
    static let oat = sharedData.appendingPathComponent("oneroster/v1p1-oat-sample").path
    static let catalyst = sharedData.appendingPathComponent("oneroster/v1p2-catalyst-sample").path
    static let catalystZip = sharedData.appendingPathComponent("oneroster/v1p2-catalyst-full.zip").path

    /// Row counts of every roster table, to show an import left the database as it was.
    static func snapshot(_ db: any Database) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for table in ["orgs", "academic_sessions", "courses", "classes", "students", "staff", "enrollments", "role_grants"] {
            counts[table] = try await db.sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()!.decode(column: "n", as: Int.self)
        }
        return counts
    }

    /// The OAT sample's files, changed by `edit`, as an in-memory bundle.
    static func oatFiles(_ edit: (inout [String: String]) -> Void) throws -> [String: [UInt8]] {
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: oat) {
            files[name] = try String(contentsOfFile: oat + "/" + name, encoding: .utf8)
        }
        edit(&files)
        return files.mapValues { Array($0.utf8) }
    }

    /// Adds a record at the end of a file, whether or not the file ends with a line break.
    static func append(_ row: String, to file: String, in files: inout [String: String]) {
        let text = files[file]!
        files[file] = text + (text.hasSuffix("\n") ? "" : "\n") + row + "\n"
    }

    @Test(arguments: TestDatabase.all)
    func oneRoster11SampleImportsAndReimportChangesNothing(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let report = try await OneRosterImport.run(path: Self.oat, on: app.db)
            #expect(report.counts("orgs") == SyncCounts(created: 2))
            #expect(report.counts("classes") == SyncCounts(created: 3))
            #expect(report.counts("students") == SyncCounts(created: 2))
            #expect(report.counts("enrollments") == SyncCounts(created: 3))
            let student = try #require(try await Student.find("user1", on: app.db))
            #expect(student.givenName == "ionut")
            #expect(student.schoolId == "12345")
            #expect(try await SchoolClass.find("class1", on: app.db)?.grades == "02")

            let again = try await OneRosterImport.run(path: Self.oat, on: app.db)
            #expect(again.changedNothing)
            #expect(again.counts("students") == SyncCounts(unchanged: 2))
        }
    }

    @Test(arguments: TestDatabase.all)
    func oneRoster12SampleTakesRolesFromRolesFile(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let report = try await OneRosterImport.run(path: Self.catalyst, on: app.db)
            #expect(report.counts("students") == SyncCounts(created: 1))
            let student = try #require(try await Student.find("USER_0", on: app.db))
            #expect(student.familyName == "Wayne")
            #expect(student.birthDate == "2010-04-17")
            #expect(student.schoolId == "ORG_1")
            #expect(try await Enrollment.query(on: app.db).count() == 1)
            #expect(try await OneRosterImport.run(path: Self.catalyst, on: app.db).changedNothing)
        }
    }

    @Test(arguments: TestDatabase.all)
    func zippedExportWithDanglingReferencesImportsWithWarnings(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let report = try await OneRosterImport.run(path: Self.catalystZip, on: app.db)
            // The tobedeleted class is not created; its enrollments are skipped; the parent is not kept.
            #expect(report.counts("classes") == SyncCounts(created: 1))
            #expect(report.counts("students") == SyncCounts(created: 3))
            #expect(report.counts("staff") == SyncCounts(created: 2))
            #expect(report.counts("enrollments") == SyncCounts(created: 3))
            #expect(report.warnings.contains { $0.contains("family members") })
            #expect(report.warnings.contains { $0.contains("course crs-222-2023-456-12345") })
            #expect(try await OneRosterImport.run(path: Self.catalystZip, on: app.db).changedNothing)
        }
    }

    @Test(arguments: TestDatabase.all)
    func manyWarningsOfOneKindAreSummarised(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let files = try Self.oatFiles { files in
                for n in 1...8 { Self.append("extra\(n),active,,Class \(n),2,missing-course,,scheduled,,12345,1,,", to: "classes.csv", in: &files) }
            }
            let report = try await OneRosterImport.run(files: files, on: app.db)
            let courseWarnings = report.warnings.filter { $0.contains("missing-course") }
            #expect(courseWarnings.count == 5)
            #expect(report.warnings.contains("3 more like the one above (classes without a known course)."))
        }
    }

    @Test(arguments: TestDatabase.all)
    func deltaFileRemovesRecordsMarkedToBeDeletedWithTheirEnrollments(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            try await OneRosterImport.run(path: Self.oat, on: app.db)
            let delta = try Self.oatFiles { files in
                files["manifest.csv"] = "propertyName,value\noneroster.version,1.1\nfile.users,delta\nfile.orgs,absent\n"
                files["users.csv"] = "sourcedId,status,dateLastModified,orgSourcedIds,role,username,givenName,familyName\nuser1,tobedeleted,2024-01-01,12345,student,ionut,ionut,padurariu\n"
            }
            let report = try await OneRosterImport.run(files: delta, on: app.db)
            #expect(report.counts("students") == SyncCounts(unchanged: 1, deleted: 1))
            #expect(report.counts("enrollments") == SyncCounts(unchanged: 1, deleted: 2))
            #expect(try await Student.find("user1", on: app.db) == nil)
            #expect(try await Student.find("user2", on: app.db) != nil)
            #expect(try await Org.query(on: app.db).count() == 2)
        }
    }

    @Test(arguments: TestDatabase.all)
    func bulkFileReplacesItsWholeTable(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            try await OneRosterImport.run(path: Self.oat, on: app.db)
            let bulk = try Self.oatFiles { files in
                files["orgs.csv"] = "sourcedId,status,dateLastModified,name,type\n12345,active,,School 1 renamed,school\n"
            }
            let report = try await OneRosterImport.run(files: bulk, on: app.db)
            #expect(report.counts("orgs") == SyncCounts(updated: 1, deleted: 1))
            #expect(try await Org.find("12345", on: app.db)?.name == "School 1 renamed")
            #expect(try await Org.find("54321", on: app.db) == nil)
        }
    }

    /// Each malformed variant fails with file, line and column, and leaves the database as it was.
    @Test(arguments: TestDatabase.all)
    func malformedFilesChangeNothingAndSayWhere(_ database: TestDatabase) async throws {
        let header = "sourcedId,enabledUser,status,dateLastModified,orgSourcedIds,role,username,userId,givenName,familyName,identifier,email,sms,phone,agents,ext_imagineLearning_databaseId,ext_imagineLearning_ssoId,ext_imagineLearning_studentPassword,ext_imagineLearning_studentGrade,ext_imagineLearning_Language,ext_tao_userMotherName,ext_tao_userFatherName"
        let variants: [(name: String, edit: (inout [String: String]) -> Void, file: String, line: Int?, column: String?)] = [
            ("unknown role", { $0["users.csv"] = header + "\nuser1,TRUE,,,12345,techer,ionut,abc,ionut,padurariu,x,,,,,,,,,,,\n" }, "users.csv", 2, "role"),
            ("bad date", { Self.append("term1,active,,Fall,term,2023-13-01,2023-12-20,", to: "academicSessions.csv", in: &$0) }, "academicSessions.csv", 2, "startDate"),
            ("duplicate id", { $0["orgs.csv"]! += "12345,active,,Again,school,x,,,,,\n" }, "orgs.csv", 4, "sourcedId"),
            ("missing column", { $0["enrollments.csv"] = "sourcedId,classSourcedId,schoolSourcedId,role\nenrol1,class1,12345,student\n" }, "enrollments.csv", 1, "userSourcedId"),
            ("unclosed quote", { $0["classes.csv"]! += "class4,active,,\"Unclosed title,2,,,scheduled,,12345,1,,\n" }, "classes.csv", 5, nil),
            ("field count", { $0["classes.csv"]! += "class4,active,,Title\n" }, "classes.csv", 5, nil),
            ("bad status", { $0["classes.csv"]! += "class4,deleted,,Title,2,,,scheduled,,12345,1,,\n" }, "classes.csv", 5, "status"),
            ("bad boolean", { Self.append("user1,active,,2012-01-01,female,maybe,,,,,,,,,,", to: "demographics.csv", in: &$0) }, "demographics.csv", 2, "americanIndianOrAlaskaNative"),
            ("bad version", { $0["manifest.csv"] = $0["manifest.csv"]!.replacingOccurrences(of: "oneroster.version,1.1", with: "oneroster.version,2.0") }, "manifest.csv", 5, "value"),
            ("missing manifest", { $0["manifest.csv"] = nil }, "manifest.csv", nil, nil),
            ("listed file missing", { $0["users.csv"] = nil }, "manifest.csv", 10, "value"),
            // Found while writing (after orgs were written): the whole transaction must roll back.
            ("shared email", {
                $0["orgs.csv"]! += "99999,active,,New School,school,x,,,,,\n"
                $0["users.csv"] = header + "\nt1,TRUE,,,12345,teacher,a,,Ann,Lee,,same@x.org,,,,,,,,,,\nt2,TRUE,,,12345,teacher,b,,Bo,Kim,,same@x.org,,,,,,,,,,\n"
            }, "users.csv", 3, "email"),
        ]
        try await withLodestar(database) { app in
            try await OneRosterImport.run(path: Self.oat, on: app.db)
            let before = try await Self.snapshot(app.db)
            for variant in variants {
                let files = try Self.oatFiles(variant.edit)
                let error = await #expect(throws: LodestarError.self, "\(variant.name)") {
                    try await OneRosterImport.run(files: files, on: app.db)
                }
                #expect(error?.location?.file == variant.file, "\(variant.name): \(error?.description ?? "")")
                #expect(error?.message.isEmpty == false)
                #expect(error?.location?.line == variant.line, "\(variant.name): \(error?.description ?? "")")
                #expect(error?.location?.columnName == variant.column, "\(variant.name): \(error?.description ?? "")")
                #expect(try await Self.snapshot(app.db) == before, "\(variant.name) changed the database")
            }
            #expect(try await Org.find("99999", on: app.db) == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func uploadPageIsForDistrictAdminsAndReportsErrors(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let zip = try Data(contentsOf: URL(fileURLWithPath: Self.catalystZip))

            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.upload("/admin/import", file: zip, field: "bundle", fileName: "roster.zip").status == .forbidden)

            let admin = TestClient(app)
            try await admin.signIn(people.email(.districtAdmin))
            let ok = try await admin.upload("/admin/import", file: zip, field: "bundle", fileName: "roster.zip")
            #expect(ok.status == .ok)
            #expect(ok.body.string.contains("Imported roster.zip"))
            let bad = try await admin.upload("/admin/import", file: Data("not a zip".utf8), field: "bundle", fileName: "notes.zip")
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("Nothing was imported"))
        }
    }

    /// An export the page cannot wait for goes on by itself: the admin follows it on its own page (theirs alone), which
    /// ends with the same report the upload page shows, and is told when it ends.
    @Test(arguments: TestDatabase.all)
    func aLongRosterImportGoesOnByItselfAndEndsWithItsReport(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let people = DemoPeople(district: try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db))
            app.importJobs.patience = .zero
            let admin = TestClient(app)
            try await admin.signIn(people.email(.districtAdmin))
            func send(_ zip: Data) async throws -> (String, String) {
                let sent = try await admin.upload("/admin/import", file: zip, field: "bundle", fileName: "roster.zip")
                #expect(sent.status == .seeOther)
                let location = try #require(sent.headers.first(name: .location))
                #expect(location.hasPrefix("/admin/import/jobs/"))
                for _ in 0..<400 {
                    let page = try await admin.page(location)
                    if !page.contains("http-equiv=\"refresh\"") { return (location, page) }
                    #expect(page.contains("This page follows the import"))
                    try await Task.sleep(for: .milliseconds(25))
                }
                Issue.record("the import did not end")
                return (location, "")
            }
            let (refusedAt, refused) = try await send(try zipArchive([("users.csv", Data("sourcedId,status\n".utf8))]))
            #expect(refused.contains("Nothing was imported"))
            // The page is the sender's alone.
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.get(refusedAt).status == .forbidden)

            // A bulk export replaces the demo's students with its own three.
            let studentsBefore = try await Student.query(on: app.db).count()
            let (location, ended) = try await send(try Data(contentsOf: URL(fileURLWithPath: Self.catalystZip)))
            #expect(ended.contains("Imported roster.zip"))
            #expect(ended.contains("<td>students</td><td class=\"num\">3</td><td class=\"num\">0</td><td class=\"num\">0</td><td class=\"num\">\(studentsBefore)</td>"))
            #expect(ended.contains("<td>enrollments</td><td class=\"num\">3</td>"))
            #expect(ended.contains("Worth a look"))
            #expect(try await Student.query(on: app.db).count() == 3)

            let told = try await app.db.sql.raw("SELECT title, link FROM notifications WHERE kind = 'import_result' ORDER BY created_at, title")
                .all().map { (try $0.decode(column: "title", as: String.self), try $0.decode(column: "link", as: String.self)) }
            #expect(told.contains { $0.0.hasPrefix("Your import of roster.zip finished with") && $0.1 == location }, "\(told)")
            #expect(told.contains { $0.0.hasPrefix("Your import of roster.zip was refused") && $0.1 == refusedAt }, "\(told)")
            #expect(try await admin.get("/admin/import/jobs/no-such-import").status == .notFound)
        }
    }
}
