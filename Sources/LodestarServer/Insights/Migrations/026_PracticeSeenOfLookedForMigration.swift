import Fluent
import Foundation
import LodestarCore
import SQLKit

/// The practice-share rule (`PracticeCount`): visits that did not mark a practice no longer count as not
/// seen. The rollup learns how many visits marked it not seen and is recomputed; goals on a practice are
/// measured again by the rule, and each such goal's history says so.
struct PracticeSeenOfLookedForMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(IndicatorRollup.table).field("not_seen", .int64, .required, .sql(.default(0))).update()
        try await database.transaction { db in try await Self.recount(on: db) }
    }

    /// Everything but the new column, in the caller's transaction.
    static func recount(on db: any Database) async throws {
        try await IndicatorRollup.recompute(on: db)
        try await GoalRemeasure.measureAgain(kind: .indicatorObserved, change: "practice-looked-for", why:
            "A practice’s share now counts only the walkthroughs that looked for it (marked it seen or not seen); before, walkthroughs that left it unmarked counted as not seen.",
            on: db)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IndicatorRollup.table).deleteField("not_seen").update()
    }
}
