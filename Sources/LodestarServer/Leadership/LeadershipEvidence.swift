import Fluent
import Foundation
import LodestarCore

/// The live evidence beside an indicator: each measure asked of the feature that owns it, by the rule of the
/// page its line links to, for one school as of now. A leader's time is shown only to whom it is visible anyway.
struct LeadershipEvidence {
    let db: any Database

    struct Line: Encodable, Sendable, Equatable { let text: String; let link: String? }
    struct Measure: Encodable, Sendable { let key: String; let title: String; let lines: [Line] }

    func measures(_ measures: [LeadershipMeasure], school: String, viewer: Viewer, now: Int = Int(Date().timeIntervalSince1970)) async throws -> [Measure] {
        var result: [Measure] = []
        for measure in measures {
            result.append(Measure(key: measure.rawValue, title: measure.title, lines: try await lines(measure, school: school, viewer: viewer, now: now)))
        }
        return result
    }

    func lines(_ measure: LeadershipMeasure, school: String, viewer: Viewer, now: Int) async throws -> [Line] {
        let today = DisplayTime.isoDay(now)
        switch measure {
        case .goals:
            let link = "/goals/\(school.urlQueryEncoded)"
            let goals = try await GoalsQueries(db: db).statuses(ofScope: school, today: today)
            guard !goals.isEmpty else { return [Line(text: "The school has no goals yet.", link: link)] }
            let order: [GoalProjection.Status] = [.onTrack, .atRisk, .offTrack, .notEnoughData]
            let counts = order.compactMap { status -> String? in
                let n = goals.filter { $0.status == status }.count
                return n == 0 ? nil : "\(n) \(status.rawValue)"
            }
            let aligned = goals.filter { $0.goal.parentId != nil }.count
            return [Line(text: "\(goals.count) \(goals.count == 1 ? "goal" : "goals"): \(counts.joined(separator: ", ")).", link: link),
                    Line(text: "\(aligned) of \(goals.count) aligned to a district goal.", link: link)]
        case .visitsAndFeedback:
            let link = "/insights/feedback?school=\(school.urlQueryEncoded)"
            guard let school = try await WalkthroughQueries(db: db).feedbackLoops(schoolIds: [school], now: now).first else { return [] }
            return [Line(text: "\(school.loop.visits) \(school.loop.visits == 1 ? "visit" : "visits") in the last 30 days; teachers visited: \(WalkthroughQueries.coverageText(school)).", link: link),
                    Line(text: "Median time to feedback \(WalkthroughQueries.medianText(school.loop)); shared within a day \(Percent.text(school.loop.sharedWithinADay)); reply rate \(Percent.text(school.loop.replyRate)).", link: link)]
        case .assessmentFrequency:
            let rows = try await AssessmentQueries(db: db).frequency(atSchool: school, now: now).rows
            return [Line(text: "\(rows.filter(\.rare).count) of \(rows.count) classes assessed fewer than \(AssessmentQueries.rareBelow) times in the last 30 days.",
                         link: "/schools/\(school.urlQueryEncoded)/assessment-frequency")]
        case .learningAndEquity:
            let months = InsightsScope.months(from: String(DisplayTime.schoolYearStart(of: today).prefix(7)), through: String(today.prefix(7)))
            let insights = InsightsQueries(db: db)
            let trend = try await insights.learningTrend(schoolIds: [school], grade: "", subject: "", months: months)
            let gaps = try await insights.equityGaps(schoolIds: [school], grade: "", subject: "", comparison: "all", month: months[months.count - 1], months: months)
            let month = InsightsScope.label(month: months[months.count - 1]), equity = "/insights/equity?school=\(school.urlQueryEncoded)"
            let flagged = Line(text: "\(trend.flags.count) of \(trend.rows.count) standards with results this school year flagged as candidate problems of learning (fewest students at mastery, or down \(Int(ProblemsOfLearning.declinePoints)) points from their best month).",
                               link: "/insights/learning?school=\(school.urlQueryEncoded)")
            guard let widest = gaps.below.first else {
                return [flagged, Line(text: "No student group large enough to compare is below all students on a standard in \(month).", link: equity)]
            }
            return [flagged, Line(text: "\(gaps.below.count) \(gaps.below.count == 1 ? "gap" : "gaps") to close in \(month), each a student group below all students on one standard; widest: \(StudentGroup.label(ofKey: widest.row.group)) on \(widest.standard.code), \(InsightsQueries.points(widest.row.gapToComparison)) points.",
                                  link: equity)]
        case .practiceTrends:
            let filter = InsightsQueries.PracticeFilter(schoolIds: [school], fromMonth: String(DisplayTime.schoolYearStart(of: today).prefix(7)), throughMonth: String(today.prefix(7)))
            let totals = Dictionary(uniqueKeysWithValues: try await InsightsQueries(db: db).practiceTotals(filter).map { ($0.indicator, $0.count) })
            let framework = try await FrameworkStore.active(on: db).framework
            let looked = framework.indicators.compactMap { indicator in
                totals[indicator.key].flatMap { count in count.share.map { (name: indicator.shortName, share: $0, visits: count.lookedFor) } }
            }
            let link = "/insights/practice?school=\(school.urlQueryEncoded)"
            guard let most = looked.max(by: { $0.share < $1.share }), let least = looked.min(by: { $0.share < $1.share }) else {
                return [Line(text: "No walkthrough this school year looked for a practice of the framework.", link: link)]
            }
            let practices = "\(looked.count) of \(framework.indicators.count) practices looked for this school year"
            if looked.count == 1 { return [Line(text: "\(practices); \(most.name) seen in \(Percent.text(most.share)) of \(most.visits) visits that looked for it.", link: link)] }
            return [Line(text: "\(practices); seen most often: \(most.name) (\(Percent.text(most.share)) of \(most.visits) visits that looked for it); least often: \(least.name) (\(Percent.text(least.share)) of \(least.visits)).",
                         link: link)]
        case .professionalLearning:
            let summary = try await LearningQueries(db: db).yearSummary(scope: school, since: DisplayTime.startOfDay(DisplayTime.schoolYearStart(of: today)), now: now)
            let link = "/learning?scope=\(school.urlQueryEncoded)"
            return [Line(text: "\(summary.needs) \(summary.needs == 1 ? "need" : "needs") accepted this school year, \(summary.needsWithoutSession) open without a session; \(summary.held) \(summary.held == 1 ? "session" : "sessions") held, \(summary.attendances) \(summary.attendances == 1 ? "attendance" : "attendances").", link: link),
                    Line(text: summary.judged == 0 ? "No session this school year has practices and a closed \(SessionImpact.windowDays)-day window after it yet."
                            : "\(summary.improved) of \(summary.judged) sessions with practices and a closed \(SessionImpact.windowDays)-day window saw them more often in their attendees' classrooms after than before.", link: link)]
        case .leaderTime:
            let leaders = try await StaffDirectory(db: db).holders(of: StaffRole.schoolAdministrators, atSchools: [school])
            let shares = try await TimeQueries(db: db).recentShares(leaders: Array(Set(leaders.map(\.id))), today: today)
            var lines: [Line] = [], hidden = 0
            for leader in leaders {
                guard viewer.policy.canViewTime(ofLeader: leader.id, viewerId: viewer.id), let time = shares[leader.id] else { hidden += 1; continue }
                lines.append(Line(text: "\(leader.name), \(leader.staffRole?.label ?? leader.role): \(Percent.text(time.ledger.instructionalShare)) of \(Hours.text(minutes: time.ledger.totalMinutes)) recorded on teaching and learning; target \(Percent.text(time.target)).",
                                  link: viewer.policy.seesLeadersTime ? "/time/leaders" : "/time/\(leader.id.urlQueryEncoded)"))
            }
            if hidden > 0 {
                lines.append(Line(text: "\(hidden == 1 ? "One leader's time is" : "\(hidden) leaders' time is") seen only by \(hidden == 1 ? "that leader" : "each leader") and district leaders.", link: nil))
            }
            return lines.isEmpty ? [Line(text: "The school has no principal or assistant principal on the roster.", link: nil)] : lines
        case .hiring:
            let hiring = try await HiringQueries(db: db).summary(atSchool: school, since: DisplayTime.startOfDay(DisplayTime.schoolYearStart(of: today)))
            let link = viewer.policy.runsHiring(atSchool: school) ? "/hiring" : nil
            return [Line(text: "\(hiring.openings) \(hiring.openings == 1 ? "position" : "positions") opened this school year, \(hiring.filled) filled; \(hiring.candidates) \(hiring.candidates == 1 ? "candidate" : "candidates").", link: link),
                    Line(text: "\(hiring.ratedByAll) of \(hiring.candidates) rated by the whole committee at the first step.", link: link)]
        case .resources:
            let link = "/resources/schools/\(school.urlQueryEncoded)"
            guard viewer.policy.canViewResources(ofSchool: school) else { return [Line(text: "Seen by the school's leaders and district roles.", link: nil)] }
            let queries = ResourceQueries(db: db)
            let period = ResourceQueries.Period(year: SchoolYear.current(now: now))
            let allocations = try await queries.allocations(atSchools: [school], from: period.from, through: period.through)
            guard !allocations.isEmpty else { return [Line(text: "No allocation recorded this school year.", link: link)] }
            let served = allocations.filter { !$0.priority.isEmpty }.count, linked = allocations.filter { !$0.evidence.isEmpty }.count
            var lines = [Line(text: "\(allocations.count) \(allocations.count == 1 ? "allocation" : "allocations") this school year: \(served) serve a goal, a need or an intervention group; \(linked) link the evidence considered.", link: link)]
            let hidden = !viewer.policy.seesBudgetFigures(atSchool: school, hiddenFromCoaches: try await queries.hidesBudget())
            let need = try await queries.need(ofSchool: school)
            for choice in ResourceQueries.choices(try await queries.kinds()) where choice.kindId != nil && allocations.contains(where: { $0.kindId == choice.kindId }) {
                let equity = try await queries.equity(of: choice, at: need, period: period, rule: DistrictSettings.smallGroups)
                let flagged = equity.rows.filter(\.flagged).map { StudentGroup.label(ofKey: $0.group) }
                let amount = choice.budget && hidden ? "amount hidden by the district" : "\(AllocationDraft.number(equity.counted.total)) \(choice.unit)"
                let verdict = flagged.isEmpty ? "no group below its share of need."
                    : "\(flagged.count) \(flagged.count == 1 ? "group" : "groups") in need below \(flagged.count == 1 ? "its" : "their") share of need (\(flagged.joined(separator: ", ")))."
                lines.append(Line(text: "\(choice.name), \(amount): \(verdict)", link: "/resources/schools/\(school.urlQueryEncoded)/equity?kind=\(choice.value.urlQueryEncoded)"))
            }
            return lines
        case .induction:
            guard viewer.policy.managesInduction(atSchool: school) else {
                return [Line(text: "Induction plans are seen by the school's principal and assistant principals and district leaders.", link: nil)]
            }
            let yearStart = DisplayTime.schoolYearStart(of: today)
            let plans = try await InductionQueries(db: db).plans(atSchools: [school]).filter { $0.startsOn >= yearStart }
            let overdue = try await InductionQueries(db: db).items(of: plans.compactMap(\.id)).filter { $0.doneAt == nil && $0.dueOn < today }.count
            return [Line(text: "\(plans.count) new \(plans.count == 1 ? "teacher" : "teachers") with an induction plan this school year, \(plans.filter { $0.mentorId != nil }.count) with a mentor; \(overdue) \(overdue == 1 ? "check-in or session" : "check-ins and sessions") overdue.",
                         link: "/induction")]
        case .succession:
            guard viewer.policy.canManageSuccession(atSchool: school) else {
                return [Line(text: "The bench is seen only by the school's principal and district leaders.", link: nil)]
            }
            let bench = try await SuccessionQueries(db: db).bench(atSchools: [school])
            let gaps = SuccessionQueries.rolesWithoutReadySuccessor(bench)
            let roles = SuccessionQueries.roles.count
            return [Line(text: "\(roles - gaps.count) of \(roles) leadership roles have someone ready now; \(Set(bench.map(\.staffId)).count) people on the bench.",
                         link: "/succession/\(school.urlQueryEncoded)")]
        case .coaching:
            let coaches = try await StaffDirectory(db: db).people(holding: [.coach], atSchools: [school]).map(\.id)
            let teachers = Set(try await StaffDirectory(db: db).people(holding: [.teacher], atSchools: [school]).map(\.id))
            let coaching = CoachingQueries(db: db)
            var onCaseload: Set<String> = []
            for coach in coaches { onCaseload.formUnion(try await coaching.caseload(of: coach).intersection(teachers)) }
            let held = try await coaching.conversations(byCoaches: coaches, from: now - 30 * 86_400, to: now + 1).filter { teachers.contains($0.teacherId) }.count
            return [Line(text: "\(coaches.count) \(coaches.count == 1 ? "coach" : "coaches"); \(onCaseload.count) of \(teachers.count) teachers on a coaching caseload; \(held) coaching \(held == 1 ? "conversation" : "conversations") in the last 30 days.",
                         link: viewer.policy.canManageCaseloads(atSchool: school) ? "/coaching" : nil)]
        case .plcCycles:
            let plcs = try await LearningQueries(db: db).plcSummary(atSchool: school, today: today)
            return [Line(text: "\(plcs.teams) \(plcs.teams == 1 ? "PLC" : "PLCs"); \(plcs.inCycle) in a cycle of inquiry; \(plcs.metRecently) met in the last 30 days.", link: "/plcs")]
        }
    }
}
