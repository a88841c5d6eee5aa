import Fluent
import SQLKit

/// An intervention group's scheduled minutes a week, which the resource ledger counts (0 where not given).
struct InterventionMinutesMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(InterventionGroup.schema).field("minutes_per_week", .int64, .required, .sql(.default(0))).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(InterventionGroup.schema).deleteField("minutes_per_week").update()
    }
}
