import Fluent
import SQLKit

/// Each school's feedback loop by day (`FeedbackDays`), so the feedback page reads days rather than visits. Keyed by
/// day first, so a window's days are read in one range; on SQLite the rows are stored in that order (`WITHOUT ROWID`).
/// Filled from the walkthroughs already there.
struct FeedbackDaysMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        let clustered: SQLQueryString = sql.dialect.name == "sqlite" ? " WITHOUT ROWID" : ""
        try await sql.raw("""
            CREATE TABLE rollup_feedback_days (day BIGINT NOT NULL, school_id TEXT NOT NULL, first_visit_at BIGINT NOT NULL,
                last_visit_at BIGINT NOT NULL, visits BIGINT NOT NULL, shared BIGINT NOT NULL,
                within_a_day BIGINT NOT NULL, replied BIGINT NOT NULL, waits TEXT NOT NULL, teachers TEXT NOT NULL,
                PRIMARY KEY (day, school_id))\(clustered)
            """).run()
        try await FeedbackDays.recompute(on: database)
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP TABLE rollup_feedback_days").run()
    }
}
