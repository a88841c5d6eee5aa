import Fluent
import SQLKit

/// How standards lead to one another across grades: from the CASE package (replaced when it is imported again) or
/// added by the district.
struct StandardLinksMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("standard_links")
            .field("id", .string, .identifier(auto: false))
            .field("origin_id", .string, .required).field("destination_id", .string, .required).field("kind", .string, .required)
            .field("document_id", .string).field("created_by", .string).field("created_at", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX standard_links_origin ON standard_links (origin_id)").run()
        try await sql.raw("CREATE INDEX standard_links_destination ON standard_links (destination_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("standard_links").delete()
    }
}
