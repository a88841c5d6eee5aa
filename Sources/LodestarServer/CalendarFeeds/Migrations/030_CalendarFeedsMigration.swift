import Fluent
import SQLKit

/// Each person's private calendar feed (the hash of its token), and what each feed last said of each item,
/// so an item's SEQUENCE rises when it changes and an item that is gone is sent as cancelled.
struct CalendarFeedsMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("calendar_feeds")
            .field("id", .string, .identifier(auto: false))
            .field("token_hash", .string, .required).field("created_at", .int64, .required)
            .create()
        try await database.schema("calendar_feed_items")
            .field("id", .string, .identifier(auto: false))
            .field("person_id", .string, .required).field("uid", .string, .required)
            .field("fingerprint", .string, .required).field("sequence", .int64, .required)
            .field("summary", .string, .required).field("starts_at", .int64).field("ends_at", .int64).field("day", .string)
            .field("cancelled_at", .int64)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE UNIQUE INDEX calendar_feeds_token ON calendar_feeds (token_hash)").run()
        try await sql.raw("CREATE INDEX calendar_feed_items_person ON calendar_feed_items (person_id)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["calendar_feed_items", "calendar_feeds"] { try await database.schema(table).delete() }
    }
}
