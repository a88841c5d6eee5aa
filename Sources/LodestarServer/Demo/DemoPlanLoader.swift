import Fluent
import Foundation
import LodestarCore
import SQLKit

/// The demo district's goals, action plans and leaders' time: a year of principals' and assistant
/// principals' calendars, targets, protected blocks and delegated tasks; SMART goals for the district
/// and each school with baselines taken from the demo data, action steps, check-ins and adjustments.
/// Rows have stable demo ids; existing rows are left alone.
enum DemoPlanLoader {
    /// The day the demo goals were set: four weeks into the school year.
    static let goalsSetOn = "2026-09-14"

    static func load(_ district: DemoDistrict, seed: UInt64, through: Date, on db: any Database) async throws {
        try await loadTime(district, seed: seed, through: through, on: db)
        try await loadGoals(district, through: through, on: db)
    }

    // MARK: Time

    static func loadTime(_ district: DemoDistrict, seed: UInt64, through: Date, on db: any Database) async throws {
        let leaders = DemoLeaderTime.leaders(of: district)
        let sync = TableSync(table: "time_entries", columns: CalendarImport.columns)
        // One school's leaders at a time keeps memory flat for the large district.
        for chunk in leaders.chunks(of: 60) {
            let entries = DemoLeaderTime.entries(for: chunk, seed: seed, through: through.timeIntervalSince1970)
            let rows = entries.map { ($0.id, [Cell.text($0.leaderId), .int($0.start), .int($0.end), .text($0.title), .text($0.category), .text($0.source),
                                              .bool(false), .bool(false), .int($0.start), .null]) }
            try await db.writeTransaction { db in
                let existing = Set(try await sync.load(db.sql, ids: rows.map(\.0)).keys)
                try await sync.upsert(rows.filter { !existing.contains($0.0) }, on: db.sql)
            }
        }
        let targets = TableSync(table: "time_targets", columns: [("share", .double)])
        let blocks = TableSync(table: "protected_blocks", columns: [("leader_id", .text), ("weekday", .int), ("start_minute", .int), ("end_minute", .int), ("label", .text)])
        var targetRows: [(String, [Cell])] = [], blockRows: [(String, [Cell])] = []
        for leader in leaders {
            targetRows.append((leader.id, [.double(leader.isPrincipal ? 0.5 : 0.4)]))
            for weekday in [2, 4] {
                blockRows.append(("demo-block|\(leader.id)|\(weekday)", [.text(leader.id), .int(weekday), .int(9 * 60), .int(10 * 60 + 30), .text("Classroom walkthroughs")]))
            }
        }
        let (targetList, blockList) = (targetRows, blockRows)
        try await db.writeTransaction { db in
            let haveTargets = Set(try await targets.load(db.sql, ids: targetList.map(\.0)).keys)
            try await targets.upsert(targetList.filter { !haveTargets.contains($0.0) }, on: db.sql)
            let haveBlocks = Set(try await blocks.load(db.sql, ids: blockList.map(\.0)).keys)
            try await blocks.upsert(blockList.filter { !haveBlocks.contains($0.0) }, on: db.sql)
        }
    }

    // MARK: Goals and plans

    /// The people of a school the plan names.
    struct SchoolTeam {
        var principal: String?
        var assistant: String?
        var coach: String?
        var teacherLeader: String?
        var lead: String? { principal ?? assistant }
    }

    static func teams(_ district: DemoDistrict) -> [String: SchoolTeam] {
        var teams: [String: SchoolTeam] = [:]
        for account in district.accounts {
            guard let id = account.sourcedId else { continue }
            for grant in account.grants {
                guard let school = grant.schoolId else { continue }
                switch grant.role {
                case .principal: teams[school, default: SchoolTeam()].principal = teams[school]?.principal ?? id
                case .assistantPrincipal: teams[school, default: SchoolTeam()].assistant = teams[school]?.assistant ?? id
                case .coach: teams[school, default: SchoolTeam()].coach = teams[school]?.coach ?? id
                case .teacherLeader: teams[school, default: SchoolTeam()].teacherLeader = teams[school]?.teacherLeader ?? id
                default: break
                }
            }
        }
        return teams
    }

