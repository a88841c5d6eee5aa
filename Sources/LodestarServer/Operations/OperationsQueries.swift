import Fluent
import SQLKit

/// What the health check and the metrics ask of the database itself.
struct OperationsQueries {
    let db: any Database

    /// Asks the database the simplest question; throws when it cannot answer.
    func ping() async throws {
        _ = try await db.sql.raw("SELECT 1 AS one").first()
    }

    /// The migrations Fluent has recorded as run on this database, by name.
    func recordedMigrations() async throws -> Set<String> {
        Set(try await db.sql.raw("SELECT name FROM _fluent_migrations").all().map { try $0.decode(column: "name", as: String.self) })
    }
}
