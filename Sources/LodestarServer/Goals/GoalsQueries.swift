import Fluent
import Foundation
import LodestarCore

/// Goals' front door for other features: what Today shows of the action steps a person owns.
struct GoalsQueries {
    let db: any Database

    /// Steps the person owns that are past due and not done, earliest first, with the first one's goal.
    func overdueSteps(ownedBy owner: String, before today: String) async throws -> (steps: [ActionStep], firstGoal: SmartGoal?) {
        let steps = try await ActionStep.query(on: db).filter(\.$ownerId == owner).filter(\.$dueOn < today)
            .filter(\.$status ~~ [ActionStep.Status.notStarted.rawValue, ActionStep.Status.inProgress.rawValue]).sort(\.$dueOn).all()
        guard let first = steps.first else { return (steps, nil) }
        return (steps, try await SmartGoal.find(first.goalId, on: db))
    }

    /// Every step not done or dropped that is due on or before `day`, with its goal's page: for reminders.
    func openSteps(dueThrough day: String) async throws -> [(step: ActionStep, link: String)] {
        let steps = try await ActionStep.query(on: db).filter(\.$dueOn <= day)
            .filter(\.$status ~~ [ActionStep.Status.notStarted.rawValue, ActionStep.Status.inProgress.rawValue]).sort(\.$dueOn).sort(\.$id).all()
        let goals = Dictionary(try await SmartGoal.query(on: db).filter(\.$id ~~ Set(steps.map(\.goalId))).all().map { ($0.id!, $0) }) { a, _ in a }
        return steps.compactMap { step in
            goals[step.goalId].map { (step, "/goals/\($0.scope.urlQueryEncoded)/\($0.id!)#plan") }
        }
    }
}

extension GoalsQueries {
    /// Action steps a person owns, not done or dropped, due `fromDay..<toDay`, with their goal's scope.
    func openSteps(ownedBy owner: String, fromDay: String, toDay: String) async throws -> [(step: ActionStep, scope: String)] {
        let steps = try await ActionStep.query(on: db).filter(\.$ownerId == owner)
            .filter(\.$status !~ [ActionStep.Status.done.rawValue, ActionStep.Status.dropped.rawValue])
            .filter(\.$dueOn >= fromDay).filter(\.$dueOn < toDay).all()
        guard !steps.isEmpty else { return [] }
        let goals = try await SmartGoal.query(on: db).filter(\.$id ~~ Set(steps.map(\.goalId))).all()
        let scopes = Dictionary(uniqueKeysWithValues: goals.map { ($0.id!, $0.scope) })
        return steps.compactMap { step in scopes[step.goalId].map { (step, $0) } }
    }
}

/// What the leadership self-assessment reads of a school's goals and writes into its plan.
extension GoalsQueries {
    /// A scope's goals in the order of its plan page, each with the status the page shows and whether it is
    /// aligned to a district goal.
    func statuses(ofScope scope: String, today: String) async throws -> [(goal: SmartGoal, status: GoalProjection.Status)] {
        try await GoalProgress.compute(try await goals(ofScope: scope), today: today, on: db).map { ($0.goal, $0.projection.status) }
    }

    /// Goals measured as their pages measure them.
    func progress(of goals: [SmartGoal], today: String) async throws -> [GoalProgress] {
        try await GoalProgress.compute(goals, today: today, on: db)
    }

    /// A scope's goals in the order of its plan page, without measuring them.
    func goals(ofScope scope: String) async throws -> [SmartGoal] {
        try await SmartGoal.query(on: db).filter(\.$scope == scope).sort(\.$createdAt).all()
    }

    /// A goal measured by hand, set from elsewhere in Lodestar; `origin` is written in its monitor-and-adjust log so
    /// the goal says where it came from. Call inside the write's transaction.
    func setManualGoal(scope: String, statement: String, owner: String, unit: String, baseline: Double, target: Double,
                       deadline: String, today: String, origin: String, by author: String) async throws -> SmartGoal {
        let goal = SmartGoal()
        goal.id = UUID().uuidString.lowercased()
        goal.scope = scope
        goal.statement = String(statement.prefix(1_000))
        goal.ownerId = owner
        goal.metricJSON = String(decoding: try JSONEncoder().encode(GoalMetric(kind: .manual, unit: unit)), as: UTF8.self)
        goal.baseline = baseline
        goal.target = target
        goal.startsOn = today
        goal.deadline = deadline
        goal.createdBy = author
        goal.createdAt = Int(Date().timeIntervalSince1970)
        try await goal.create(on: db)
        try await PlanChange.record(goalId: goal.id!, what: "Goal set", why: String(origin.prefix(1_000)), by: author, on: db)
        return goal
    }

    /// An action step added to a goal of `scope`, with a link back to where it came from as its first evidence.
    /// Call inside the write's transaction. Nil when the goal is not the scope's.
    func addStep(toGoal goalId: String, ofScope scope: String, text: String, owner: String, dueOn: String,
                 evidence: (href: String, kind: String, label: String), by author: String) async throws -> ActionStep? {
        guard let goal = try await SmartGoal.find(goalId, on: db), goal.scope == scope else { return nil }
        let step = ActionStep()
        step.id = UUID().uuidString.lowercased()
        step.goalId = goalId
        step.text = String(text.prefix(1_000))
        step.ownerId = owner
        step.dueOn = dueOn
        step.status = ActionStep.Status.notStarted.rawValue
        step.createdAt = Int(Date().timeIntervalSince1970)
        try await step.create(on: db)
        let link = StepEvidence()
        link.id = UUID().uuidString.lowercased()
        link.stepId = step.id!
        link.kind = evidence.kind
        link.href = evidence.href
        link.label = String(evidence.label.prefix(300))
        link.addedBy = author
        link.addedAt = step.createdAt
        try await link.create(on: db)
        try await db.announce(.stepAssigned(step, link: "/goals/\(scope.urlQueryEncoded)/\(goalId)#plan", by: author))
        try await PlanChange.record(goalId: goalId, what: "Step added: \(step.text) (due \(DisplayTime.date(dueOn)))", why: "", by: author, on: db)
        return step
    }
}
