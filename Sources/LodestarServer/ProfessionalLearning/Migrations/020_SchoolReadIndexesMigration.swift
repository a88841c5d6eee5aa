import Fluent
import SQLKit

/// Mentor suggestions and practice beside growth read one school's enrollments, assessments and mastery
/// standings; without these indexes each read scanned the whole district's tables.
struct SchoolReadIndexesMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX mastery_pairs_school ON mastery_pairs (school_id)").run()
        try await sql.raw("CREATE INDEX enrollments_school ON enrollments (school_id)").run()
        try await sql.raw("CREATE INDEX assessments_school ON assessments (school_id, assessed_on)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX mastery_pairs_school").run()
        try await sql.raw("DROP INDEX enrollments_school").run()
        try await sql.raw("DROP INDEX assessments_school").run()
    }
}
