import Fluent
import LodestarCore
import Testing
import VaporTesting
@testable import LodestarServer

/// Who may open what, through HTTP, on the small demo district. Each test fails if its boundary is removed.
@Suite("Role boundaries")
struct AccessTests {
    /// Loads the demo and gives ids worth trying.
    struct Fixture {
        let people: DemoPeople
        let teachersOwnStudent: String
        let sameSchoolOtherStudent: String
        let otherSchoolStudent: String
        let teachersClass: String
        let otherClass: String

        init(_ district: DemoDistrict) {
            people = DemoPeople(district: district)
            let teacher = people.teacherId
            let bundle = district.bundle
            let teacherClasses = Set(bundle.enrollments.filter { $0.userSourcedId == teacher && $0.role == "teacher" }.map(\.classSourcedId))
            let ownStudents = Set(bundle.enrollments.filter { teacherClasses.contains($0.classSourcedId) && $0.role == "student" }.map(\.userSourcedId))
            teachersClass = teacherClasses.sorted().first!
            teachersOwnStudent = ownStudents.sorted().first!
            sameSchoolOtherStudent = bundle.users.first { $0.isStudent && $0.orgSourcedIds == ["school-1"] && !ownStudents.contains($0.sourcedId) }!.sourcedId
            otherSchoolStudent = bundle.users.first { $0.isStudent && $0.orgSourcedIds == ["school-2"] }!.sourcedId
            otherClass = bundle.classes.first { $0.schoolSourcedId == "school-1" && !teacherClasses.contains($0.sourcedId) }!.sourcedId
        }
    }

    func withDemo(_ database: TestDatabase, _ test: (Application, Fixture) async throws -> Void) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            try await test(app, Fixture(district))
        }
    }

    @Test(arguments: TestDatabase.all)
    func signedOutVisitorIsSentToSignIn(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let client = TestClient(app)
            for path in ["/", "/schools", "/schools/school-1", "/students/\(f.teachersOwnStudent)", "/admin/people", "/admin/import"] {
                let res = try await client.get(path)
                #expect(res.status == .seeOther, "\(path)")
                #expect(res.headers.first(name: .location) == "/signin", "\(path)")
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func teacherSeesOwnStudentButNotAnotherTeachersStudent(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let client = TestClient(app)
            let signedIn = try await client.signIn(f.people.teacherEmail)
            #expect(signedIn.status == .seeOther)
            #expect(try await client.get("/students/\(f.teachersOwnStudent)").status == .ok)
            #expect(try await client.get("/students/\(f.sameSchoolOtherStudent)").status == .forbidden)
            #expect(try await client.get("/students/\(f.otherSchoolStudent)").status == .forbidden)
            #expect(try await client.get("/classes/\(f.teachersClass)").status == .ok)
            #expect(try await client.get("/classes/\(f.otherClass)").status == .forbidden)
            #expect(try await client.get("/schools/school-1").status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func principalSeesOwnSchoolButNotAnotherSchool(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let client = TestClient(app)
            try await client.signIn(f.people.email(.principal))
            let roster = try await client.get("/schools/school-1")
            #expect(roster.status == .ok)
            #expect(roster.body.string.contains("/students/"))
            #expect(try await client.get("/students/\(f.sameSchoolOtherStudent)").status == .ok)
            // Every view of a student-level page is in the audit trail.
            let event = try #require(try await AuditEvent.query(on: app.db).filter(\.$subject == f.sameSchoolOtherStudent).first())
            #expect(event.action == "viewed student profile")
            #expect(try await Staff.find(event.staffId, on: app.db)?.email == f.people.email(.principal))
            #expect(try await client.get("/schools/school-2").status == .forbidden)
            #expect(try await client.get("/students/\(f.otherSchoolStudent)").status == .forbidden)
            #expect(try await client.get("/admin/people").status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func coachSeesRosterButNoStudentProfileWithoutARelationship(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let client = TestClient(app)
            try await client.signIn(f.people.email(.coach))
            #expect(try await client.get("/schools/school-1").status == .ok)
            #expect(try await client.get("/students/\(f.sameSchoolOtherStudent)").status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func districtLeaderSeesEverySchoolButCannotAdminister(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let client = TestClient(app)
            try await client.signIn(f.people.email(.districtLeader))
            #expect(try await client.get("/schools/school-2").status == .ok)
            #expect(try await client.get("/students/\(f.otherSchoolStudent)").status == .ok)
            #expect(try await client.get("/admin/people").status == .forbidden)
            #expect(try await client.get("/admin/import").status == .forbidden)
        }
    }

    @Test(arguments: TestDatabase.all)
    func onlyDistrictAdminGrantsRoles(_ database: TestDatabase) async throws {
        try await withDemo(database) { app, f in
            let principal = TestClient(app)
            try await principal.signIn(f.people.email(.principal))
            let refused = try await principal.post("/admin/people/\(f.people.teacherId)/grants", form: ["role": "district_admin", "school": ""])
            #expect(refused.status == .forbidden)
            #expect(try await principal.get("/admin/people/\(f.people.teacherId)").status == .forbidden)
            #expect(try await principal.get("/admin").status == .forbidden)
            #expect(try await RoleGrantRecord.query(on: app.db).filter(\.$staffId == f.people.teacherId).filter(\.$role == "district_admin").count() == 0)

            let admin = TestClient(app)
            try await admin.signIn(f.people.email(.districtAdmin))
            #expect(try await admin.get("/admin").status == .ok)
            #expect(try await admin.get("/admin/people").status == .ok)
            #expect(try await admin.get("/admin/people/\(f.people.teacherId)").status == .ok)
            // Search ignores case on every database and matches full names.
            let principalName = try #require(f.people.district.accounts.first { $0.email == f.people.email(.principal) }?.displayName)
            #expect(try await admin.get("/admin/people?q=\(principalName.uppercased().replacingOccurrences(of: " ", with: "+"))").body.string.contains(principalName))
            let granted = try await admin.post("/admin/people/\(f.people.teacherId)/grants", form: ["role": "coach", "school": "school-1"])
            #expect(granted.status == .seeOther)
            #expect(try await RoleGrantRecord.find("\(f.people.teacherId)|coach|school-1", on: app.db) != nil)
            // A school role needs a school.
            let noSchool = try await admin.post("/admin/people/\(f.people.teacherId)/grants", form: ["role": "principal", "school": ""])
            #expect(noSchool.status == .unprocessableEntity)
        }
    }
}
