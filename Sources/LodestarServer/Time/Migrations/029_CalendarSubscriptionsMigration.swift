import Fluent
import SQLKit

/// Leaders' calendar subscriptions (a secret iCalendar address refreshed on a schedule), and the
/// subscription each imported time entry came from, so a refresh removes what its source removed.
struct CalendarSubscriptionsMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("calendar_subscriptions")
            .field("id", .string, .identifier(auto: false))
            .field("leader_id", .string, .required).field("label", .string, .required).field("address", .string, .required)
            .field("etag", .string).field("last_modified", .string)
            .field("refreshed_at", .int64).field("succeeded_at", .int64).field("last_error", .string)
            .field("events", .int64, .required).field("interval_seconds", .int64, .required).field("next_refresh_at", .int64, .required)
            .field("created_at", .int64, .required)
            .create()
        try await database.schema("time_entries").field("subscription_id", .string).update()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX calendar_subscriptions_leader ON calendar_subscriptions (leader_id)").run()
        try await sql.raw("CREATE INDEX calendar_subscriptions_due ON calendar_subscriptions (next_refresh_at)").run()
        try await sql.raw("CREATE INDEX time_entries_subscription ON time_entries (subscription_id, starts_at)").run()
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("DROP INDEX time_entries_subscription").run()
        try await database.schema("time_entries").deleteField("subscription_id").update()
        try await database.schema("calendar_subscriptions").delete()
    }
}