    /// A goal to create, with its steps.
    struct PlannedGoal {
        var id: String
        var scope: String
        var parentId: String?
        var statement: String
        var ownerId: String
        var metric: GoalMetric
        var target: (Double) -> Double
        var steps: [(text: String, owner: String, due: String)]
    }

    static func loadGoals(_ district: DemoDistrict, through: Date, on db: any Database) async throws {
        let throughDay = DisplayTime.isoDay(Int(through.timeIntervalSince1970))
        let setOn = min(goalsSetOn, throughDay)
        let deadline = DemoDistrict.schoolYear.end
        let districtLeader = district.accounts.first { $0.grants.contains { $0.role == .districtLeader } }?.sourcedId ?? DemoLoader.adminId
        let sql = db.sql
        let topMath = { (schoolId: String?) async throws -> [String] in
            var query: SQLQueryString = """
                SELECT x.standard_id, COUNT(*) AS n FROM assessment_standards x JOIN assessments a ON a.id = x.assessment_id
                JOIN standards s ON s.id = x.standard_id JOIN standard_documents d ON d.id = s.document_id
                WHERE LOWER(d.subject) LIKE '%math%'
                """
            if let schoolId { query += " AND a.school_id = \(bind: schoolId)" }
            query += " GROUP BY x.standard_id ORDER BY n DESC, x.standard_id LIMIT 2"
            return try await sql.raw(query).all().map { try $0.decode(column: "standard_id", as: String.self) }
        }
        let codes = { (ids: [String]) async throws -> String in
            try await Standard.query(on: db).filter(\.$id ~~ ids).sort(\.$code).all().map(\.code).joined(separator: " and ")
        }
        let raise = { (by: Double, cap: Double) in { (baseline: Double) in min(cap, (baseline + by).rounded()) } }

        var planned: [PlannedGoal] = []
        let districtMath = try await topMath(nil)
        if !districtMath.isEmpty {
            planned.append(PlannedGoal(id: "demo-goal|district|mastery", scope: "district", statement: "By June 2027, more students in every school reach mastery on \(try await codes(districtMath))",
                                       ownerId: districtLeader, metric: GoalMetric(kind: .mastery, standardIds: districtMath), target: raise(8, 95), steps: []))
        }
        planned.append(PlannedGoal(id: "demo-goal|district|checks", scope: "district", statement: "Checks for understanding are seen in most classrooms we visit",
                                   ownerId: districtLeader, metric: GoalMetric(kind: .indicatorObserved, indicatorKey: "checks-for-understanding"), target: raise(10, 90), steps: []))
        planned.append(PlannedGoal(id: "demo-goal|district|feedback", scope: "district", statement: "Feedback reaches teachers faster after every walkthrough",
                                   ownerId: districtLeader, metric: GoalMetric(kind: .hoursToFeedback), target: { max(0.5, ($0 * 1.2).rounded() / 2) }, steps: []))
        let teams = teams(district)
        for org in district.bundle.orgs where org.type == "school" {
            let school = org.sourcedId
            guard let team = teams[school], let lead = team.lead else { continue }
            let coach = team.coach ?? lead, assistant = team.assistant ?? lead, teacherLeader = team.teacherLeader ?? coach
            let math = try await topMath(school)
            if !math.isEmpty {
                planned.append(PlannedGoal(
                    id: "demo-goal|\(school)|mastery", scope: school, parentId: districtMath.isEmpty ? nil : "demo-goal|district|mastery",
                    statement: "By June 2027, 8 more students in every hundred reach mastery on \(try await codes(math))", ownerId: lead,
                    metric: GoalMetric(kind: .mastery, standardIds: math), target: raise(8, 95),
                    steps: [("Weekly common formative check in every grade-level PLC", coach, "2026-10-02"),
                            ("Re-teach groups for students below mastery after each check", assistant, "2026-11-13"),
                            ("Mid-year data review with each grade team", lead, "2027-01-22")]))
            }
            planned.append(PlannedGoal(
                id: "demo-goal|\(school)|checks", scope: school, parentId: "demo-goal|district|checks",
                statement: "Every lesson checks for understanding: seen in 10 more walkthroughs in every hundred by June", ownerId: lead,
                metric: GoalMetric(kind: .indicatorObserved, indicatorKey: "checks-for-understanding"), target: raise(10, 90),
                steps: [("Model three quick checks for understanding at the staff meeting", coach, "2026-09-25"),
                        ("Walkthrough focus weeks on checks for understanding", lead, "2026-10-23"),
                        ("Peer visits to classrooms strong in checking for understanding", teacherLeader, "2026-12-11")]))
            planned.append(PlannedGoal(
                id: "demo-goal|\(school)|time", scope: school, statement: "School leaders spend two fifths of their time on instruction", ownerId: lead,
                metric: GoalMetric(kind: .instructionalTime), target: { _ in 40 },
                steps: [("Protect Tuesday and Thursday mornings for walkthroughs", lead, "2026-09-18"),
                        ("Hand bus and lunch duty scheduling to the office manager", assistant, "2026-10-09"),
                        ("Move the leadership team meeting to after school", lead, "2026-11-20")]))
        }

        let existing = Set(try await SmartGoal.query(on: db).filter(\.$id ~~ planned.map(\.id)).all().compactMap(\.id))
        let queries = GoalMetricQueries(db: db)
        let setAt = DisplayTime.startOfDay(setOn) + 15 * 3_600
        var goals: [SmartGoal] = []
        var steps: [ActionStep] = [], checkIns: [StepCheckIn] = [], changes: [PlanChange] = [], evidence: [StepEvidence] = []
        // Measured once per goal: the baseline with the checkpoints its progress shows through the demo's last day.
        let today = DisplayTime.isoDay(throughDay, plus: 1)
        let checkpoints = GoalProgress.measuredDays(startsOn: setOn, deadline: deadline, today: today)
        var measured: [String: [String: Double?]] = [:]
        for plan in planned where !existing.contains(plan.id) {
            let values = try await queries.values(plan.metric, scope: plan.scope, days: [setOn] + checkpoints)
            guard let first = values[0] else { continue }
            measured[plan.id] = Dictionary(uniqueKeysWithValues: zip(checkpoints, values.dropFirst()))
            let baseline = (first * 10).rounded() / 10
            let goal = SmartGoal()
            goal.id = plan.id
            goal.scope = plan.scope
            goal.parentId = plan.parentId
            goal.statement = plan.statement
            goal.ownerId = plan.ownerId
            goal.metricJSON = String(decoding: try JSONEncoder().encode(plan.metric), as: UTF8.self)
            goal.baseline = baseline
            var target = plan.target(baseline)
            if target == baseline { target = baseline + 1 }
            goal.target = target
            goal.startsOn = setOn
            goal.deadline = deadline
            goal.createdBy = plan.ownerId
            goal.createdAt = setAt
            goals.append(goal)
            for (index, step) in plan.steps.enumerated() {
                let record = ActionStep()
                record.id = "\(plan.id)|step-\(index)"
                record.goalId = plan.id
                record.text = step.text
                record.ownerId = step.owner
                record.dueOn = step.due
                // Most past steps are done; the second step of each plan runs late.
                let past = step.due < throughDay
                record.status = past ? (index == 1 ? "in_progress" : "done") : (step.due <= DisplayTime.isoDay(throughDay, plus: 30) ? "in_progress" : "not_started")
                record.createdAt = setAt
                steps.append(record)
                changes.append(change("\(record.id!)|added", goal: plan.id, what: "Step added: \(step.text) (due \(DisplayTime.date(step.due)))", why: "", by: plan.ownerId, at: setAt + index))
                if record.status != "not_started" {
                    let checkIn = StepCheckIn()
                    checkIn.id = "\(record.id!)|check-in"
                    checkIn.stepId = record.id!
                    checkIn.status = record.status
                    checkIn.note = record.status == "done" ? "Done and shared with the staff; we will look for it in walkthroughs."
                        : "Started with two grade teams; the others begin after conferences."
                    checkIn.authorId = step.owner
                    checkIn.at = min(DisplayTime.startOfDay(step.due) + 15 * 3_600, Int(through.timeIntervalSince1970))
                    checkIns.append(checkIn)
                }
            }
            if plan.metric.kind == .mastery, plan.scope != "district", let step = steps.last(where: { $0.goalId == plan.id && $0.text.hasPrefix("Weekly") }),
               let assessment = try await sql.raw("""
                   SELECT a.id, a.title FROM assessments a JOIN assessment_standards x ON x.assessment_id = a.id
                   WHERE a.school_id = \(bind: plan.scope) AND a.assessed_on <= \(bind: throughDay) AND x.standard_id IN (\(binds: plan.metric.standardIds))
                   ORDER BY a.assessed_on DESC, a.id LIMIT 1
                   """).first() {
                evidence.append(link("\(step.id!)|evidence", step: step.id!, kind: "Assessment", href: "/assessments/\(try assessment.decode(column: "id", as: String.self))",
                                     label: try assessment.decode(column: "title", as: String.self), by: plan.ownerId, at: setAt))
            }
            if plan.metric.kind == .indicatorObserved, plan.scope != "district", let step = steps.last(where: { $0.goalId == plan.id && $0.text.hasPrefix("Walkthrough") }),
               let visit = try await Walkthrough.query(on: db).filter(\.$schoolId == plan.scope).filter(\.$observerId == plan.ownerId).sort(\.$observedAt).first() {
                evidence.append(link("\(step.id!)|evidence", step: step.id!, kind: "Walkthrough", href: "/walkthroughs/\(visit.id!)", label: "A focus-week visit", by: plan.ownerId, at: setAt))
            }
            if plan.scope != "district", plan.metric.kind == .mastery, throughDay > "2026-10-31" {
                changes.append(change("\(plan.id)|october-review", goal: plan.id, what: "Plan reviewed",
                                      why: "October checks show the second standard lagging; re-teach groups start after each check instead of at the end of the unit.",
                                      by: plan.ownerId, at: DisplayTime.startOfDay("2026-10-30") + 16 * 3_600))
            }
        }
        let records = goals as [any Model] + steps as [any Model] + checkIns as [any Model] + evidence as [any Model] + changes as [any Model]
        try await db.writeTransaction { db in try await db.createAll(records) }
        // Take the measurements up to the demo's last day, as the weeks of monitoring would have.
        _ = try await GoalProgress.compute(goals, today: today, measured: measured, on: db)
        try await loadDelegations(teams: teams, through: throughDay, on: db)
    }

