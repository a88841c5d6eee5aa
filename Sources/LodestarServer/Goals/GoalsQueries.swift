import Fluent
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
