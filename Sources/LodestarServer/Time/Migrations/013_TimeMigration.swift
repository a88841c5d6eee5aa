import Fluent
import Foundation
import LodestarCore
import SQLKit

struct TimeMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("time_categories")
            .field("id", .string, .identifier(auto: false)).field("name", .string, .required)
            .field("instructional", .bool, .required).field("keywords", .string, .required).field("position", .int, .required)
            .create()
        try await database.schema("time_entries")
            .field("id", .string, .identifier(auto: false)).field("leader_id", .string, .required)
            .field("starts_at", .int64, .required).field("ends_at", .int64, .required)
            .field("title", .string, .required).field("category", .string, .required).field("source", .string, .required)
            .field("guessed", .bool, .required).field("all_day", .bool, .required).field("created_at", .int64, .required)
            .create()
        try await database.schema("time_corrections")
            .field("id", .string, .identifier(auto: false)).field("leader_id", .string, .required)
            .field("title", .string, .required).field("category", .string, .required)
            .create()
        try await database.schema("time_targets")
            .field("id", .string, .identifier(auto: false)).field("share", .double, .required)
            .create()
        try await database.schema("protected_blocks")
            .field("id", .string, .identifier(auto: false)).field("leader_id", .string, .required).field("weekday", .int, .required)
            .field("start_minute", .int, .required).field("end_minute", .int, .required).field("label", .string, .required)
            .create()
        try await database.schema("delegations")
            .field("id", .string, .identifier(auto: false)).field("leader_id", .string, .required).field("task", .string, .required)
            .field("delegate_id", .string, .required).field("status", .string, .required).field("due_on", .string, .required)
            .field("created_at", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        for statement in [
            "CREATE INDEX time_entries_leader ON time_entries (leader_id, starts_at)",
            "CREATE INDEX coaching_conversations_coach ON coaching_conversations (coach_id, held_at)",
            "CREATE INDEX protected_blocks_leader ON protected_blocks (leader_id)",
            "CREATE INDEX delegations_leader ON delegations (leader_id)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
        for (position, category) in TimeCategory.defaults.enumerated() {
            let record = TimeCategoryRecord()
            record.id = category.key
            record.name = category.name
            record.instructional = category.instructional
            record.keywords = category.keywords.joined(separator: "\n")
            record.position = position
            try await record.create(on: database)
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["delegations", "protected_blocks", "time_targets", "time_corrections", "time_entries", "time_categories"] {
            try await database.schema(table).delete()
        }
        try await (database as! any SQLDatabase).raw("DROP INDEX coaching_conversations_coach").run()
    }
}
