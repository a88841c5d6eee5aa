import Fluent
import Foundation
import LodestarCore
import Testing
import Vapor
@testable import LodestarServer

@Suite("Commands")
struct CommandTests {

    @Test(arguments: TestDatabase.all)
    func userAddCreatesAnAccountThatCanSignIn(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            try await runCommand(app, ["user", "add", "Ana.Ruiz@District.org", "--given", "Ana", "--family", "Ruiz", "--role", "district_admin"])
            let staff = try #require(try await Staff.query(on: app.db).filter(\.$email == "ana.ruiz@district.org").first())
            #expect(staff.source == "local")
            #expect(try await RoleGrantRecord.query(on: app.db).filter(\.$staffId == staff.id!).first()?.role == "district_admin")
            #expect(staff.passwordHash != nil)

            // A school role needs an existing school; a duplicate email is refused.
            await #expect(throws: LodestarError.self) {
                try await runCommand(app, ["user", "add", "x@district.org", "--role", "principal", "--school", "nowhere"])
            }
            await #expect(throws: LodestarError.self) {
                try await runCommand(app, ["user", "add", "ana.ruiz@district.org", "--role", "district_leader"])
            }
        }
    }

    @Test(arguments: TestDatabase.all)
    func resetPasswordChangesTheHash(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let email = DemoPeople(district: DemoDistrict(size: .small, seed: 1)).email(.principal)
            let before = try await Staff.query(on: app.db).filter(\.$email == email).first()!.passwordHash!
            try await runCommand(app, ["user", "reset-password", email])
            let after = try await Staff.query(on: app.db).filter(\.$email == email).first()!.passwordHash!
            #expect(before != after)
            #expect(!(try Bcrypt.verify(DemoDistrict.password, created: after)))
            await #expect(throws: LodestarError.self) { try await runCommand(app, ["user", "reset-password", "nobody@x.org"]) }
        }
    }

    @Test(arguments: TestDatabase.all)
    func importFrameworkFileMakesItTheActiveFramework(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            var framework = Framework.lodestarDefault
            framework.key = "district-rubric"
            framework.name = "District rubric"
            framework.scale = .rating(levels: ["Beginning", "Developing", "Established"])
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("rubric-\(UUID().uuidString).json")
            try Data(FrameworkJSON.encode(framework)).write(to: file)
            try await runCommand(app, ["import", "framework", file.path])
            let active = try await FrameworkStore.active(on: app.db)
            #expect(active.framework == framework)
            try Data("{\"format\": \"lodestar-framework-1\", \"framework\": {}}".utf8).write(to: file)
            let error = await #expect(throws: LodestarError.self) { try await runCommand(app, ["import", "framework", file.path]) }
            #expect(error?.location?.field == "framework.key")
        }
    }

    @Test(arguments: TestDatabase.all)
    func demoLoadsOnceAndReloadingChangesNothing(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            #expect(try await DemoLoader.databaseIsEmpty(app.db))
            try await runCommand(app, ["demo", "--size", "small", "--seed", "1"])
            #expect(try await Student.query(on: app.db).count() == DemoDistrict(size: .small, seed: 1).bundle.users.filter(\.isStudent).count)
            let report = try await RosterWriter.write(DemoDistrict(size: .small, seed: 1).bundle, to: app.db)
            #expect(report.changedNothing)
            await #expect(throws: LodestarError.self) { try await runCommand(app, ["demo", "--size", "huge"]) }
        }
    }
}
