import Fluent
import SQLKit

/// The leadership framework's versions, and each school's yearly self-assessment: its team, each member's own
/// ratings, and the team's rating of each indicator with the district's review.
struct LeadershipMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("leadership_frameworks")
            .field("id", .string, .identifier(auto: false))
            .field("key", .string, .required).field("version", .int64, .required).field("name", .string, .required)
            .field("definition", .string, .required).field("is_active", .bool, .required).field("created_at", .int64, .required)
            .create()
        try await database.schema("self_assessments")
            .field("id", .string, .identifier(auto: false))
            .field("school_id", .string, .required).field("year", .int64, .required).field("framework_id", .string, .required)
            .field("started_by", .string, .required).field("started_at", .int64, .required).field("published_at", .int64)
            .create()
        try await database.schema("self_assessment_members")
            .field("id", .string, .identifier(auto: false))
            .field("assessment_id", .string, .required).field("staff_id", .string, .required).field("added_at", .int64, .required)
            .create()
        try await database.schema("self_assessment_ratings")
            .field("id", .string, .identifier(auto: false))
            .field("assessment_id", .string, .required).field("indicator_key", .string, .required).field("staff_id", .string, .required)
            .field("level", .int64, .required).field("evidence", .string, .required).field("rated_at", .int64, .required)
            .create()
        try await database.schema("self_assessment_team_ratings")
            .field("id", .string, .identifier(auto: false))
            .field("assessment_id", .string, .required).field("indicator_key", .string, .required)
            .field("level", .int64, .required).field("evidence", .string, .required).field("evidence_seen", .string, .required)
            .field("rated_by", .string, .required).field("rated_at", .int64, .required)
            .field("review", .string).field("review_comment", .string).field("reviewed_by", .string).field("reviewed_at", .int64)
            .field("goal_id", .string).field("goal_scope", .string)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE UNIQUE INDEX self_assessments_school_year ON self_assessments (school_id, year)").run()
        try await sql.raw("CREATE UNIQUE INDEX self_assessment_members_one ON self_assessment_members (assessment_id, staff_id)").run()
        try await sql.raw("CREATE UNIQUE INDEX self_assessment_ratings_one ON self_assessment_ratings (assessment_id, indicator_key, staff_id)").run()
        try await sql.raw("CREATE UNIQUE INDEX self_assessment_team_ratings_one ON self_assessment_team_ratings (assessment_id, indicator_key)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["self_assessment_team_ratings", "self_assessment_ratings", "self_assessment_members", "self_assessments", "leadership_frameworks"] {
            try await database.schema(table).delete()
        }
    }
}
