import Fluent
import Foundation
import LodestarCore
import Vapor

/// One indicator of a school's year: the rubric and guiding questions, the live evidence, each member's own rating
/// (seen by a member only after rating on their own), the team's rating, the district's review, and the goal or
/// action step it became.
extension LeadershipController {
    struct IndicatorPage: Encodable {
        struct Level: Encodable { let level: Int; let name: String; let descriptor: String; let chosen: Bool }
        struct Rating: Encodable { let name: String; let level: String; let evidence: String; let isMine: Bool }
        struct Team: Encodable {
            let level: String; let evidence: String; let evidenceSeen: [String]; let ratedBy: String; let ratedAt: String
            let review: String?; let reviewComment: String?; let reviewedBy: String?; let goal: String?
        }
        let page: PageContext
        let title: String
        let base: String
        let dimension: String
        let key: String
        let name: String
        let description: String
        let questions: [String]
        let levels: [Level]
        let evidence: [LeadershipEvidence.Measure]
        let canRate: Bool
        let myEvidence: String
        let seesOthers: Bool
        let ratedCount: Int
        let memberCount: Int
        let ratings: [Rating]
        let spread: String
        let spreadIsWide: Bool
        let team: Team?
        let teamLevels: [Level]
        let canRateAsTeam: Bool
        let canReview: Bool
        let canPlan: Bool
        let goals: [SelectOption]
        let lastYear: String?
        let notice: String?
        let error: String?
    }

    func indicatorPage(req: Request) async throws -> Response {
        try await renderIndicator(req, error: nil)
    }

    private func indicator(_ context: YearContext, _ req: Request) throws -> LeadershipFramework.Indicator {
        guard let indicator = context.framework.indicator(try req.parameters.require("indicator")) else { throw LodestarError.notFound }
        return indicator
    }

