import Fluent
import SQLKit

/// Hiring against a profile: the district's profiles, openings with their committee and steps, candidates (minimal
/// data, deleted after the retention period), and each committee member's rating of each criterion at each step.
struct TalentMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("hiring_profiles")
            .field("id", .string, .identifier(auto: false))
            .field("name", .string, .required).field("role", .string, .required).field("definition", .string, .required)
            .field("updated_at", .int64, .required)
            .create()
        try await database.schema("openings")
            .field("id", .string, .identifier(auto: false))
            .field("school_id", .string, .required).field("title", .string, .required).field("role", .string, .required)
            .field("profile", .string, .required).field("steps", .string, .required).field("status", .string, .required)
            .field("created_by", .string, .required).field("created_at", .int64, .required).field("closed_at", .int64)
            .create()
        try await database.schema("opening_committee")
            .field("id", .string, .identifier(auto: false))
            .field("opening_id", .string, .required).field("staff_id", .string, .required)
            .create()
        try await database.schema("candidates")
            .field("id", .string, .identifier(auto: false))
            .field("opening_id", .string, .required).field("name", .string, .required).field("email", .string, .required)
            .field("phone", .string, .required).field("source", .string, .required)
            .field("added_by", .string, .required).field("added_at", .int64, .required)
            .field("decision", .string).field("decision_reason", .string).field("decided_by", .string).field("decided_at", .int64)
            .field("delete_after", .int64, .required)
            .create()
        try await database.schema("candidate_ratings")
            .field("id", .string, .identifier(auto: false))
            .field("candidate_id", .string, .required).field("step", .int64, .required).field("criterion_key", .string, .required)
            .field("member_id", .string, .required).field("level", .int64, .required).field("evidence", .string, .required)
            .field("rated_at", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE UNIQUE INDEX opening_committee_one ON opening_committee (opening_id, staff_id)").run()
        try await sql.raw("CREATE INDEX candidates_opening ON candidates (opening_id)").run()
        try await sql.raw("CREATE INDEX candidates_delete_after ON candidates (delete_after)").run()
        try await sql.raw("CREATE UNIQUE INDEX candidate_ratings_one ON candidate_ratings (candidate_id, step, criterion_key, member_id)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["candidate_ratings", "candidates", "opening_committee", "openings", "hiring_profiles"] { try await database.schema(table).delete() }
    }
}
