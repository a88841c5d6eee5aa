import Fluent
import LodestarCore
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Vision")
struct VisionTests {
    @Test(arguments: TestDatabase.all)
    func principalWritesTheSchoolVisionStaffReadItHistoryIsKept(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            let principal = TestClient(app)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.post("/vision/school-1", form: ["vision": "", "mission": "x", "students": "", "teachers": "", "leaders": "", "staff": ""]).status == .unprocessableEntity)
            let form = ["vision": "Every child reads, reasons and belongs.", "mission": "We teach every child to read by grade 3.",
                        "students": "Students will read every day\nStudents will", "teachers": "Teachers will check for understanding in every lesson",
                        "leaders": "Leaders will", "staff": ""]
            #expect(try await principal.post("/vision/school-1", form: form).status == .seeOther)
            var second = form
            second["vision"] = "Every child reads, reasons, belongs and thrives."
            #expect(try await principal.post("/vision/school-1", form: second).status == .seeOther)
            let versions = try await VisionVersion.query(on: app.db).filter(\.$scope == "school-1").sort(\.$version).all()
            #expect(versions.map(\.version) == [1, 2])
            #expect(versions[0].students == "Students will read every day")
            #expect(versions[0].leaders == "")

            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            let page = try await teacher.get("/vision/school-1")
            #expect(page.body.string.contains("belongs and thrives"))
            #expect(!page.body.string.contains("/vision/school-1/edit"))
            #expect(try await teacher.get("/vision/school-1/history").body.string.contains("Version 1"))
            #expect(try await teacher.post("/vision/school-1", form: form).status == .forbidden)
            #expect(try await teacher.get("/vision/school-2").status == .forbidden)
            #expect(try await principal.post("/vision/school-2", form: form).status == .forbidden)
            #expect(try await principal.post("/vision/district", form: form).status == .forbidden)
            let leader = TestClient(app)
            try await leader.signIn(people.email(.districtLeader))
            #expect(try await leader.post("/vision/district", form: form).status == .seeOther)
            #expect(try await teacher.get("/vision/district").status == .ok)
        }
    }
}
