import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

struct TwoFactorMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TwoFactorSecret.schema)
            .field("id", .string, .identifier(auto: false))
            .field("secret", .string, .required).field("confirmed_at", .int64).field("last_step", .int64)
            .create()
        try await database.schema(RecoveryCode.schema)
            .field("id", .string, .identifier(auto: false))
            .field("staff_id", .string, .required).field("digest", .string, .required).field("used_at", .int64)
            .create()
        try await (database as! any SQLDatabase).raw("CREATE INDEX recovery_codes_staff ON recovery_codes (staff_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(RecoveryCode.schema).delete()
        try await database.schema(TwoFactorSecret.schema).delete()
    }
}
