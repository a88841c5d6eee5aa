import FluentSQLiteDriver
import Foundation
import Testing
import Vapor
@testable import LodestarServer

/// Migrations are history: a shipped one is never edited or renamed, and a database made by an earlier
/// Lodestar migrates forward to exactly the schema a new one gets.
@Suite("Migrations")
struct MigrationTests {
    static let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let sources = here.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/LodestarServer")

    /// FNV-1a of each shipped migration's file. Adding a migration adds a line; changing a line here means
    /// a shipped migration was edited — write a new migration instead.
    static let shipped: [String: UInt64] = [
        "001_RosterMigration.swift": 0x558ba4f04334747e,
        "002_AccountsMigration.swift": 0x0314522802a41413,
        "003_WalkthroughMigration.swift": 0x1f7bc65d3b9625ec,
        "004_ScheduledVisitMigration.swift": 0x991d1fd702df03df,
        "005_CoachingMigration.swift": 0xb1c2de9158c1dfe9,
        "006_StandardsMigration.swift": 0x6a2b76b9cc10f0a0,
        "007_AssessmentMigration.swift": 0x0b4b77f3c44f32e4,
        "008_InterventionMigration.swift": 0x75fde686b0597da2,
        "009_ReadingBenchmarkMigration.swift": 0x84154d884d1a1904,
        "010_AuditMigration.swift": 0x708e47bf283f7333,
        "011_VisionMigration.swift": 0x1445ad0abb8964d4,
        "012_GoalMigration.swift": 0x1e51e011ae2eabe0,
        "013_TimeMigration.swift": 0xe4d5773d74618182,
        "014_InsightsMigration.swift": 0x3fb93877951c1d4d,
        "015_MasteryRollupMigration.swift": 0x013c7c04d9417fd3,
        "016_MasteryDistrictTotalsMigration.swift": 0xba8b85e592543cd0,
        "017_IndicatorDistrictTotalsMigration.swift": 0x6c46986ca5e7c814,
        "018_ProfessionalLearningMigration.swift": 0xb50beafab45c80ae,
        "019_LearningNeedTeamMigration.swift": 0x32fe5f2600bf306f,
        "020_SchoolReadIndexesMigration.swift": 0xbf6fdf232004dcfa,
        "021_TwoFactorMigration.swift": 0x656f33bcc21336a2,
        "022_AuditTrailMigration.swift": 0x7677dcf210577d6b,
        "024_StaffEmailUniqueMigration.swift": 0x836e38ad51b5ac06,
        "025_TimeOverlapsCountedOnceMigration.swift": 0x5628c8232ec3cc24,
        "026_PracticeSeenOfLookedForMigration.swift": 0x3bc30a374b3ba2d1,
        "027_WalkthroughEditedMigration.swift": 0xb98f80a4e1550745,
        "028_NotificationsMigration.swift": 0xc6de54302d7ca6d4,
        "029_CalendarSubscriptionsMigration.swift": 0xe2329b9b773b391f,
        "030_CalendarFeedsMigration.swift": 0x0f21cc652c0b1c08,
        "031_LeadershipMigration.swift": 0x5c32b3c8d270817f,
        "032_TalentMigration.swift": 0x9981199b62eebf63,
        "033_SuccessionMigration.swift": 0x3033aa13583e4325,
        "034_InductionMigration.swift": 0x71d1a52118f235ab,
        "035_StaffArrivalsMigration.swift": 0x666d356844357ce7,
        "036_PriorityStandardsMigration.swift": 0xa0a061d1b726e618,
        "037_StandardLinksMigration.swift": 0x7cf5af14470e3a5a,
        "038_ResourceLedgerMigration.swift": 0xe3dd3782cc0b74e8,
        "039_PriorityCadenceMigration.swift": 0x199712762c4fe54d,
        "040_CommonAssessmentMigration.swift": 0x3e3d77e3761af496,
        "041_LibraryMigration.swift": 0xd943d2cf1561daab,
        "042_InquiryCyclePriorityGradeMigration.swift": 0x4e2d4b03909e4e69,
        "043_InterventionMinutesMigration.swift": 0x49c92bf9efade9a1,
        "044_FeedbackLoopMigration.swift": 0x1922dbb04c66f9d6,
        "045_SignInFailuresMigration.swift": 0xae42fcb706d7f418,
        "046_ImportJobsMigration.swift": 0x459c01073bfee455,
        "047_FeedbackDaysMigration.swift": 0xb1940ce1dfc6158f,
    ]

