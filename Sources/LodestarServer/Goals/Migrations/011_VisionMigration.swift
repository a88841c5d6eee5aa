import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

struct VisionMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("visions")
            .field("id", .string, .identifier(auto: false))
            .field("scope", .string, .required).field("version", .int, .required)
            .field("vision", .string, .required).field("mission", .string, .required)
            .field("students", .string, .required).field("teachers", .string, .required)
            .field("leaders", .string, .required).field("staff", .string, .required)
            .field("edited_by", .string, .required).field("edited_at", .int64, .required)
            .unique(on: "scope", "version")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("visions").delete()
    }
}
