import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// SMART goals of the district and each school: the plan page, setting a goal (its baseline taken
/// from the data at that moment), a goal's progress page, and adjusting a goal with a reason.
struct GoalsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("goals", use: index)
        routes.get("goals", ":scope", use: plan)
        routes.get("goals", ":scope", "new", use: newGoal)
        routes.post("goals", ":scope", use: create)
        routes.get("goals", ":scope", ":goalId", use: show)
        routes.post("goals", ":scope", ":goalId", "values", use: addValue)
        routes.post("goals", ":scope", ":goalId", "adjust", use: adjust)
    }

    static func today() -> String { DisplayTime.isoDay(Int(Date().timeIntervalSince1970)) }

    // MARK: Index and plan

    func index(req: Request) async throws -> Response {
        try await PlanScope.index(req, section: "goals", title: "Goals and plans", template: "goals/index")
    }

    struct PlanPage: Encodable {
        struct GoalCard: Encodable {
            let summary: GoalProgress.Summary
            let chart: String
            let steps: Int
            let done: Int
            let overdue: Int
            let alignedTo: String?
        }
        struct DistrictGoal: Encodable { let id: String; let statement: String }
        let page: PageContext
        let scope: String
        let name: String
        let isDistrict: Bool
        let vision: String?
        let mission: String?
        let goals: [GoalCard]
        let districtGoals: [DistrictGoal]
        let canEdit: Bool
        let rule: String
    }

    func plan(req: Request) async throws -> View {
        let scope = try await PlanScope.load(req)
        let goals = try await SmartGoal.query(on: req.db).filter(\.$scope == scope.id).sort(\.$createdAt).all()
        let owners = try await Staff.names(of: goals.map(\.ownerId), on: req.db)
        let steps = Dictionary(grouping: try await ActionStep.query(on: req.db).filter(\.$goalId ~~ goals.map { $0.id! }).all(), by: \.goalId)
        let districtGoals = scope.schoolId == nil ? [] : try await SmartGoal.query(on: req.db).filter(\.$scope == "district").sort(\.$createdAt).all()
        let today = Self.today()
        var cards: [PlanPage.GoalCard] = []
        for (index, progress) in try await GoalProgress.compute(goals, today: today, on: req.db).enumerated() {
            let goal = progress.goal
            let goalSteps = steps[goal.id!] ?? []
            cards.append(.init(summary: progress.summary(owner: owners[goal.ownerId] ?? "Former staff member"), chart: progress.chart(id: "goal-chart-\(index)"),
                               steps: goalSteps.count, done: goalSteps.filter { $0.status == ActionStep.Status.done.rawValue }.count,
                               overdue: goalSteps.filter { $0.isOverdue(today: today) }.count,
                               alignedTo: goal.parentId.flatMap { parent in districtGoals.first { $0.id == parent }?.statement }))
        }
        let vision = try await VisionVersion.query(on: req.db).filter(\.$scope == scope.id).sort(\.$version, .descending).first()
        return try await req.view.render("goals/plan", PlanPage(
            page: PageContext(request: req, title: "Goals: \(scope.name)"), scope: scope.id, name: scope.name, isDistrict: scope.schoolId == nil,
            vision: vision?.vision, mission: vision?.mission, goals: cards,
            districtGoals: districtGoals.map { .init(id: $0.id!, statement: $0.statement) }, canEdit: scope.canEdit, rule: GoalProjection.rule))
    }

    // MARK: Setting a goal

    struct GoalForm: Content {
        var statement: String
        var ownerId: String
        var parentId: String?
        var kind: String
        var standardIds: [String]?
        var grade: String?
        var group: String?
        var indicatorKey: String?
        var unit: String?
        var baseline: String?
        var target: String
        var deadline: String
        /// "The priority standards of grade X": a grade whose priority standards join the chosen ones.
        var priorityGrade: String?
    }

    struct NewGoalPage: Encodable {
        let page: PageContext
        let scope: String
        let name: String
        let kinds: [SelectOption]
        let owners: [SelectOption]
        let parents: [SelectOption]
        let standards: [SelectOption]
        let grades: [SelectOption]
        let groups: [SelectOption]
        let indicators: [SelectOption]
        /// Grades with priority standards, for "the priority standards of grade X".
        let priorityGrades: [SelectOption]
        let form: GoalForm
        let error: String?
    }

    func renderNew(_ req: Request, scope: PlanScope, form: GoalForm, error: String?) async throws -> Response {
        let chosen = Set(form.standardIds ?? [])
        let assessed = try await AssessmentQueries(db: req.db).standardIdsAssessed(atSchool: scope.schoolId)
        let standards = try await StandardsQueries(db: req.db).standards(ids: assessed).map { standard in
            SelectOption(value: standard.id!, label: "\(standard.code) — \(String(standard.statement.prefix(90)))", selected: chosen.contains(standard.id!))
        }
        let grades = try await RosterQueries(req.db).grades(inSchool: scope.schoolId)
        let prioritized = try await StandardsQueries(db: req.db).prioritiesByGrade()
        let framework = try await FrameworkStore.active(on: req.db).framework
        let parents = scope.schoolId == nil ? [] : try await SmartGoal.query(on: req.db).filter(\.$scope == "district").sort(\.$createdAt).all()
        let page = NewGoalPage(
            page: PageContext(request: req, title: "New goal"), scope: scope.id, name: scope.name,
            kinds: GoalMetric.Kind.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == form.kind) },
            owners: try await scope.staffOptions(on: req.db, selected: form.ownerId),
            parents: parents.map { SelectOption(value: $0.id!, label: $0.statement, selected: $0.id == form.parentId) },
            standards: standards,
            grades: grades.map { SelectOption(value: $0, label: GradeLevel.label($0), selected: $0 == form.grade) },
            groups: StudentGroup.all.map { SelectOption(value: $0.key, label: $0.label, selected: $0.key == form.group) },
            indicators: framework.indicators.map { SelectOption(value: $0.key, label: $0.shortName, selected: $0.key == form.indicatorKey) },
            priorityGrades: grades.filter { prioritized[$0] != nil }.map { SelectOption(value: $0, label: "\(GradeLevel.label($0)) (\(prioritized[$0]!.count))", selected: $0 == form.priorityGrade) },
            form: form, error: error)
        let response = try await req.view.render("goals/new", page).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    func newGoal(req: Request) async throws -> Response {
        let scope = try await PlanScope.load(req)
        try scope.requireEdit(req)
        let viewer = try await req.viewer()
        return try await renderNew(req, scope: scope, form: GoalForm(
            statement: "", ownerId: viewer.id, parentId: nil, kind: GoalMetric.Kind.mastery.rawValue, standardIds: [], grade: nil, group: nil,
            indicatorKey: nil, unit: nil, baseline: nil, target: "", deadline: "", priorityGrade: nil), error: nil)
    }

    func create(req: Request) async throws -> Response {
        let scope = try await PlanScope.load(req)
        try scope.requireEdit(req)
        let viewer = try await req.viewer()
        let form = try req.content.decode(GoalForm.self)
        do {
            let goal = try await validate(form, scope: scope, on: req.db)
            goal.createdBy = viewer.id
            try await req.db.writeTransaction { db in try await goal.create(on: db) }
            return req.redirect(to: "/goals/\(scope.id.urlQueryEncoded)/\(goal.id!)")
        } catch let error as LodestarError {
            return try await renderNew(req, scope: scope, form: form, error: error.message)
        }
    }

    /// A goal from the form, its baseline taken from the data as of today (or typed, for a manual measure).
    func validate(_ form: GoalForm, scope: PlanScope, on db: any Database) async throws -> SmartGoal {
        let statement = form.statement.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !statement.isEmpty else { throw LodestarError("Write the goal as a specific statement.") }
        guard let kind = GoalMetric.Kind(rawValue: form.kind) else { throw LodestarError("Choose how the goal is measured.") }
        let blank = { (text: String?) in text.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        var standardIds = form.standardIds ?? []
        var grade = blank(form.grade)
        if kind == .mastery, let priorityGrade = blank(form.priorityGrade) {
            // The grade's priority standards as they are today, for that grade's students unless another grade was chosen.
            guard let priorities = try await StandardsQueries(db: db).prioritiesByGrade()[priorityGrade]?.compactMap(\.id) else {
                throw LodestarError("\(GradeLevel.label(priorityGrade)) has no priority standards.")
            }
            standardIds += priorities.filter { !standardIds.contains($0) }
            grade = grade ?? priorityGrade
        }
        let metric = GoalMetric(kind: kind, standardIds: kind == .mastery ? standardIds : [],
                                grade: kind == .mastery ? grade : nil, group: kind == .mastery ? blank(form.group) : nil,
                                indicatorKey: kind == .indicatorObserved ? blank(form.indicatorKey) : nil,
                                unit: kind == .manual ? blank(form.unit) : nil)
        do { try metric.validate() } catch { throw LodestarError(error.message.capitalizedFirst + ".") }
        guard let target = Double(form.target.trimmingCharacters(in: .whitespaces)), target.isFinite else {
            throw LodestarError("Give the target as a number.")
        }
        let today = Self.today()
        guard DisplayTime.date(fromISODay: form.deadline) != nil, form.deadline > today else {
            throw LodestarError("Give a deadline after today, as a date.")
        }
        guard try await StaffDirectory(db: db).person(form.ownerId) != nil else { throw LodestarError("Choose the goal's owner.") }
        let parentId = scope.schoolId == nil ? nil : blank(form.parentId)
        if let parentId, try await SmartGoal.find(parentId, on: db)?.scope != "district" { throw LodestarError("Align the goal to one of the district's goals.") }
        let baseline: Double
        if kind == .manual {
            guard let typed = blank(form.baseline).flatMap(Double.init), typed.isFinite else {
                throw LodestarError("Give the baseline: the value today, as a number.")
            }
            baseline = typed
        } else {
            guard let computed = try await GoalMetricQueries(db: db).values(metric, scope: scope.id, days: [today]).first ?? nil else {
                throw LodestarError("There is no data for this measure yet, so there is no baseline. Choose other standards or another measure, or enter values by hand.")
            }
            baseline = (computed * 10).rounded() / 10
        }
        guard target != baseline else { throw LodestarError("The target equals the baseline (\(baseline)); set a target that asks for a change.") }
        let goal = SmartGoal()
        goal.id = UUID().uuidString.lowercased()
        goal.scope = scope.id
        goal.parentId = parentId
        goal.statement = String(statement.prefix(1_000))
        goal.ownerId = form.ownerId
        goal.metricJSON = String(decoding: try JSONEncoder().encode(metric), as: UTF8.self)
        goal.baseline = baseline
        goal.target = target
        goal.startsOn = today
        goal.deadline = form.deadline
        goal.createdAt = Int(Date().timeIntervalSince1970)
        return goal
    }
}
