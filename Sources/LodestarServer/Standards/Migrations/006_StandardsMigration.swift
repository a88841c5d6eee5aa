import Fluent
import LodestarCore
import SQLKit

struct StandardsMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("standard_documents")
            .field("id", .string, .identifier(auto: false))
            .field("title", .string, .required).field("creator", .string, .required)
            .field("subject", .string, .required).field("adoption_status", .string, .required)
            .create()
        try await database.schema("standards")
            .field("id", .string, .identifier(auto: false))
            .field("document_id", .string, .required).field("code", .string, .required).field("statement", .string, .required)
            .field("abbreviated", .string, .required).field("item_type", .string, .required).field("grades", .string, .required)
            .field("parent_id", .string).field("position", .int, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX standards_document ON standards (document_id, parent_id, position)").run()
        try await sql.raw("CREATE INDEX standards_code ON standards (code)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("standards").delete()
        try await database.schema("standard_documents").delete()
    }
}
