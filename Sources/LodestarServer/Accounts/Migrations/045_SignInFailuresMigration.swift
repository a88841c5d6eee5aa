import Fluent
import SQLKit

/// Failed sign-ins move from one server's memory to the database (`SignInLimiter`), so servers sharing one
/// database share the limits. A row per failure and key (a digest of the account's or address's key); counted by key
/// within the window, and dropped by age.
struct SignInFailuresMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SignInLimiter.table)
            .field("key_digest", .string, .required).field("failed_at", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX sign_in_failures_key ON sign_in_failures (key_digest, failed_at)").run()
        try await sql.raw("CREATE INDEX sign_in_failures_age ON sign_in_failures (failed_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SignInLimiter.table).delete()
    }
}