    static func change(_ id: String, goal: String, what: String, why: String, by: String, at: Int) -> PlanChange {
        let change = PlanChange()
        change.id = id
        change.goalId = goal
        change.what = what
        change.why = why
        change.authorId = by
        change.at = at
        return change
    }

    static func link(_ id: String, step: String, kind: String, href: String, label: String, by: String, at: Int) -> StepEvidence {
        let item = StepEvidence()
        item.id = id
        item.stepId = step
        item.kind = kind
        item.href = href
        item.label = label
        item.addedBy = by
        item.addedAt = at
        return item
    }

    static func loadDelegations(teams: [String: SchoolTeam], through: String, on db: any Database) async throws {
        let tasks = [("Bus duty rotation and schedule", "2026-09-11"), ("Lunch supervision schedule", "2026-09-25"),
                     ("Fire and safety drill calendar", "2026-10-16"), ("Field trip paperwork and approvals", "2026-12-04")]
        let sync = TableSync(table: "delegations", columns: [("leader_id", .text), ("task", .text), ("delegate_id", .text), ("status", .text),
                                                             ("due_on", .text), ("created_at", .int)])
        var planned: [(String, [Cell])] = []
        for (school, team) in teams.sorted(by: { $0.key < $1.key }) {
            guard let principal = team.principal, let delegate = team.assistant ?? team.teacherLeader else { continue }
            for (index, task) in tasks.enumerated() {
                let status = task.1 < through ? (index == 2 ? "in_progress" : "done") : "open"
                planned.append(("demo-delegation|\(school)|\(index)", [.text(principal), .text(task.0), .text(delegate), .text(status), .text(task.1),
                                                                     .int(DisplayTime.startOfDay("2026-08-24"))]))
            }
        }
        let rows = planned
        try await db.writeTransaction { db in
            let existing = Set(try await sync.load(db.sql, ids: rows.map(\.0)).keys)
            try await sync.upsert(rows.filter { !existing.contains($0.0) }, on: db.sql)
        }
    }
}
