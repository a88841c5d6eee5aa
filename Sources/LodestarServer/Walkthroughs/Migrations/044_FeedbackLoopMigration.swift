import Fluent
import SQLKit

/// The feedback loop of every school is counted from one index: each walkthrough remembers whether its teacher
/// replied (kept by `WalkthroughQueries.recountTeacherReplies`), and the index holds everything the count reads, so a
/// district's month of visits is counted without reading a visit or a reply. It begins with the columns of the
/// index it replaces (`walkthroughs_school`: a school's visits by time), so each walkthrough still writes three.
struct FeedbackLoopMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Walkthrough.schema).field("teacher_replied", .int64, .required, .sql(.default(0))).update()
        try await WalkthroughQueries(db: database).recountTeacherReplies()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX walkthroughs_feedback_loop ON walkthroughs (school_id, observed_at, shared_at, teacher_replied, teacher_id)").run()
        try await sql.raw("DROP INDEX walkthroughs_school").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX walkthroughs_school ON walkthroughs (school_id, observed_at)").run()
        try await sql.raw("DROP INDEX walkthroughs_feedback_loop").run()
        try await database.schema(Walkthrough.schema).deleteField("teacher_replied").update()
    }
}
