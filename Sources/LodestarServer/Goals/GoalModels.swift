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
