import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

struct AuditMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("audit_events")
            .field("id", .string, .identifier(auto: false))
            .field("at", .int64, .required).field("staff_id", .string, .required).field("action", .string, .required)
            .field("subject", .string, .required).field("address", .string, .required)
            .create()
        try await (database as! any SQLDatabase).raw("CREATE INDEX audit_events_at ON audit_events (at)").run()
        try await (database as! any SQLDatabase).raw("CREATE INDEX audit_events_subject ON audit_events (subject)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("audit_events").delete()
    }
}
