import Fluent
import Foundation
import LodestarCore
import SQLKit

struct GoalMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("goals")
            .field("id", .string, .identifier(auto: false))
            .field("scope", .string, .required).field("parent_id", .string)
            .field("statement", .string, .required).field("owner_id", .string, .required).field("metric", .string, .required)
            .field("baseline", .double, .required).field("target", .double, .required)
            .field("starts_on", .string, .required).field("deadline", .string, .required)
            .field("created_by", .string, .required).field("created_at", .int64, .required)
            .create()
        try await database.schema("goal_values")
            .field("id", .string, .identifier(auto: false)).field("goal_id", .string, .required).field("day", .string, .required)
            .field("value", .double, .required).field("note", .string, .required)
            .field("entered_by", .string, .required).field("entered_at", .int64, .required)
            .create()
        try await database.schema("goal_measurements")
            .field("id", .string, .identifier(auto: false)).field("goal_id", .string, .required).field("day", .string, .required)
            .field("value", .double)
            .create()
        try await database.schema("action_steps")
            .field("id", .string, .identifier(auto: false)).field("goal_id", .string, .required).field("text", .string, .required)
            .field("owner_id", .string, .required).field("due_on", .string, .required).field("status", .string, .required)
            .field("created_at", .int64, .required)
            .create()
        try await database.schema("step_evidence")
            .field("id", .string, .identifier(auto: false)).field("step_id", .string, .required).field("kind", .string, .required)
            .field("href", .string, .required).field("label", .string, .required)
            .field("added_by", .string, .required).field("added_at", .int64, .required)
            .create()
        try await database.schema("step_check_ins")
            .field("id", .string, .identifier(auto: false)).field("step_id", .string, .required).field("status", .string, .required)
            .field("note", .string, .required).field("author_id", .string, .required).field("at", .int64, .required)
            .create()
        try await database.schema("plan_changes")
            .field("id", .string, .identifier(auto: false)).field("goal_id", .string, .required).field("what", .string, .required)
            .field("why", .string, .required).field("author_id", .string, .required).field("at", .int64, .required)
            .create()
        let sql = database as! any SQLDatabase
        for statement in [
            "CREATE INDEX goals_scope ON goals (scope)",
            "CREATE INDEX goal_values_goal ON goal_values (goal_id)",
            "CREATE INDEX goal_measurements_goal ON goal_measurements (goal_id)",
            "CREATE INDEX action_steps_goal ON action_steps (goal_id)",
            "CREATE INDEX step_evidence_step ON step_evidence (step_id)",
            "CREATE INDEX step_check_ins_step ON step_check_ins (step_id)",
            "CREATE INDEX plan_changes_goal ON plan_changes (goal_id)",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        for table in ["plan_changes", "step_check_ins", "step_evidence", "action_steps", "goal_measurements", "goal_values", "goals"] {
            try await database.schema(table).delete()
        }
    }
}
