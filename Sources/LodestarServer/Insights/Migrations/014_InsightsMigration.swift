import Fluent
import Foundation
import LodestarCore
import SQLKit

struct InsightsMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column per statement: SQLite adds columns one at a time.
        try await database.schema("walkthroughs").field("grade_band", .string, .required, .sql(.default(""))).update()
        try await database.schema("walkthroughs").field("subject", .string, .required, .sql(.default(""))).update()
        try await database.schema(IndicatorRollup.table)
            .field("id", .string, .identifier(auto: false))
            .field("school_id", .string, .required).field("month", .string, .required).field("grade_band", .string, .required)
            .field("subject", .string, .required).field("indicator_key", .string, .required)
            .field("visits", .int64, .required).field("seen", .int64, .required)
            .create()
        try await (database as! any SQLDatabase).raw("CREATE INDEX rollup_indicator_months_school ON rollup_indicator_months (school_id, month)").run()
        try await WalkthroughContext.backfill(on: database)
        try await IndicatorRollup.recompute(on: database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(IndicatorRollup.table).delete()
        try await database.schema("walkthroughs").deleteField("grade_band").update()
        try await database.schema("walkthroughs").deleteField("subject").update()
    }
}