    static func fnv1a(_ bytes: Data) -> UInt64 {
        bytes.reduce(0xcbf29ce484222325) { ($0 ^ UInt64($1)) &* 0x00000100000001b3 }
    }

    @Test func noShippedMigrationIsEdited() throws {
        var found: [String: UInt64] = [:]
        for feature in try FileManager.default.contentsOfDirectory(atPath: Self.sources.path) {
            let folder = Self.sources.appendingPathComponent(feature).appendingPathComponent("Migrations")
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { continue }
            for file in files where file.hasSuffix(".swift") {
                found[file] = Self.fnv1a(try Data(contentsOf: folder.appendingPathComponent(file)))
            }
        }
        for (file, checksum) in Self.shipped {
            #expect(found[file] == checksum, "\(file) changed after it shipped (or was removed): write a new migration")
        }
        // Every migration file is numbered and listed in order; numbers are not reused.
        let numbers = found.keys.compactMap { Int($0.prefix(3)) }
        #expect(numbers.count == found.count && Set(numbers).count == numbers.count)
        #expect(found.count + 1 == Migrations.all.count, "each migration has one file (Fluent's session table is the one without)")
    }

    /// The tables, indexes and recorded migrations of a SQLite file, to compare two databases.
    func schema(_ path: String) async throws -> (objects: [String], migrations: [String]) {
        let app = try await Self.app(path)
        let sql = app.db.sql
        var objects: [String] = [], migrations: [String] = []
        try await Self.shuttingDown(app) {
            objects = try await sql.raw("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all().map { row in
                "\(try row.decode(column: "type", as: String.self)) \(try row.decode(column: "name", as: String.self)) "
                    + (try row.decode(column: "sql", as: String?.self) ?? "")
            }
            migrations = try await sql.raw("SELECT name FROM _fluent_migrations ORDER BY name").all().map { try $0.decode(column: "name", as: String.self) }
        }
        return (objects, migrations)
    }

    /// An app on a database file. The pool waits as long as the in-memory test databases' do: with every suite running
    /// at once on two cores, SQLite's thread pool can be busy for more than the default ten seconds.
    static func app(_ path: String) async throws -> Application {
        let app = try await Application.make(.testing)
        app.databases.use(.sqlite(.file(path), maxConnectionsPerEventLoop: 1, connectionPoolTimeout: .seconds(120)), as: .sqlite)
        return app
    }

    /// Runs `work`, then shuts the app down even when it fails (an app left running stops the test process).
    static func shuttingDown(_ app: Application, _ work: () async throws -> Void) async throws {
        do { try await work() } catch { try? await app.asyncShutdown(); throw error }
        try await app.asyncShutdown()
    }

    @Test func aDatabaseMadeOnTheFourthOfDecemberMigratesForward() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lodestar-migrate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let old = folder.appendingPathComponent("old.sqlite").path, fresh = folder.appendingPathComponent("fresh.sqlite").path

        // The database Lodestar made on 4 December 2026 (its schema and rows, as `sqlite3 .dump` wrote them).
        let dump = try String(contentsOf: Self.here.appendingPathComponent("Fixtures/schema-2026-12-04.sql"), encoding: .utf8)
        do {
            let app = try await Self.app(old)
            try await Self.shuttingDown(app) {
                for statement in dump.components(separatedBy: ";\n") {
                    let text = statement.trimmingCharacters(in: .whitespacesAndNewlines)
                    guard !text.isEmpty, !text.hasPrefix("PRAGMA"), text != "BEGIN TRANSACTION", text != "COMMIT" else { continue }
                    try await app.db.sql.raw(SQLQueryString(text)).run()
                }
            }
        }
        let before = try await schema(old)
        #expect(before.migrations.count == 27)

        // Migrated as `configure` does, without turning on the process-wide write gate of a served file
        // (the other tests of this process write to their own in-memory databases at the same time).
        for path in [old, fresh] {
            let app = try await Self.app(path)
            app.migrations.add(Migrations.all)
            try await Self.shuttingDown(app) { try await app.autoMigrate() }
        }
        let migrated = try await schema(old), new = try await schema(fresh)
        // No migration ran twice (a renamed one would, and fail on its existing table); the old database
        // ends with exactly the new one's tables, columns and indexes.
        #expect(migrated.migrations == new.migrations)
        #expect(Set(before.migrations).isSubset(of: Set(migrated.migrations)))
        #expect(migrated.objects == new.objects)
    }
}
