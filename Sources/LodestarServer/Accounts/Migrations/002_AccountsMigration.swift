import Fluent
import LodestarCore
import SQLKit
import Vapor

struct AccountsMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("staff")
            .field("id", .string, .identifier(auto: false))
            .field("given_name", .string, .required).field("family_name", .string, .required)
            .field("email", .string, .required).field("username", .string, .required)
            .field("identifier", .string, .required).field("roster_role", .string, .required)
            .field("org_ids", .string, .required).field("source", .string, .required)
            .field("password_hash", .string).field("is_enabled", .bool, .required)
            .create()
        try await database.schema("role_grants")
            .field("id", .string, .identifier(auto: false))
            .field("staff_id", .string, .required).field("role", .string, .required)
            .field("school_id", .string).field("source", .string, .required)
            .create()
        try await database.schema("write_lock").field("generation", .int, .required).create()
        let sql = database as! any SQLDatabase
        try await sql.raw("INSERT INTO write_lock (generation) VALUES (0)").run()
        try await sql.raw("CREATE INDEX staff_email ON staff (email)").run()
        try await sql.raw("CREATE INDEX staff_username ON staff (username)").run()
        try await sql.raw("CREATE INDEX role_grants_staff ON role_grants (staff_id)").run()
        try await sql.raw("CREATE INDEX role_grants_school ON role_grants (school_id, role)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["write_lock", "role_grants", "staff"] { try await database.schema(table).delete() }
    }
}
