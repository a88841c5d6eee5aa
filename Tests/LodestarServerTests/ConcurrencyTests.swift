import Fluent
import Foundation
import LodestarCore
import SQLKit
import Testing
import VaporTesting
@testable import LodestarServer

/// Many writers at once, on both databases: nothing lost, nothing refused, no "database is locked" and no
/// deadlock reaching a user. Run on their own after the suite (`LODESTAR_CONCURRENCY=1`, as `Scripts/test-all`
/// does), so the many requests they send at once compete with each other, as on a school's morning, and not
/// with a hundred other tests for the machine.
@Suite("Concurrent writers", .serialized, .enabled(if: ProcessInfo.processInfo.environment["LODESTAR_CONCURRENCY"] != nil))
struct ConcurrencyTests {
    func submission(teacher: String) -> WalkthroughSubmission {
        WalkthroughSubmission(id: UUID().uuidString.lowercased(), teacherId: teacher, classId: nil, visitType: .informal,
                              observedAt: Date().timeIntervalSince1970 - 900, studentsOnTask: 21, studentsPresent: 23,
                              marks: [.init(indicator: "learning-target", mark: "observed"), .init(indicator: "checks-for-understanding", mark: "not_observed")],
                              notes: [], glow: "Students explained the target to each other.", grow: "", question: "")
    }

    /// Runs `send` for 0..<count all at once; what each returned (a status code).
    func atOnce(_ count: Int, _ send: @escaping @Sendable (Int) async throws -> UInt) async throws -> [UInt] {
        try await withThrowingTaskGroup(of: UInt.self) { group in
            for n in 0..<count { group.addTask { try await send(n) } }
            return try await group.reduce(into: [UInt]()) { $0.append($1) }
        }
    }

    /// Sixty-four capture pages sending at once (on PostgreSQL these deadlocked on the rollup rows every
    /// walkthrough adds to): every one is saved, none refused, and the rollup equals a rebuild.
    @Test(arguments: TestDatabase.all)
    func sixtyFourWalkthroughsAtOnceAreAllSavedWithTheirRollup(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let principal = TestClient(app)
            try await principal.signIn(DemoPeople(district: district).email(.principal))
            let teachers = try await app.db.sql.raw("SELECT staff_id FROM role_grants WHERE role = 'teacher' AND school_id = 'school-1' ORDER BY staff_id")
                .all().map { try $0.decode(column: "staff_id", as: String.self) }
            let submissions = (0..<64).map { submission(teacher: teachers[$0 % teachers.count]) }
            let statuses = try await atOnce(64) { n in try await principal.send(.POST, "/api/walkthroughs", json: submissions[n]).status.code }
            #expect(statuses == Array(repeating: 201, count: 64))
            let saved = try await app.db.sql.raw("SELECT id FROM walkthroughs WHERE id IN (\(binds: submissions.map(\.id)))").all()
            #expect(saved.count == 64)
            let marks = try await app.db.sql.raw("SELECT walkthrough_id FROM indicator_marks WHERE walkthrough_id IN (\(binds: submissions.map(\.id)))").all()
            #expect(marks.count == 64 * 2)
            let maintained = try await IndicatorRollup.all(on: app.db)
            try await IndicatorRollup.rebuild(on: app.db)
            #expect(try await IndicatorRollup.all(on: app.db) == maintained)
            // Each group added its visits to today's feedback day of school-1 as stored; none lost another's visit.
            let days = try await FeedbackDays.all(on: app.db)
            #expect(days.values.reduce(0) { $0 + $1.visits } >= 64)
            try await FeedbackDays.rebuild(on: app.db)
            #expect(try await FeedbackDays.all(on: app.db) == days)
        }
    }

    /// Thirty requests at once for a student-level export: exactly the daily allowance succeeds.
    @Test(arguments: TestDatabase.all)
    func theDailyExportLimitHoldsUnderConcurrentRequests(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let leader = TestClient(app)
            try await leader.signIn(DemoPeople(district: district).email(.districtLeader))
            let statuses = try await atOnce(30) { _ in try await leader.send(.GET, "/schools/school-1/students.csv").status.code }
            #expect(statuses.filter { $0 == 200 }.count == AuditTrail.studentExportsPerDay)
            #expect(statuses.filter { $0 == 429 }.count == 30 - AuditTrail.studentExportsPerDay)
            let recorded = try await app.db.sql.raw("SELECT action FROM audit_events WHERE action LIKE \(bind: AuditTrail.studentExportPrefix + ":%")").all()
            #expect(recorded.count == AuditTrail.studentExportsPerDay)
        }
    }

    /// Two roster imports at once, while walkthroughs are written: both imports succeed and leave what one
    /// leaves; every walkthrough is saved.
    @Test(arguments: TestDatabase.all)
    func twoImportsAtOnceDuringWalkthroughWrites(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            let district = try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: app.db)
            let before = try await OneRosterImportTests.snapshot(app.db)
            let principal = TestClient(app)
            try await principal.signIn(DemoPeople(district: district).email(.principal))
            let teachers = try await app.db.sql.raw("SELECT staff_id FROM role_grants WHERE role = 'teacher' AND school_id = 'school-1' ORDER BY staff_id")
                .all().map { try $0.decode(column: "staff_id", as: String.self) }
            let files = OneRosterWriter.files(for: district.bundle).mapValues { Array($0.utf8) }
            let submissions = (0..<32).map { submission(teacher: teachers[$0 % teachers.count]) }
            let statuses = try await atOnce(34) { n in
                if n < 2 { _ = try await OneRosterImport.run(files: files, on: app.db); return 1 }
                return try await principal.send(.POST, "/api/walkthroughs", json: submissions[n - 2]).status.code
            }
            #expect(statuses.filter { $0 == 201 }.count == 32)
            #expect(statuses.filter { $0 == 1 }.count == 2)
            // What the two left is what one more import leaves: neither was half-applied over the other.
            let after = try await OneRosterImportTests.snapshot(app.db)
            #expect(try await OneRosterImport.run(files: files, on: app.db).changedNothing)
            #expect(try await OneRosterImportTests.snapshot(app.db) == after)
            #expect(after["students"] == before["students"])
            #expect(try await app.db.sql.raw("SELECT id FROM walkthroughs WHERE id IN (\(binds: submissions.map(\.id)))").all().count == 32)
        }
    }
}
