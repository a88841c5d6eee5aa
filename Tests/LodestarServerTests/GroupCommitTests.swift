import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
@testable import LodestarServer

/// Writes sent while another is being written go together in one transaction, each answered after its commit.
@Suite("Group commit")
struct GroupCommitTests {
    struct Bad: Error {}

    @Test(arguments: TestDatabase.all)
    func writesThatWaitGoTogetherAndABadOneFailsAlone(_ database: TestDatabase) async throws {
        try await withLodestar(database) { app in
            try await app.db.sql.raw("CREATE TABLE group_commit_test (n INTEGER PRIMARY KEY)").run()
            let groups = NIOLockedValueBox<[[Int]]>([])
            let writes = GroupCommit<Int>(largest: 30) { group, db in
                groups.withLockedValue { $0.append(group.sorted()) }
                // One write holds the transaction a moment, while the others arrive.
                if group == [1_000] { try await Task.sleep(for: .milliseconds(300)) }
                for n in group where n == 13 { throw Bad() }
                let insert = db.sql.insert(into: "group_commit_test").columns("n")
                for n in group { insert.values(SQLBind(n)) }
                try await insert.run()
            }
            try await writes.submit(0, on: app.db)
            async let first: Void = writes.submit(1_000, on: app.db)
            try await Task.sleep(for: .milliseconds(50))
            let outcomes = await withTaskGroup(of: (Int, Bool).self) { tasks in
                for n in 1...40 {
                    tasks.addTask { (n, (try? await writes.submit(n, on: app.db)) != nil) }
                }
                return await tasks.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
            }
            try await first
            // Everyone but 13 was written and answered; 13 was refused alone.
            #expect(outcomes.filter { !$0.value }.map(\.key) == [13])
            let written = try await app.db.sql.raw("SELECT n FROM group_commit_test ORDER BY n").all().map { try $0.decode(column: "n", as: Int.self) }
            #expect(written == [0] + (1...40).filter { $0 != 13 } + [1_000])
            // 0 alone, 1,000 alone; then what waited went in groups of at most 30; the group with 13 failed and was
            // tried one by one.
            let seen = groups.withLockedValue { $0 }
            #expect(Array(seen.prefix(2)) == [[0], [1_000]])
            #expect(seen.allSatisfy { $0.count <= 30 })
            #expect(seen.contains { $0.count > 1 && $0.contains(13) })
            #expect(seen.contains([13]))
            #expect(seen.count < 41, "the waiting writes went in groups: \(seen.map(\.count))")
        }
    }
}
