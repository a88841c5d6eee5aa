import Fluent
import Foundation
import LodestarCore
import SQLKit

/// A SMART goal of the district (`scope == "district"`) or a school: a specific statement, an owner,
/// a measure computed from Lodestar's data, the baseline taken when it was set, a target and a deadline.
final class SmartGoal: Model, @unchecked Sendable {
    static let schema = "goals"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "scope") var scope: String
    /// The district goal a school goal is aligned to.
    @OptionalField(key: "parent_id") var parentId: String?
    @Field(key: "statement") var statement: String
    @Field(key: "owner_id") var ownerId: String
    /// The `GoalMetric` as JSON.
    @Field(key: "metric") var metricJSON: String
    @Field(key: "baseline") var baseline: Double
    @Field(key: "target") var target: Double
    /// ISO days: when the baseline was taken, and the deadline.
    @Field(key: "starts_on") var startsOn: String
    @Field(key: "deadline") var deadline: String
    @Field(key: "created_by") var createdBy: String
    @Field(key: "created_at") var createdAt: Int
    init() {}

    var metric: GoalMetric {
        get throws { try JSONDecoder().decode(GoalMetric.self, from: Data(metricJSON.utf8)) }
    }
}

/// A value entered by hand for a goal measured manually, for the day it describes.
final class GoalValue: Model, @unchecked Sendable {
    static let schema = "goal_values"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "goal_id") var goalId: String
    @Field(key: "day") var day: String
    @Field(key: "value") var value: Double
    @Field(key: "note") var note: String
    @Field(key: "entered_by") var enteredBy: String
    @Field(key: "entered_at") var enteredAt: Int
    init() {}
}

/// A computed measurement of a goal, kept as it was taken on a past checkpoint day, so a plan shows
/// the trajectory people saw at the time and pages do not recompute a year of history on every view.
/// `value` is nil when there was nothing to measure that day.
final class GoalMeasurement: Model, @unchecked Sendable {
    static let schema = "goal_measurements"
    /// "goal id|day"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "goal_id") var goalId: String
    @Field(key: "day") var day: String
    @OptionalField(key: "value") var value: Double?
    init() {}
}

/// One step of a goal's action plan.
final class ActionStep: Model, @unchecked Sendable {
    static let schema = "action_steps"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "goal_id") var goalId: String
    @Field(key: "text") var text: String
    @Field(key: "owner_id") var ownerId: String
    @Field(key: "due_on") var dueOn: String
    /// See `ActionStep.Status`.
    @Field(key: "status") var status: String
    @Field(key: "created_at") var createdAt: Int
    init() {}

    enum Status: String, CaseIterable {
        case notStarted = "not_started", inProgress = "in_progress", done, dropped
        var label: String {
            switch self {
            case .notStarted: "Not started"
            case .inProgress: "In progress"
            case .done: "Done"
            case .dropped: "Dropped"
            }
        }
    }

    /// Past due and not finished, on `today` (an ISO day).
    func isOverdue(today: String) -> Bool {
        dueOn < today && status != Status.done.rawValue && status != Status.dropped.rawValue
    }
}

/// A link from a step to the evidence of its work: a walkthrough, an assessment, a coaching record,
/// an intervention group, or a professional learning page.
final class StepEvidence: Model, @unchecked Sendable {
    static let schema = "step_evidence"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "step_id") var stepId: String
    @Field(key: "kind") var kind: String
    @Field(key: "href") var href: String
    @Field(key: "label") var label: String
    @Field(key: "added_by") var addedBy: String
    @Field(key: "added_at") var addedAt: Int
    init() {}
}

/// A check-in on a step: how it is going, in a few words.
final class StepCheckIn: Model, @unchecked Sendable {
    static let schema = "step_check_ins"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "step_id") var stepId: String
    @Field(key: "status") var status: String
    @Field(key: "note") var note: String
    @Field(key: "author_id") var authorId: String
    @Field(key: "at") var at: Int
    init() {}
}

/// The monitor-and-adjust log: what changed in a goal's plan, and why.
final class PlanChange: Model, @unchecked Sendable {
    static let schema = "plan_changes"
    /// The author of a change Lodestar itself made (a rule of measurement changed).
    static let lodestar = "lodestar"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "goal_id") var goalId: String
    @Field(key: "what") var what: String
    @Field(key: "why") var why: String
    @Field(key: "author_id") var authorId: String
    @Field(key: "at") var at: Int
    init() {}
}

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

/// Time goals measured again under the rule that overlapping time entries count once (they were counted twice):
/// the kept measurements of every goal on leaders' instructional time are dropped, to be taken again by the new
/// rule when the goal is next opened, and each such goal's history says so.
struct TimeOverlapsCountedOnceMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        let goals = try await sql.raw("SELECT id, metric FROM goals").all().compactMap { row -> String? in
            let metric = try row.decode(column: "metric", as: String.self)
            let kind = try JSONDecoder().decode(GoalMetric.self, from: Data(metric.utf8)).kind
            return kind == .instructionalTime ? try row.decode(column: "id", as: String.self) : nil
        }
        guard !goals.isEmpty else { return }
        let now = Int(Date().timeIntervalSince1970)
        try await database.transaction { db in
            let sql = db as! any SQLDatabase
            try await sql.raw("DELETE FROM goal_measurements WHERE goal_id IN (\(binds: goals))").run()
            for goal in goals {
                try await sql.raw("""
                    INSERT INTO plan_changes (id, goal_id, what, why, author_id, at)
                    VALUES (\(bind: "\(goal)|time-overlaps"), \(bind: goal), 'Measurements taken again',
                            'Time entries that overlap now count once, for the entry that began first; before, overlapping time was counted twice. The baseline is as it was set.',
                            \(bind: PlanChange.lodestar), \(bind: now))
                    """).run()
            }
        }
    }

    func revert(on database: any Database) async throws {}
}
