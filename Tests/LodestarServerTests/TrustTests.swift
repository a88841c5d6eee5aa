import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
import ZIPFoundation
@testable import LodestarServer

/// The audit trail, the limits on student-level exports, and a student's data rights (export and deletion).
@Suite("Trust")
struct TrustTests {
    @Test(arguments: TestDatabase.all)
    func auditTrailRecordsSignInsRoleChangesImportsAndExportsForDistrictAdminsOnly(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            #expect(try await principal.signIn(people.email(.principal), password: "wrong").status == .unauthorized)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.get("/insights/practice.csv").status == .ok)
            #expect(try await principal.get("/admin/audit").status == .forbidden)
            #expect(try await principal.get("/admin/audit.csv").status == .forbidden)

            let admin = TestClient(app)
            try await admin.signIn(people.email(.districtAdmin))
            #expect(try await admin.post("/admin/people/\(people.teacherId)/grants", form: ["role": "teacher_leader", "school": "school-1"]).status == .seeOther)
            #expect(try await admin.upload("/admin/import", file: Data("not a zip".utf8), field: "bundle", fileName: "notes.zip").status == .unprocessableEntity)

            let page = try await admin.get("/admin/audit?person=\(people.email(.principal))")
            #expect(page.status == .ok)
            for action in ["sign-in refused: wrong email or password", "signed in", "exported practice-trends.csv"] {
                #expect(page.body.string.contains(action), "\(action)")
            }
            let csv = try await admin.get("/admin/audit.csv").body.string
            #expect(csv.contains("gave role teacher_leader at school-1,\(people.teacherId)"))
            #expect(csv.contains("import of roster refused: notes.zip: notes.zip is not a zip file"))
            #expect(csv.contains("\(people.email(.principal)),signed in,\(people.email(.principal))"))
            #expect(try await admin.get("/admin/audit?action=gave+role").body.string.contains(people.email(.districtAdmin)))
            #expect(try await admin.get("/admin/audit?from=yesterday").status == .unprocessableEntity)
            // The export of the trail is in the trail.
            #expect(try await AuditEvent.query(on: app.db).filter(\.$action == "exported audit-trail.csv").count() == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func theDatabaseRefusesToChangeOrRemoveAuditEntriesExceptToUnnameADeletedStudent(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let event = AuditEvent()
            event.id = "e1"; event.at = 1; event.staffId = "staff-1"; event.action = "viewed student profile"; event.subject = "stu-1"; event.address = "192.0.2.1"
            try await event.create(on: app.db)
            for statement: SQLQueryString in ["DELETE FROM audit_events", "UPDATE audit_events SET action = 'nothing'",
                                              "UPDATE audit_events SET subject = 'stu-2'", "UPDATE audit_events SET at = 2, subject = 'deleted student'"] {
                // The trigger's own refusal, not any error.
                await #expect("\(statement)") { try await app.db.sql.raw(statement).run() } throws: { error in
                    String(reflecting: error).contains("the audit trail is append-only")
                }
            }
            try await AuditTrail.redact(subject: "stu-1", on: app.db)
            let kept = try #require(try await AuditEvent.find("e1", on: app.db))
            #expect(kept.subject == AuditTrail.redactedSubject && kept.action == "viewed student profile" && kept.at == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func studentLevelExportsAreLimitedAndEachIsANoticeToDistrictAdmins(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let classId = try #require(district.bundle.enrollments.first { $0.userSourcedId == people.teacherId && $0.role == "teacher" }?.classSourcedId)
            // The bulk export of a school's students: district roles only.
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.get("/schools/school-1/students.csv").status == .forbidden)
            let leader = TestClient(app)
            try await leader.signIn(people.email(.districtLeader))
            let school = try await leader.get("/schools/school-1/students.csv")
            #expect(school.status == .ok)
            #expect(school.body.string.hasPrefix("student_id,identifier,family_name,given_name,grade,standard,standing,as_of_month\r\n"))
            #expect(school.body.string.split(separator: "\r\n").count - 1 == district.bundle.users.filter { $0.isStudent && $0.orgSourcedIds == ["school-1"] }.count)

            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            #expect(try await teacher.get("/classes/\(classId)/mastery.csv").status == .ok)
            // As if the teacher had made the rest of the day's allowance.
            for n in 1..<AuditTrail.studentExportsPerDay {
                let event = AuditEvent()
                event.id = "earlier-\(n)"; event.at = Int(Date().timeIntervalSince1970) - 60; event.staffId = people.teacherId
                event.action = "\(AuditTrail.studentExportPrefix): mastery-\(classId).csv"; event.subject = "/classes/\(classId)/mastery.csv"; event.address = "192.0.2.1"
                try await event.create(on: app.db)
            }
            let refused = try await teacher.get("/classes/\(classId)/mastery.csv")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.body.string.contains("student-level exports in the last 24 hours"))
            // Aggregate exports are not limited.
            #expect(try await teacher.get("/classes/\(classId)/mastery-by-month.csv").status == .ok)

            let admin = TestClient(app)
            try await admin.signIn(people.email(.districtAdmin))
            let notices = try await admin.get("/admin").body.string
            #expect(notices.contains("Student-level exports this week"))
            #expect(notices.contains(AuditTrail.refusedExport))
            #expect(notices.contains("\(people.teacherEmail) — \(AuditTrail.studentExportPrefix): mastery-\(classId).csv"))
            #expect(notices.contains("\(people.email(.districtLeader)) — \(AuditTrail.studentExportPrefix): students-school-1.csv"))
        }
    }

    @Test(arguments: TestDatabase.all)
    func aStudentsRecordsAreExportedWholeAndDeletedWithoutATrace(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            try await loadSampleMathStandards(app)
            let people = DemoPeople(district: district)
            // A class with a student whose id is not part of another's, so a search for it finds only them.
            let allIds = district.bundle.users.filter(\.isStudent).map(\.sourcedId)
            let (classId, studentId) = try #require(district.bundle.classes.filter { $0.schoolSourcedId == "school-1" }.lazy.compactMap { schoolClass in
                people.students(of: schoolClass.sourcedId).first { id in !allIds.contains { $0 != id && $0.contains(id) } }.map { (schoolClass.sourcedId, $0) }
            }.first)
            _ = try await ScoreImport.write(ScoreFile.Rows(people.septemberAndOctoberScores([(classId, 2, 3)])), importer: nil, on: app.db)
            let student = try #require(try await Student.find(studentId, on: app.db))

            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.get("/students/\(studentId)").status == .ok)
            #expect(try await principal.get("/students/\(studentId)/records").status == .forbidden)
            #expect(try await principal.get("/students/\(studentId)/records.zip").status == .forbidden)
            #expect(try await principal.post("/students/\(studentId)/delete", form: ["confirm": studentId, "reference": "R-1"]).status == .forbidden)

            let admin = TestClient(app)
            try await admin.signIn(people.email(.districtAdmin))
            #expect(try await admin.get("/students/\(studentId)").body.string.contains("/students/\(studentId)/records"))
            #expect(try await admin.get("/students/\(studentId)/records").status == .ok)
            let zip = try await admin.get("/students/\(studentId)/records.zip")
            #expect(zip.status == .ok)
            #expect(zip.headers.contentType == .zip)
            let archive = try Archive(data: Data(buffer: zip.body), accessMode: .read)
            #expect(Set(archive.map(\.path)) == ["student.csv", "classes.csv", "scores.csv", "mastery.csv", "intervention-groups.csv", "access-log.csv",
                                                  "student.json", "README.txt"])
            var json = Data()
            _ = try archive.extract(try #require(archive["student.json"])) { json.append($0) }
            let bundle = try JSONDecoder().decode([String: [[String: String]]].self, from: json)
            #expect(bundle["student"]?.first?["given_name"] == student.givenName)
            #expect(bundle["scores"]?.map { $0["value"] ?? "" }.sorted() == ["2.0", "3.0"])
            #expect(bundle["scores"]?.first?["standard"] == "CCSS.Math.Content.6.RP.A.1")
            #expect(bundle["classes"]?.contains { $0["class_id"] == classId } == true)
            #expect(bundle["access-log"]?.map { $0["action"] ?? "" }.contains("viewed student profile") == true)

            // The count of students with a result in the school before and after.
            func withResults() async throws -> Int {
                try await app.db.sql.raw("SELECT CAST(COALESCE(SUM(evidence), 0) AS BIGINT) AS n FROM rollup_mastery_months WHERE school_id = 'school-1' AND group_key = 'all'").first()!
                    .decode(column: "n", as: Int.self)
            }
            let before = try await withResults()
            #expect(try await admin.post("/students/\(studentId)/delete", form: ["confirm": "someone else", "reference": "R-1"]).status == .unprocessableEntity)
            #expect(try await admin.post("/students/\(studentId)/delete", form: ["confirm": studentId, "reference": ""]).status == .unprocessableEntity)
            #expect(try await Student.find(studentId, on: app.db) != nil)
            #expect(try await admin.post("/students/\(studentId)/delete", form: ["confirm": studentId, "reference": "Records request 2026-114"]).status == .seeOther)

            #expect(try await withResults() == before - 1)
            let maintained = try await MasteryRollup.all(on: app.db)
            try await MasteryRollup.rebuild(on: app.db)
            #expect(try await MasteryRollup.all(on: app.db) == maintained)
            #expect(try await Self.tablesMentioning(studentId, on: app.db).isEmpty)
            #expect(try await Student.query(on: app.db).filter(\.$givenName == student.givenName).filter(\.$familyName == student.familyName).count() == 0)
            #expect(try await admin.get("/students/\(studentId)").status == .notFound)
            #expect(try await admin.get("/classes/\(classId)/mastery.csv").body.string.contains(studentId) == false)
            let deletion = try #require(try await AuditEvent.query(on: app.db).filter(\.$action, .custom("LIKE"), "deleted a student%").first())
            #expect(deletion.subject == AuditTrail.redactedSubject)
            #expect(deletion.action.hasSuffix("Records request 2026-114"))
        }
    }

    /// Every table and column, in either database, holding `text` anywhere in its value.
    static func tablesMentioning(_ text: String, on db: any Database) async throws -> [String] {
        let sql = db.sql
        var columns: [(String, String)] = []
        if sql.dialect.name == "sqlite" {
            for table in try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table'").all().map({ try $0.decode(column: "name", as: String.self) }) {
                for column in try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all() {
                    columns.append((table, try column.decode(column: "name", as: String.self)))
                }
            }
        } else {
            for row in try await sql.raw("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()").all() {
                columns.append((try row.decode(column: "table_name", as: String.self), try row.decode(column: "column_name", as: String.self)))
            }
        }
        var found: [String] = []
        for (table, column) in columns {
            let n = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table) WHERE CAST(\(ident: column) AS TEXT) LIKE \(bind: "%\(text)%")").first()!
                .decode(column: "n", as: Int.self)
            if n > 0 { found.append("\(table).\(column)") }
        }
        return found
    }
}
