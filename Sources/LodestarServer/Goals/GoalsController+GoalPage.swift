import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

extension GoalsController {
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
            let schools = try await RosterQueries(req.db).schoolNames()
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
    func dataLinks(_ goal: SmartGoal, _ metric: GoalMetric, scope: PlanScope, policy: AccessPolicy, on db: any Database) async throws -> [SelectOption] {
        let school = scope.schoolId
        let months = "from=\(goal.startsOn.prefix(7))&through=\(Self.today().prefix(7))"
        let inScope = (school.map { "school=\($0.urlQueryEncoded)&" } ?? "") + months
        let readsVisits = school.map(policy.canOpenTrendVisits(ofSchool:)) ?? policy.seesWholeDistrict
        let readsTrends = school.map(policy.canViewTrends(ofSchool:)) ?? policy.seesWholeDistrict
        switch metric.kind {
        case .mastery:
            return try await StandardsQueries(db: db).standards(ids: metric.standardIds)
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
}
