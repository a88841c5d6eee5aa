import Foundation
import LodestarCore
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
import VaporTesting
@testable import LodestarServer

/// Two Lodestar servers on one PostgreSQL database, as behind a load balancer: what one counts or runs, the other
/// sees. (SQLite is one server's database.)
@Suite("Two servers on one database")
struct TwoServersTests {
    static var databases: [TestDatabase] { TestDatabase.all.filter { $0 == .postgres } }

    /// A second server on the first one's database, both migrated on start, as a second machine would be.
    func withTwoServers(_ test: (Application, Application) async throws -> Void) async throws {
        try await withLodestar(.postgres) { first in
            let schema = try await first.db.sql.raw("SELECT current_schema() AS s").first()!.decode(column: "s", as: String.self)
            let second = try await Application.make(.testing)
            do {
                try await configure(second, database: .postgres(ProcessInfo.processInfo.environment["LODESTAR_TEST_POSTGRES_URL"]!, schema: schema))
                try await test(first, second)
            } catch {
                try await second.asyncShutdown()
                throw error
            }
            try await second.asyncShutdown()
        }
    }

    /// A guesser cannot get more tries by spreading them over the servers: an account and an address are counted once.
    @Test(arguments: databases)
    func failedSignInsOnOneServerCountOnTheOther(_ database: TestDatabase) async throws {
        try await withTwoServers { first, second in
            let people = DemoPeople(district: try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: first.db))
            for _ in 0..<SignInPolicy.failuresPerAccount {
                #expect(try await TestClient(first).signIn(people.email(.principal), password: "guess").status == .unauthorized)
            }
            #expect(try await TestClient(second).signIn(people.email(.principal)).status == .tooManyRequests)
            #expect(try await TestClient(first).signIn(people.email(.principal)).status == .tooManyRequests)
            // The same address, alternating servers, up to its limit (the failures above count too).
            for n in SignInPolicy.failuresPerAccount..<SignInPolicy.failuresPerAddress {
                let server = n.isMultiple(of: 2) ? first : second
                #expect(try await TestClient(server).signIn("nobody\(n)@example.org", password: "guess").status == .unauthorized)
            }
            #expect(try await TestClient(second).signIn(people.email(.assistantPrincipal)).status == .tooManyRequests)
            #expect(try await TestClient(first).signIn(people.email(.assistantPrincipal)).status == .tooManyRequests)
        }
    }

    /// A file sent to one server is followed on its page from the other (sessions are shared too): its progress while
    /// it runs, its end, and an import whose server stopped.
    @Test(arguments: databases)
    func anImportIsFollowedFromEitherServer(_ database: TestDatabase) async throws {
        try await withTwoServers { first, second in
            let people = DemoPeople(district: try await DemoLoader.load(size: .small, seed: 1, withActivity: false, on: first.db))
            let signedIn = TestClient(first)
            #expect(try await signedIn.signIn(people.teacherEmail).status == .seeOther)
            let teacher = TestClient(second)
            teacher.cookie = signedIn.cookie
            #expect(try await teacher.get("/").status == .ok)

            let progress = ImportProgress(kind: "scores"), release = NIOLockedValueBox(false)
            try await first.importJobs.start(id: "two-servers", fileName: "scores.csv", startedBy: people.teacherId, progress: progress, on: first.db) {
                progress.advance(by: 1_200, fractionRead: 0.4)
                while !release.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
                return ImportJobs.Imported(summary: "Imported 1 assessment: 1,200 new scores, 0 changed, 0 unchanged.")
            }
            var running = ""
            for _ in 0..<200 where !running.contains("1,200 rows read and checked") {
                running = try await teacher.page("/assessments/import/jobs/two-servers")
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(running.contains("Importing scores.csv"))
            #expect(running.contains("1,200 rows read and checked"))
            #expect(running.contains("40% of the file"))
            #expect(running.contains("http-equiv=\"refresh\""))

            release.withLockedValue { $0 = true }
            var ended = ""
            for _ in 0..<200 where !ended.contains("Imported 1 assessment") {
                ended = try await teacher.page("/assessments/import/jobs/two-servers")
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(ended.contains("Imported 1 assessment: 1,200 new scores, 0 changed, 0 unchanged."))
            #expect(!ended.contains("http-equiv=\"refresh\""))

            // An import whose server stopped half a minute ago without a word: nothing was saved, and the page says so.
            let long = Int(Date().timeIntervalSince1970) - ImportJobs.stoppedAfter - 5
            try await first.db.sql.raw("""
                INSERT INTO import_jobs (id, kind, file_name, started_by, started_at, updated_at, rows, fraction_read, all_read)
                VALUES ('stopped', 'scores', 'big.csv', \(bind: people.teacherId), \(bind: long - 60), \(bind: long), 5000, 0.25, false)
                """).run()
            let stopped = try await teacher.page("/assessments/import/jobs/stopped")
            #expect(stopped.contains("stopped before the import ended, so nothing was imported"))
            #expect(!stopped.contains("http-equiv=\"refresh\""))

            // Still the sender's alone, on either server.
            let principal = TestClient(second)
            try await principal.signIn(people.email(.principal))
            #expect(try await principal.get("/assessments/import/jobs/two-servers").status == .notFound)
        }
    }
}
