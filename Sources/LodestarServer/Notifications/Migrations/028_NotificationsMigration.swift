import Fluent
import SQLKit

/// Notifications shown in the app, each person's choice of email for each kind, and the email outbox the
/// delivery worker sends from.
struct NotificationsMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("notifications")
            .field("id", .string, .identifier(auto: false))
            .field("recipient_id", .string, .required).field("kind", .string, .required)
            .field("title", .string, .required).field("link", .string, .required).field("record_id", .string, .required)
            .field("created_at", .int64, .required).field("read_at", .int64)
            .field("emailed", .string, .required)
            .create()
        try await database.schema("notification_preferences")
            .field("staff_id", .string, .required).field("kind", .string, .required).field("delivery", .string, .required)
            .compositeIdentifier(over: "staff_id", "kind")
            .create()
        try await database.schema("email_outbox")
            .field("id", .string, .identifier(auto: false))
            .field("recipient_id", .string, .required).field("to_address", .string, .required)
            .field("subject", .string, .required).field("text_body", .string, .required).field("html_body", .string, .required)
            .field("kind", .string).field("unsubscribe_token", .string)
            .field("state", .string, .required).field("attempts", .int64, .required)
            .field("next_attempt_at", .int64, .required).field("claimed_until", .int64)
            .field("accepted_at", .int64).field("last_error", .string)
            .field("created_at", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX notifications_recipient ON notifications (recipient_id, created_at)").run()
        try await sql.raw("CREATE INDEX notifications_digest ON notifications (emailed, recipient_id)").run()
        try await sql.raw("CREATE INDEX email_outbox_due ON email_outbox (state, next_attempt_at)").run()
        try await sql.raw("CREATE UNIQUE INDEX email_outbox_unsubscribe ON email_outbox (unsubscribe_token)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["email_outbox", "notification_preferences", "notifications"] { try await database.schema(table).delete() }
    }
}
