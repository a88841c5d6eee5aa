import Fluent
import SQLKit

/// The practice library: resources (links, files, notes) with their tags and moderation, the files' bytes, who saved
/// and rated each, and what was shared with whom.
struct LibraryMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("library_items")
            .field("id", .string, .identifier(auto: false))
            .field("school_id", .string).field("kind", .string, .required).field("title", .string, .required)
            .field("url", .string, .required).field("note", .string, .required)
            .field("practices", .string, .required).field("standards", .string, .required).field("bands", .string, .required)
            .field("file_name", .string).field("file_type", .string).field("file_size", .int)
            .field("status", .string, .required).field("added_by", .string, .required).field("added_at", .int64, .required)
            .field("approved_by", .string).field("approved_at", .int64)
            .create()
        try await database.schema("library_files")
            .field("id", .string, .identifier(auto: false)).field("data", .data, .required)
            .create()
        try await database.schema("library_saves")
            .field("id", .string, .identifier(auto: false))
            .field("item_id", .string, .required).field("staff_id", .string, .required).field("rating", .int).field("saved_at", .int64, .required)
            .create()
        try await database.schema("library_shares")
            .field("id", .string, .identifier(auto: false))
            .field("item_id", .string, .required).field("from_id", .string, .required).field("to_id", .string, .required)
            .field("note", .string, .required).field("walkthrough_id", .string).field("shared_at", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX library_items_status ON library_items (status, school_id)").run()
        try await sql.raw("CREATE INDEX library_saves_staff ON library_saves (staff_id)").run()
        try await sql.raw("CREATE INDEX library_saves_item ON library_saves (item_id)").run()
        try await sql.raw("CREATE INDEX library_shares_to ON library_shares (to_id, shared_at)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["library_shares", "library_saves", "library_files", "library_items"] { try await database.schema(table).delete() }
    }
}
