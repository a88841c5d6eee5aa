import Fluent
import Foundation
import LodestarCore
import Vapor

/// The one-page plan (vision, goals with progress, action steps) for printing, and the goals and
/// steps as CSV.
struct SchoolPlanController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("goals", ":scope", "print", use: printable)
        routes.get("goals", ":scope", "goals.csv", use: goalsCSV)
        routes.get("goals", ":scope", "steps.csv", use: stepsCSV)
    }

    /// Everything the printed plan and the CSV files hold, computed once.
    struct PlanData {
        let scope: PlanScope
        let goals: [(goal: SmartGoal, progress: GoalProgress)]
        let steps: [ActionStep]
        let lastCheckIn: [String: StepCheckIn]
        let evidence: [String: [StepEvidence]]
        let names: [String: String]
        let today: String

        static func load(_ req: Request) async throws -> PlanData {
            let scope = try await PlanScope.load(req)
            let today = GoalsController.today()
            let goals = try await GoalProgress.compute(try await SmartGoal.query(on: req.db).filter(\.$scope == scope.id).sort(\.$createdAt).all(),
                                                       today: today, on: req.db).map { (goal: $0.goal, progress: $0) }
            let steps = try await ActionStep.query(on: req.db).filter(\.$goalId ~~ goals.map { $0.0.id! }).sort(\.$dueOn).all()
            var lastCheckIn: [String: StepCheckIn] = [:]
            for checkIn in try await StepCheckIn.query(on: req.db).filter(\.$stepId ~~ steps.map { $0.id! }).sort(\.$at).all() {
                lastCheckIn[checkIn.stepId] = checkIn
            }
            let evidence = Dictionary(grouping: try await StepEvidence.query(on: req.db).filter(\.$stepId ~~ steps.map { $0.id! }).all(), by: \.stepId)
            let names = try await Staff.names(of: goals.map(\.0.ownerId) + steps.map(\.ownerId), on: req.db)
            return PlanData(scope: scope, goals: goals, steps: steps, lastCheckIn: lastCheckIn, evidence: evidence, names: names, today: today)
        }

        func name(_ id: String) -> String { names[id] ?? "Former staff member" }
    }

    struct PrintPage: Encodable {
        struct Goal: Encodable {
            let number: Int
            let summary: GoalProgress.Summary
            let chart: String
            let steps: [Step]
            /// Steps left off the sheet: done or dropped, or beyond the first `stepsPerGoal`.
            let moreSteps: Int
        }

        /// Steps printed per goal, so that six goals fit one US Letter sheet.
        static let stepsPerGoal = 3
        struct Step: Encodable { let text: String; let owner: String; let dueOn: String; let status: String; let overdue: Bool }
        let page: PageContext
        let scope: String
        let name: String
        let vision: String?
        let mission: String?
        let statements: [String]
        let goals: [Goal]
        let rule: String
        let printedOn: String
    }

    /// The steps a sheet shows: the open ones, overdue first, then by due day; at most `stepsPerGoal`.
    static func printed(_ steps: [ActionStep], today: String) -> [ActionStep] {
        let open = steps.filter { $0.status != ActionStep.Status.done.rawValue && $0.status != ActionStep.Status.dropped.rawValue }
        return Array(open.sorted { ($0.isOverdue(today: today) ? 0 : 1, $0.dueOn, $0.text) < ($1.isOverdue(today: today) ? 0 : 1, $1.dueOn, $1.text) }
            .prefix(PrintPage.stepsPerGoal))
    }

    func printable(req: Request) async throws -> View {
        let data = try await PlanData.load(req)
        let vision = try await VisionVersion.query(on: req.db).filter(\.$scope == data.scope.id).sort(\.$version, .descending).first()
        let statements = [vision?.students, vision?.teachers, vision?.leaders, vision?.staff].compactMap { $0 }
            .flatMap { $0.split(whereSeparator: \.isNewline).map(String.init) }
        let steps = Dictionary(grouping: data.steps, by: \.goalId)
        return try await req.view.render("goals/print", PrintPage(
            page: PageContext(request: req, title: "Plan: \(data.scope.name)"), scope: data.scope.id, name: data.scope.name,
            vision: vision?.vision, mission: vision?.mission, statements: statements,
            goals: data.goals.enumerated().map { index, item in
                let all = steps[item.goal.id!] ?? [], printed = Self.printed(all, today: data.today)
                return PrintPage.Goal(number: index + 1, summary: item.progress.summary(owner: data.name(item.goal.ownerId)),
                               chart: item.progress.chart(id: "print-chart-\(index)"),
                               steps: printed.map { step in
                                   PrintPage.Step(text: step.text, owner: data.name(step.ownerId), dueOn: DisplayTime.date(step.dueOn),
                                                  status: ActionStep.Status(rawValue: step.status)?.label ?? step.status, overdue: step.isOverdue(today: data.today))
                               },
                               moreSteps: all.count - printed.count)
            },
            rule: GoalProjection.rule, printedOn: DisplayTime.day(Int(Date().timeIntervalSince1970))))
    }

    func goalsCSV(req: Request) async throws -> Response {
        let data = try await PlanData.load(req)
        var csv = CSVWriter(header: ["goal_id", "scope", "statement", "owner", "measure", "baseline", "latest", "target", "unit",
                                     "set_on", "deadline", "projected_at_deadline", "status", "aligned_to_goal_id"])
        for (goal, progress) in data.goals {
            csv.append([goal.id!, goal.scope, goal.statement, data.name(goal.ownerId), progress.measureLabel, goal.baseline.cleanNumber,
                        progress.current.map { (($0 * 10).rounded() / 10).cleanNumber } ?? "", goal.target.cleanNumber,
                        progress.metric.displayUnit.trimmingCharacters(in: .whitespaces), goal.startsOn, goal.deadline,
                        progress.projection.projected.map { (($0 * 10).rounded() / 10).cleanNumber } ?? "", progress.projection.status.rawValue,
                        goal.parentId ?? ""])
        }
        return try await req.csvDownload(csv, named: "goals-\(data.scope.id).csv")
    }

    func stepsCSV(req: Request) async throws -> Response {
        let data = try await PlanData.load(req)
        let statements = Dictionary(uniqueKeysWithValues: data.goals.map { ($0.goal.id!, $0.goal.statement) })
        var csv = CSVWriter(header: ["goal_id", "goal", "step_id", "step", "owner", "due_on", "status", "overdue", "last_check_in", "last_check_in_note", "evidence"])
        for step in data.steps {
            let checkIn = data.lastCheckIn[step.id!]
            csv.append([step.goalId, statements[step.goalId] ?? "", step.id!, step.text, data.name(step.ownerId), step.dueOn, step.status,
                        step.isOverdue(today: data.today) ? "yes" : "no", checkIn.map { DisplayTime.isoDay($0.at) } ?? "", checkIn?.note ?? "",
                        (data.evidence[step.id!] ?? []).map(\.href).joined(separator: " ")])
        }
        return try await req.csvDownload(csv, named: "steps-\(data.scope.id).csv")
    }
}
