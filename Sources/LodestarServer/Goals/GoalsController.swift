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
        let form: GoalForm
        let error: String?
    }

    private func renderNew(_ req: Request, scope: PlanScope, form: GoalForm, error: String?) async throws -> Response {
        let sql = req.db.sql
        var standardsQuery: SQLQueryString = """
            SELECT DISTINCT s.id, s.code, s.statement FROM assessment_standards x JOIN standards s ON s.id = x.standard_id
            JOIN assessments a ON a.id = x.assessment_id
            """
        if let school = scope.schoolId { standardsQuery += " WHERE a.school_id = \(bind: school)" }
        standardsQuery += " ORDER BY s.code"
        let chosen = Set(form.standardIds ?? [])
        let standards = try await sql.raw(standardsQuery).all().map { row in
            let id = try row.decode(column: "id", as: String.self)
            return SelectOption(value: id, label: "\(try row.decode(column: "code", as: String.self)) — \(String(try row.decode(column: "statement", as: String.self).prefix(90)))",
                                selected: chosen.contains(id))
        }
        var gradeQuery: SQLQueryString = "SELECT DISTINCT grade FROM students"
        if let school = scope.schoolId { gradeQuery += " WHERE school_id = \(bind: school)" }
        let grades = try await sql.raw(gradeQuery).all().map { try $0.decode(column: "grade", as: String.self) }
            .sorted { GradeLevel.sortKey($0) < GradeLevel.sortKey($1) }
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
            indicatorKey: nil, unit: nil, baseline: nil, target: "", deadline: ""), error: nil)
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
    private func validate(_ form: GoalForm, scope: PlanScope, on db: any Database) async throws -> SmartGoal {
        let statement = form.statement.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !statement.isEmpty else { throw LodestarError("Write the goal as a specific statement.") }
        guard let kind = GoalMetric.Kind(rawValue: form.kind) else { throw LodestarError("Choose how the goal is measured.") }
        let blank = { (text: String?) in text.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        let metric = GoalMetric(kind: kind, standardIds: kind == .mastery ? form.standardIds ?? [] : [],
                                grade: kind == .mastery ? blank(form.grade) : nil, group: kind == .mastery ? blank(form.group) : nil,
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
        guard try await Staff.find(form.ownerId, on: db) != nil else { throw LodestarError("Choose the goal's owner.") }
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

    // MARK: A goal's page

    struct GoalPage: Encodable {
        struct Step: Encodable {
            let id: String
            let htmlId: String
            let text: String
            let owner: String
            let ownerOptions: [SelectOption]
            let dueOn: String
            /// The due day as people read it.
            let dueLabel: String
            let status: String
            let statusOptions: [SelectOption]
            let overdue: Bool
            let evidence: [Evidence]
            let checkIns: [CheckIn]
        }
        /// `href` is nil when the viewer may not open what it links to.
        struct Evidence: Encodable { let kind: String; let href: String?; let label: String }
        struct CheckIn: Encodable { let at: String; let author: String; let status: String; let note: String }
        struct Change: Encodable { let at: String; let author: String; let what: String; let why: String }
        struct Aligned: Encodable { let canOpen: Bool; let scope: String; let school: String; let statement: String; let status: String; let statusCss: String; let id: String }
        let page: PageContext
        let scope: String
        let name: String
        let goal: GoalProgress.Summary
        let chart: String
        let isManual: Bool
        let dataLinks: [SelectOption]
        let parent: String?
        let parentId: String?
        let aligned: [Aligned]
        let steps: [Step]
        let changes: [Change]
        let owners: [SelectOption]
        let statuses: [SelectOption]
        let canEdit: Bool
        let today: String
        let schedule: String
    }

    func show(req: Request) async throws -> View {
        let scope = try await PlanScope.load(req)
        let goal = try await scope.goal(req)
        let today = Self.today()
        let progress = try await GoalProgress.compute(goal, today: today, on: req.db)
        let steps = try await ActionStep.query(on: req.db).filter(\.$goalId == goal.id!).sort(\.$dueOn).sort(\.$createdAt).all()
        let stepIds = steps.map { $0.id! }
        let evidence = Dictionary(grouping: try await StepEvidence.query(on: req.db).filter(\.$stepId ~~ stepIds).sort(\.$addedAt).all(), by: \.stepId)
        let checkIns = Dictionary(grouping: try await StepCheckIn.query(on: req.db).filter(\.$stepId ~~ stepIds).sort(\.$at, .descending).all(), by: \.stepId)
        let access = EvidenceAccess(viewer: try await req.viewer(), db: req.db)
        var openable: Set<String> = []
        for href in Set(evidence.values.flatMap { $0.map(\.href) }) where try await access.mayOpen(href) { openable.insert(href) }
        let changes = try await PlanChange.query(on: req.db).filter(\.$goalId == goal.id!).sort(\.$at, .descending).all()
        let names = try await Staff.names(of: [goal.ownerId] + steps.map(\.ownerId) + checkIns.values.flatMap { $0.map(\.authorId) } + changes.map(\.authorId), on: req.db)
        // A new step is the goal owner's until someone else is chosen.
        let owners = try await scope.staffOptions(on: req.db, selected: goal.ownerId)
        let statusLabel = { (key: String) in ActionStep.Status(rawValue: key)?.label ?? key }

        var aligned: [GoalPage.Aligned] = []
        let viewerPolicy = try await req.viewer().policy
        if scope.schoolId == nil {
            let schoolGoals = try await SmartGoal.query(on: req.db).filter(\.$parentId == goal.id!).all()
            let schools = Dictionary(uniqueKeysWithValues: try await Org.query(on: req.db).filter(\.$type == "school").all().map { ($0.id!, $0.name) })
            for progress in try await GoalProgress.compute(schoolGoals, today: today, on: req.db) {
                let (schoolGoal, status) = (progress.goal, progress.projection.status)
                aligned.append(.init(canOpen: viewerPolicy.canViewPlan(ofSchool: schoolGoal.scope), scope: schoolGoal.scope, school: schools[schoolGoal.scope] ?? schoolGoal.scope, statement: schoolGoal.statement,
                                     status: status.rawValue.capitalizedFirst, statusCss: status.rawValue.replacingOccurrences(of: " ", with: "-"), id: schoolGoal.id!))
            }
            aligned.sort { ($0.school, $0.statement) < ($1.school, $1.statement) }
        }
        let parent = try await goal.parentId.asyncMap { try await SmartGoal.find($0, on: req.db) } ?? nil

        return try await req.view.render("goals/goal", GoalPage(
            page: PageContext(request: req, title: "Goal: \(goal.statement)"), scope: scope.id, name: scope.name,
            goal: progress.summary(owner: names[goal.ownerId] ?? "Former staff member"), chart: progress.chart(id: "goal-chart"),
            isManual: progress.metric.kind == .manual, dataLinks: try await dataLinks(goal, progress.metric, scope: scope, policy: try await req.viewer().policy, on: req.db),
            parent: parent?.statement, parentId: parent?.id, aligned: aligned,
            steps: steps.map { step in
                GoalPage.Step(id: step.id!, htmlId: step.id!.htmlId, text: step.text, owner: names[step.ownerId] ?? "Former staff member",
                              ownerOptions: owners.map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == step.ownerId) },
                              dueOn: step.dueOn, dueLabel: DisplayTime.date(step.dueOn), status: statusLabel(step.status),
                              statusOptions: ActionStep.Status.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == step.status) },
                              overdue: step.isOverdue(today: today),
                              evidence: (evidence[step.id!] ?? []).map { .init(kind: $0.kind, href: openable.contains($0.href) ? $0.href : nil, label: $0.label) },
                              checkIns: (checkIns[step.id!] ?? []).map { .init(at: DisplayTime.dateTime($0.at), author: names[$0.authorId] ?? "Former staff member",
                                                                                 status: statusLabel($0.status), note: $0.note) })
            },
            changes: changes.map { .init(at: DisplayTime.dateTime($0.at), author: $0.authorId == PlanChange.lodestar ? "Lodestar" : names[$0.authorId] ?? "Former staff member",
                                         what: $0.what, why: $0.why) },
            owners: owners, statuses: ActionStep.Status.allCases.map { SelectOption(value: $0.rawValue, label: $0.label) },
            canEdit: scope.canEdit, today: today, schedule: GoalMetric.schedule))
    }

    /// Where the numbers come from, one click away, narrowed to what the goal measures: its standards,
    /// the walkthroughs that looked for its practice since the goal was set, the feedback loop of its school.
    /// Each link goes where the viewer may go: the walkthroughs themselves for those who may read them all,
    /// otherwise the trend, otherwise the viewer's own visits.
    private func dataLinks(_ goal: SmartGoal, _ metric: GoalMetric, scope: PlanScope, policy: AccessPolicy, on db: any Database) async throws -> [SelectOption] {
        let school = scope.schoolId
        let months = "from=\(goal.startsOn.prefix(7))&through=\(Self.today().prefix(7))"
        let inScope = (school.map { "school=\($0.urlQueryEncoded)&" } ?? "") + months
        let readsVisits = school.map(policy.canOpenTrendVisits(ofSchool:)) ?? policy.seesWholeDistrict
        let readsTrends = school.map(policy.canViewTrends(ofSchool:)) ?? policy.seesWholeDistrict
        switch metric.kind {
        case .mastery:
            return try await Standard.query(on: db).filter(\.$id ~~ metric.standardIds).sort(\.$code).all()
                .map { SelectOption(value: "/standards/\($0.id!.urlQueryEncoded)", label: "Standard \($0.code)") }
                + (readsTrends ? [SelectOption(value: "/insights/learning?\(inScope)", label: "Learning trends")] : [])
        case .indicatorObserved:
            let key = (metric.indicatorKey ?? "").urlQueryEncoded
            if readsVisits { return [SelectOption(value: "/insights/practice/visits?\(inScope)&indicator=\(key)", label: "The walkthroughs that looked for it")] }
            if readsTrends { return [SelectOption(value: "/insights/practice?\(inScope)", label: "Practice trends")] }
            return [SelectOption(value: "/walkthroughs?practice=\(key)&from=\(goal.startsOn)", label: "Your walkthroughs that looked for it")]
        case .hoursToFeedback:
            if readsTrends { return [SelectOption(value: "/insights/feedback" + (school.map { "?school=\($0.urlQueryEncoded)" } ?? ""), label: "Feedback and coverage")] }
            return [SelectOption(value: "/walkthroughs?from=\(goal.startsOn)", label: "Your walkthroughs since the goal was set")]
        case .instructionalTime:
            return policy.opensTimePages ? [SelectOption(value: "/time", label: "Leaders' time")] : []
        case .manual:
            return []
        }
    }

    // MARK: Monitoring and adjusting

    struct ValueForm: Content { var day: String; var value: String; var note: String? }

    func addValue(req: Request) async throws -> Response {
        let scope = try await PlanScope.load(req)
        try scope.requireEdit(req)
        let goal = try await scope.goal(req)
        let viewer = try await req.viewer()
        let form = try req.content.decode(ValueForm.self)
        guard try goal.metric.kind == .manual else { throw LodestarError("This goal is measured from Lodestar's data; values cannot be typed in.") }
        guard DisplayTime.date(fromISODay: form.day) != nil, form.day >= goal.startsOn, form.day <= Self.today() else {
            throw LodestarError("Give the day the value describes: not before the goal was set, and not in the future.")
        }
        guard let value = Double(form.value.trimmingCharacters(in: .whitespaces)), value.isFinite else { throw LodestarError("Give the value as a number.") }
        let entry = GoalValue()
        entry.id = UUID().uuidString.lowercased()
        entry.goalId = goal.id!
        entry.day = form.day
        entry.value = value
        entry.note = String((form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(2_000))
        entry.enteredBy = viewer.id
        entry.enteredAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in try await entry.create(on: db) }
        return req.redirect(to: "/goals/\(scope.id.urlQueryEncoded)/\(goal.id!)")
    }

    struct AdjustForm: Content { var target: String?; var deadline: String?; var why: String }

    /// Changes a goal's target or deadline, or records another adjustment, always with the reason.
    func adjust(req: Request) async throws -> Response {
        let scope = try await PlanScope.load(req)
        try scope.requireEdit(req)
        let goal = try await scope.goal(req)
        let viewer = try await req.viewer()
        let form = try req.content.decode(AdjustForm.self)
        let why = form.why.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw LodestarError("Say why the plan is changing: the log is how the team learns from it.") }
        var what: [String] = []
        if let text = form.target?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let target = Double(text), target.isFinite, target != goal.baseline else { throw LodestarError("Give the new target as a number that differs from the baseline.") }
            if target != goal.target { what.append("Target changed from \(goal.target.cleanNumber) to \(target.cleanNumber)"); goal.target = target }
        }
        if let deadline = form.deadline?.trimmingCharacters(in: .whitespaces), !deadline.isEmpty {
            guard DisplayTime.date(fromISODay: deadline) != nil, deadline > goal.startsOn else { throw LodestarError("Give the new deadline as a date after the goal was set.") }
            if deadline != goal.deadline { what.append("Deadline moved from \(goal.deadline) to \(deadline)"); goal.deadline = deadline }
        }
        let summary = what.isEmpty ? "Plan reviewed" : what.joined(separator: "; ")
        try await req.db.writeTransaction { db in
            try await goal.save(on: db)
            try await PlanChange.record(goalId: goal.id!, what: summary, why: why, by: viewer.id, on: db)
        }
        return req.redirect(to: "/goals/\(scope.id.urlQueryEncoded)/\(goal.id!)#log")
    }
}

extension PlanChange {
    static func record(goalId: String, what: String, why: String, by authorId: String, on db: any Database) async throws {
        let change = PlanChange()
        change.id = UUID().uuidString.lowercased()
        change.goalId = goalId
        change.what = String(what.prefix(1_000))
        change.why = String(why.prefix(2_000))
        change.authorId = authorId
        change.at = Int(Date().timeIntervalSince1970)
        try await change.create(on: db)
    }
}

extension Double {
    /// "12", "12.5": a number as people write it.
    var cleanNumber: String {
        abs(self - rounded()) < 1e-9 ? String(Int(rounded())) : String(format: "%g", self)
    }
}
