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
}
