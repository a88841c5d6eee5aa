import Fluent
import LodestarCore
import SQLKit
import Vapor

/// One account per email, compared without regard to case: the sign-in finds a person by their email, so
/// two accounts with one email would let the roster hand one person's access to another. Emails are
/// stored lower-cased already; the index holds that for every writer.
struct StaffEmailUniqueMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE UNIQUE INDEX staff_email_unique ON staff (lower(email)) WHERE email <> ''").run()
    }

    func revert(on database: any Database) async throws {
        try await (database as! any SQLDatabase).raw("DROP INDEX staff_email_unique").run()
    }
}
