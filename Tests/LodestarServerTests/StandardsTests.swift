import Fluent
import Foundation
import LodestarCore
import Testing
import VaporTesting
@testable import LodestarServer

@Suite("Standards")
struct StandardsTests {
    static func sample(_ name: String) -> String { sharedData.appendingPathComponent("case/\(name)").path }


    @Test(arguments: TestDatabase.all)
    func realCASEPackagesImportAndReimportChangesNothing(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            for (file, items) in [("what-standards-could-be-ccss-math.json", 16), ("act-holistic-math.json", 28), ("utf8-test.json", 1)] {
                let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Self.sample(file))))
                let package = try CASEPackage.parse(bytes, fileName: file)
                let first = try await StandardsStore.save(package, subject: "Mathematics", on: app.db)
                #expect(first == SyncCounts(created: items), "\(file)")
                #expect(try await StandardsStore.save(package, subject: "Mathematics", on: app.db) == SyncCounts(unchanged: items))
                let stored = try await Standard.query(on: app.db).filter(\.$documentId == package.identifier).all()
                // The stored tree matches the file's own isChildOf links.
                #expect(stored.filter { $0.parentId != nil }.count == package.items.filter { $0.parentIdentifier != nil }.count)
            }
            #expect(try await Standard.query(on: app.db).count() == 45)
            #expect(try await Standard.query(on: app.db).filter(\.$statement == "Item 𝑑 1").count() == 1)
        }
    }

    @Test(arguments: TestDatabase.all)
    func reimportRemovesItemsGoneFromThePackage(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            var package = try CASEPackage.parse(Array(try Data(contentsOf: URL(fileURLWithPath: Self.sample("act-holistic-math.json")))), fileName: "act.json")
            try await StandardsStore.save(package, subject: nil, on: app.db)
            let removed = package.items.removeLast()
            package.items[0].statement = "Changed statement"
            let counts = try await StandardsStore.save(package, subject: nil, on: app.db)
            #expect(counts == SyncCounts(updated: 1, unchanged: 26, deleted: 1))
            #expect(try await Standard.find(removed.identifier, on: app.db) == nil)
        }
    }

    @Test(arguments: TestDatabase.all)
    func browseSearchAndImportThroughTheApp(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let people = DemoPeople(district: district)
            try await runCommand(app, ["import", "case", Self.sample("what-standards-could-be-ccss-math.json"), "--subject", "Mathematics"])
            let teacher = TestClient(app)
            try await teacher.signIn(people.teacherEmail)
            let found = try await teacher.get("/standards?q=6.RP.A&grade=06&subject=Mathematics")
            #expect(found.status == .ok, "\(found.headers.first(name: .location) ?? "")")
            #expect(found.body.string.contains("CCSS.Math.Content.6.RP.A"))
            #expect(!found.body.string.contains("CCSS.Math.Content.7.RP"))
            let tree = try await teacher.get("/standards?document=20c5134f-423d-4097-a971-3dd5152bf507")
            #expect(tree.body.string.contains("depth-1"))
            let standard = try #require(try await Standard.query(on: app.db).filter(\.$code == "CCSS.Math.Content.6.RP.A").first())
            #expect(try await teacher.get("/standards/\(standard.id!)").status == .ok)
            // Importing is for district admins.
            #expect(try await teacher.get("/admin/standards").status == .forbidden)
            let admin = TestClient(app)
            try await admin.signIn(people.email(.districtAdmin))
            #expect(try await admin.get("/admin/standards").status == .ok)
            await #expect(throws: LodestarError.self) {
                let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json")
                try Data("{\"CFDocument\": {}}".utf8).write(to: bad)
                try await runCommand(app, ["import", "case", bad.path])
            }
        }
    }
}
