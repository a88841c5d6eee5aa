import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

struct InterventionMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("intervention_groups")
            .field("id", .string, .identifier(auto: false))
            .field("name", .string, .required).field("class_id", .string, .required).field("school_id", .string, .required)
            .field("standard_id", .string, .required).field("plan", .string, .required).field("reassess_on", .string, .required)
            .field("created_by", .string, .required).field("created_at", .int64, .required)
            .create()
        try await database.schema("intervention_members")
            .field("id", .string, .identifier(auto: false))
            .field("group_id", .string, .required).field("student_id", .string, .required).field("baseline", .double)
            .create()
        try await (database as! any SQLDatabase).raw("CREATE INDEX intervention_members_group ON intervention_members (group_id)").run()
        try await (database as! any SQLDatabase).raw("CREATE INDEX intervention_groups_class ON intervention_groups (class_id)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("intervention_members").delete()
        try await database.schema("intervention_groups").delete()
    }
}