    func renderIndicator(_ req: Request, error: String?) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.canSee)
        let indicator = try indicator(context, req)
        let assessment = try context.started()
        let queries = LeadershipQueries(db: req.db)
        let framework = context.framework
        let ratings = try await queries.memberRatings(of: [assessment.id!], indicator: indicator.key)
        let mine = ratings.first { $0.staffId == context.viewer.id }
        // Blind until one's own rating is in: a member sees the others' only after rating on their own.
        let seesOthers = mine != nil || !context.canRate
        let team = try await queries.teamRating(assessment.id!, indicator.key)
        let names = try await Staff.names(of: ratings.map(\.staffId) + [team?.ratedBy, team?.reviewedBy].compactMap { $0 }, on: req.db)
        let counted = ratings.filter { context.members.contains($0.staffId) }
        let spread = RatingSpread(counted.map(\.level), levels: framework.levels.count)
        let previous = try await queries.assessment(school: context.schoolId, year: context.year - 1)
        var lastYear: TeamRating?
        if let previous { lastYear = try await queries.teamRating(previous.id!, indicator.key) }
        // The step's goal list needs only the goals' statements, not their measurements.
        let goals = context.leads && team != nil ? try await GoalsQueries(db: req.db).goals(ofScope: context.schoolId) : []
        let evidence = try await LeadershipEvidence(db: req.db).measures(indicator.measures, school: context.schoolId, viewer: context.viewer)
        func levels(chosen: Int?) -> [IndicatorPage.Level] {
            framework.levels.enumerated().map { .init(level: $0.offset + 1, name: $0.element, descriptor: indicator.rubric[$0.offset], chosen: chosen == $0.offset + 1) }
        }
        let page = IndicatorPage(
            page: PageContext(request: req, title: "\(indicator.name): \(context.title)"), title: context.title, base: context.base,
            dimension: framework.dimension(of: indicator.key)?.name ?? "", key: indicator.key, name: indicator.name, description: indicator.description,
            questions: indicator.questions, levels: levels(chosen: mine?.level), evidence: evidence, canRate: context.canRate, myEvidence: mine?.evidence ?? "",
            seesOthers: seesOthers, ratedCount: counted.count, memberCount: context.members.count,
            ratings: seesOthers ? ratings.map { .init(name: names[$0.staffId] ?? "Former staff member", level: framework.label(level: $0.level),
                                                      evidence: $0.evidence, isMine: $0.staffId == context.viewer.id) } : [],
            spread: spread.text, spreadIsWide: spread.isWide,
            team: team.map { team in
                .init(level: framework.label(level: team.level), evidence: team.evidence,
                      evidenceSeen: team.evidenceSeen.split(separator: "\n").map(String.init), ratedBy: names[team.ratedBy] ?? "Former staff member",
                      ratedAt: DisplayTime.dateTime(team.ratedAt),
                      review: team.review.map { $0 == TeamRating.Review.agree.rawValue ? "The district agrees" : "The district sees it differently" },
                      reviewComment: team.reviewComment, reviewedBy: team.reviewedBy.map { names[$0] ?? "Former staff member" },
                      goal: team.goalId.map { "/goals/\((team.goalScope ?? context.schoolId).urlQueryEncoded)/\($0)" })
            },
            teamLevels: levels(chosen: team?.level ?? mine?.level),
            canRateAsTeam: context.leads && mine != nil, canReview: context.reviews && team != nil,
            canPlan: context.leads && team != nil && team?.goalId == nil,
            goals: goals.map { .init(value: $0.id!, label: $0.statement) },
            lastYear: lastYear.map { "\(framework.label(level: $0.level)) in \(SchoolYear.label(context.year - 1))" },
            notice: req.takeNotice(), error: error)
        let response = try await req.view.render("leadership/indicator", page).encodeResponse(for: req)
        if error != nil { response.status = HTTPResponseStatus.unprocessableEntity }
        return response
    }

    struct RatingForm: Content { var level: String?; var evidence: String }

    /// The level and written evidence of a rating form, checked; nil with the refusal's words.
    private func checked(_ form: RatingForm, levels: Int) -> (level: Int, evidence: String)? {
        let evidence = form.evidence.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let level = form.level.flatMap(Int.init), (1...levels).contains(level), !evidence.isEmpty, evidence.count <= 4_000 else { return nil }
        return (level, evidence)
    }

    func rateOwn(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.canRate)
        let indicator = try indicator(context, req)
        guard let rating = checked(try req.content.decode(RatingForm.self), levels: context.framework.levels.count) else {
            return try await renderIndicator(req, error: "Choose a level and write the evidence for it (up to 4,000 characters).")
        }
        try await LeadershipQueries(db: req.db).rate(try context.started().id!, indicator.key, by: context.viewer.id, level: rating.level, evidence: rating.evidence)
        req.leaveNotice("Your rating is saved. You can now see the others' ratings.")
        return req.redirect(to: "\(context.base)/\(indicator.key)")
    }

    func rateAsTeam(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.leads)
        let indicator = try indicator(context, req)
        let assessment = try context.started()
        let queries = LeadershipQueries(db: req.db)
        guard try await queries.memberRatings(of: [assessment.id!], indicator: indicator.key).contains(where: { $0.staffId == context.viewer.id }) else {
            return try await renderIndicator(req, error: "Rate the indicator on your own first, so the team's rating is made with every view on the table.")
        }
        guard let rating = checked(try req.content.decode(RatingForm.self), levels: context.framework.levels.count) else {
            return try await renderIndicator(req, error: "Choose the team's level and write the evidence the team agreed on (up to 4,000 characters).")
        }
        let seen = try await LeadershipEvidence(db: req.db).measures(indicator.measures, school: context.schoolId, viewer: context.viewer)
            .flatMap { measure in measure.lines.map { "\(measure.title): \($0.text)" } }
        try await queries.rateAsTeam(assessment.id!, indicator.key, by: context.viewer.id, level: rating.level, evidence: rating.evidence, evidenceSeen: seen)
        req.leaveNotice("The team's rating is saved.")
        return req.redirect(to: "\(context.base)/\(indicator.key)")
    }

    struct ReviewForm: Content { var review: String; var comment: String? }

    func review(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.reviews)
        let indicator = try indicator(context, req)
        guard let team = try await LeadershipQueries(db: req.db).teamRating(try context.started().id!, indicator.key) else {
            return try await renderIndicator(req, error: "The team has not rated this indicator yet.")
        }
        let form = try req.content.decode(ReviewForm.self)
        let comment = (form.comment ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard let review = TeamRating.Review(rawValue: form.review), comment.count <= 2_000, review == .agree || !comment.isEmpty else {
            return try await renderIndicator(req, error: "Agree, or say how the district sees it differently (a comment of up to 2,000 characters).")
        }
        try await LeadershipQueries(db: req.db).review(team, review, comment: comment, by: context.viewer.id)
        req.leaveNotice("The district's review is saved.")
        return req.redirect(to: "\(context.base)/\(indicator.key)")
    }

    /// One click: the team rating becomes a school goal measured by hand (next year's team rating), owned by the
    /// principal, due at the end of the school year, with its origin in the goal's log.
    func makeGoal(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.leads)
        let indicator = try indicator(context, req)
        let assessment = try context.started()
        guard let team = try await LeadershipQueries(db: req.db).teamRating(assessment.id!, indicator.key), team.goalId == nil else {
            return try await renderIndicator(req, error: "A goal comes from the team's rating, once.")
        }
        let levels = context.framework.levels
        guard team.level < levels.count else { return try await renderIndicator(req, error: "The team rates this indicator at the top level; keep it there with an action step instead.") }
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let deadline = max(SchoolYear.lastDay(context.year), DisplayTime.isoDay(today, plus: 30))
        let statement = "Move “\(indicator.name)” from \(levels[team.level - 1]) to \(levels[team.level]) by \(DisplayTime.date(deadline)), as the leadership team rates it."
        let origin = "From the leadership team's \(SchoolYear.label(context.year)) self-assessment: \(indicator.name), rated \(context.framework.label(level: team.level)). \(context.base)/\(indicator.key)"
        let goal = try await req.db.writeTransaction { db in
            let goal = try await GoalsQueries(db: db).setManualGoal(
                scope: context.schoolId, statement: statement, owner: context.viewer.id, unit: "team rating, 1 to \(levels.count)",
                baseline: Double(team.level), target: Double(team.level + 1), deadline: deadline, today: today, origin: origin, by: context.viewer.id)
            try await LeadershipQueries(db: db).link(team, goal: goal.id!, scope: context.schoolId, on: db)
            return goal
        }
        req.leaveNotice("The goal is set. Add its action steps here; the self-assessment links to it.")
        return req.redirect(to: "/goals/\(context.schoolId.urlQueryEncoded)/\(goal.id!)")
    }

    struct StepForm: Content { var goalId: String }

    /// One click: the indicator becomes an action step on a school goal, linking back to the indicator.
    func makeStep(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.leads)
        let indicator = try indicator(context, req)
        let assessment = try context.started()
        guard let team = try await LeadershipQueries(db: req.db).teamRating(assessment.id!, indicator.key), team.goalId == nil else {
            return try await renderIndicator(req, error: "An action step comes from the team's rating, once.")
        }
        let goalId = try req.content.decode(StepForm.self).goalId
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let text = "Leadership team: act on “\(indicator.name)” (rated \(context.framework.label(level: team.level)) in \(SchoolYear.label(context.year)))."
        let step = try await req.db.writeTransaction { db -> ActionStep? in
            guard let step = try await GoalsQueries(db: db).addStep(
                toGoal: goalId, ofScope: context.schoolId, text: text, owner: context.viewer.id, dueOn: DisplayTime.isoDay(today, plus: 60),
                evidence: ("\(context.base)/\(indicator.key)", "Leadership self-assessment", "\(indicator.name), \(SchoolYear.label(context.year))"),
                by: context.viewer.id) else { return nil }
            try await LeadershipQueries(db: db).link(team, goal: goalId, scope: context.schoolId, on: db)
            return step
        }
        guard step != nil else { return try await renderIndicator(req, error: "Choose one of the school's goals.") }
        req.leaveNotice("The action step is added to the goal, linked back to this indicator.")
        return req.redirect(to: "/goals/\(context.schoolId.urlQueryEncoded)/\(goalId)#plan")
    }
}
