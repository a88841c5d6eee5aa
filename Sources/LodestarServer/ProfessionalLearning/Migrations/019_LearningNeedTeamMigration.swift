import Fluent
import SQLKit

/// Needs proposed from a PLC team's evidence remember the team.
struct LearningNeedTeamMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LearningNeed.schema).field("team_id", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(LearningNeed.schema).deleteField("team_id").update()
    }
}
