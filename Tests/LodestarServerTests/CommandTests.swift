import Fluent
import Foundation
import LodestarCore
import Testing
import Vapor
@testable import LodestarServer

@Suite("Commands")
struct CommandTests {
    /// `serve --demo` prints the address the server will answer on, whatever the flags say (it printed 8080 always).
    @Test func theDemoSignInAddressIsWhereTheServerListens() {
        let defaults = HTTPServer.Configuration()
        #expect(signInAddress(arguments: ["lodestar", "serve"], configuration: defaults) == "http://127.0.0.1:8080")
        #expect(signInAddress(arguments: ["lodestar", "serve", "--port", "9091"], configuration: defaults) == "http://127.0.0.1:9091")
        #expect(signInAddress(arguments: ["lodestar", "serve", "-p", "8443", "-H", "school.example.org"], configuration: defaults) == "http://school.example.org:8443")
        #expect(signInAddress(arguments: ["lodestar", "serve", "--bind", "0.0.0.0:80"], configuration: defaults) == "http://127.0.0.1:80")
        #expect(signInAddress(arguments: ["lodestar", "serve", "--hostname=::1", "--port=8081"], configuration: defaults) == "http://[::1]:8081")
    }

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
            if database == .postgres {
                // Vacuumed after the load: the scores' pages are marked all-visible (a fresh insert leaves none so).
                let visible = try await app.db.sql.raw("SELECT relallvisible FROM pg_class WHERE oid = 'scores'::regclass").first()?.decode(column: "relallvisible", as: Int32.self)
                #expect((visible ?? 0) > 0)
            }
            let report = try await RosterWriter.write(DemoDistrict(size: .small, seed: 1).bundle, to: app.db)
            #expect(report.changedNothing)
            await #expect(throws: LodestarError.self) { try await runCommand(app, ["demo", "--size", "huge"]) }
        }
    }

    @Test(arguments: TestDatabase.all)
    func theDemosScoresExportAsAOneRosterGradebookThatImportsBackToTheSameScores(_ database: TestDatabase) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lodestar-export-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withLodestar(database) { app in
            try await runCommand(app, ["demo", "--export", folder, "--through", "2026-09-18"])
            let lines = try String(contentsOfFile: folder + "/results.csv", encoding: .utf8).split(separator: "\r\n")
            #expect(lines.first == "sourcedId,status,dateLastModified,lineItemSourcedId,studentSourcedId,scoreStatus,score,scoreDate")
            // A fresh district with the roster and the standards, then the gradebook.
            try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            for package in DemoStandards.packages { _ = try await StandardsStore.save(package, subject: nil, on: app.db) }
            try await runCommand(app, ["import", "results", folder])
            let demo = DemoAssessments(district: DemoDistrict(size: .small, seed: 1), seed: 1,
                                       through: DisplayTime.date(fromISODay: "2026-09-18", time: "23:59")!.timeIntervalSince1970)
            var expected: [String: Double] = [:]
            for school in demo.schoolIds {
                let (assessments, scores) = demo.generate(school: school)
                let dates = Dictionary(uniqueKeysWithValues: assessments.map { ($0.id, $0.date) })
                for score in scores { expected["\(score.studentId)|\(score.standardId)|\(dates[score.assessmentId]!)"] = score.value }
            }
            #expect(lines.count - 1 == expected.count)
            var imported: [String: Double] = [:]
            for row in try await app.db.sql.raw("SELECT sc.student_id, sc.standard_id, a.assessed_on, sc.value FROM scores sc JOIN assessments a ON a.id = sc.assessment_id").all() {
                imported["\(try row.decode(column: "student_id", as: String.self))|\(try row.decode(column: "standard_id", as: String.self))|\(try row.decode(column: "assessed_on", as: String.self))"] =
                    try row.decode(column: "value", as: Double.self)
            }
            #expect(imported == expected)
            // The import kept the mastery rollup as a rebuild makes it.
            let maintained = try await MasteryRollup.all(on: app.db)
            #expect(!maintained.isEmpty)
            try await MasteryRollup.rebuild(on: app.db)
            #expect(try await MasteryRollup.all(on: app.db) == maintained)
        }
    }

    @Test(arguments: TestDatabase.all)
    func anImportComputesStandingsFromTheRowsInHandAsARebuildDoes(_ database: TestDatabase) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lodestar-export-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withLodestar(database) { app in
            try await runCommand(app, ["demo", "--export", folder, "--through", "2026-10-31"])
            try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            for package in DemoStandards.packages { _ = try await StandardsStore.save(package, subject: nil, on: app.db) }
            // The mean, so a score counted twice would change a standing.
            try await MasteryStore.setMethod(.mean, for: "district", on: app.db)
            let itemLines = try String(contentsOfFile: folder + "/lineItems.csv", encoding: .utf8).split(separator: "\r\n").map(String.init)
            let resultLines = try String(contentsOfFile: folder + "/results.csv", encoding: .utf8).split(separator: "\r\n").map(String.init)
            let results = resultLines.dropFirst().map { line in
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                return (line: line, item: fields[3], student: fields[4])
            }
            let items = itemLines.dropFirst().map { String($0.prefix { $0 != "," }) }
            let students = Set(results.map(\.student)).sorted()
            let earlier = Set(students.prefix(students.count / 2)), firstItems = Set(items.enumerated().filter { $0.offset % 2 == 0 }.map(\.element))
            func files(_ lineItems: [String], _ results: [String]) -> [String: CSVSource] {
                ["lineItems.csv": .bytes(Array(lineItems.joined(separator: "\r\n").utf8)), "results.csv": .bytes(Array(results.joined(separator: "\r\n").utf8))]
            }
            // Half the students have scores on every other line item before the second import, which holds
            // everything else: their standings come from the database, the other half's from the rows in hand.
            let before = results.filter { earlier.contains($0.student) && firstItems.contains(String($0.item)) }
            let rest = results.filter { !(earlier.contains($0.student) && firstItems.contains(String($0.item))) }
            #expect(before.count > 1_000 && rest.count > before.count)
            _ = try await ScoreImport.runOneRoster(files(itemLines, [resultLines[0]] + before.map(\.line)), importer: nil, on: app.db)
            // A second line item for the same assessment and standard, last in the file: its 0 replaces the first
            // line item's score, as a second row for one score does.
            let twice = try #require(rest.last { !earlier.contains($0.student) })
            let copy = itemLines.first { $0.hasPrefix(twice.item + ",") }!.replacingOccurrences(of: twice.item + ",", with: "again-" + twice.item + ",")
            let again = rest.filter { $0.item == twice.item }.map { "again-\($0.student),active,,again-\(twice.item),\($0.student),fully graded,0," }
            _ = try await ScoreImport.runOneRoster(files(itemLines + [copy], [resultLines[0]] + rest.map(\.line) + again), importer: nil, on: app.db)
            #expect(try await Score.query(on: app.db).count() == before.count + rest.count)
            let standard = String(twice.item.split(separator: "|").last!)
            #expect(try await Score.query(on: app.db).filter(\.$studentId == String(twice.student)).filter(\.$standardId == standard).all().map(\.value).contains(1))

            func pairs() async throws -> [String] {
                try await app.db.sql.raw("SELECT id, school_id, grade, groups, timeline FROM mastery_pairs ORDER BY id").all().map { row in
                    try ["id", "school_id", "grade", "groups", "timeline"].map { try row.decode(column: $0, as: String.self) }.joined(separator: " ")
                }
            }
            let maintained = try await MasteryRollup.all(on: app.db), maintainedPairs = try await pairs()
            #expect(maintainedPairs.count > 1_000)
            try await MasteryRollup.rebuild(on: app.db)
            #expect(try await pairs() == maintainedPairs)
            #expect(try await MasteryRollup.all(on: app.db) == maintained)
        }
    }
}

