import Fluent
import Foundation
import LodestarCore
import Vapor

/// The leadership team's self-assessment: a school's year (team, indicators, ratings), its printable summary and
/// CSV. Indicators are rated on `LeadershipController+Indicator`; the district's heatmap is `+District`.
struct LeadershipController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let leadership = routes.grouped("leadership")
        leadership.get(use: index)
        leadership.get("district", use: district)
        let year = leadership.grouped(":schoolId", ":year")
        year.get(use: overview)
        year.post("start", use: start)
        year.post("team", use: setTeam)
        year.post("publish", use: publish)
        year.get("summary", use: summary)
        year.get("ratings.csv", use: csv)
        let indicator = year.grouped(":indicator")
        indicator.get(use: indicatorPage)
        indicator.post("mine", use: rateOwn)
        indicator.post("team", use: rateAsTeam)
        indicator.post("review", use: review)
        indicator.post("goal", use: makeGoal)
        indicator.post("step", use: makeStep)
    }

    /// Everything a page of one school's year needs to decide who may do what.
    struct YearContext {
        let viewer: Viewer
        let schoolId: String
        let schoolName: String
        let year: Int
        let assessment: SelfAssessment?
        let framework: LeadershipFramework
        let members: [String]

        var isMember: Bool { members.contains(viewer.id) }
        var canSee: Bool { viewer.policy.canSeeSelfAssessment(ofSchool: schoolId, isTeamMember: isMember) }
        var leads: Bool { viewer.policy.leadsSelfAssessment(atSchool: schoolId) }
        var canRate: Bool { assessment != nil && viewer.policy.canRateSelfAssessment(ofSchool: schoolId, isTeamMember: isMember) }
        var reviews: Bool { viewer.policy.reviewsSelfAssessments }
        var isPublished: Bool { assessment?.publishedAt != nil }
        var base: String { "/leadership/\(schoolId.urlQueryEncoded)/\(year)" }
        var title: String { "\(schoolName) · \(SchoolYear.label(year))" }

        func started() throws -> SelfAssessment {
            guard let assessment else { throw LodestarError("The \(SchoolYear.label(year)) self-assessment has not been started.") }
            return assessment
        }
    }

    static func context(_ req: Request) async throws -> YearContext {
        let viewer = try await req.viewer()
        let schoolId = try req.parameters.require("schoolId")
        guard let year = Int(try req.parameters.require("year")), (2000...2100).contains(year),
              let school = try await RosterQueries(req.db).org(schoolId), school.type == "school" else { throw LodestarError.notFound }
        let queries = LeadershipQueries(db: req.db)
        let assessment = try await queries.assessment(school: schoolId, year: year)
        let framework: LeadershipFramework, members: [String]
        if let assessment {
            framework = try await queries.framework(of: assessment)
            members = try await queries.members(of: assessment.id!)
        } else {
            framework = try await queries.activeFramework().framework()
            members = []
        }
        return YearContext(viewer: viewer, schoolId: schoolId, schoolName: school.name, year: year, assessment: assessment,
                           framework: framework, members: members)
    }

    // MARK: Index

    struct IndexPage: Encodable {
        struct Year: Encodable { let label: String; let href: String; let state: String }
        struct School: Encodable { let name: String; let years: [Year] }
        let page: PageContext
        let schools: [School]
        let reviews: Bool
        let hires: Bool
        let succession: Bool
        let induction: Bool
        let currentYear: String
    }

    /// The schools whose self-assessment the viewer may open (or whose summary is published to them), by year.
    func index(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let queries = LeadershipQueries(db: req.db)
        let current = SchoolYear.current()
        let teams = try await queries.assessmentIds(withMember: viewer.id)
        var schools: [IndexPage.School] = []
        let schoolOrgs = try await RosterQueries(req.db).schoolOrgs()
        // Read once for every school: a district leader's list covers them all.
        let bySchool = Dictionary(grouping: try await queries.assessments(), by: \.schoolId)
        let ratedCounts = Dictionary(try await queries.teamRatings(of: bySchool.values.flatMap { $0 }.compactMap(\.id)).map { ($0.assessmentId, 1) }, uniquingKeysWith: +)
        var indicatorCounts: [String: Int] = [:]
        for school in schoolOrgs {
            let id = school.id!
            let assessments = bySchool[id] ?? []
            var years: [IndexPage.Year] = []
            let base = "/leadership/\(id.urlQueryEncoded)"
            if viewer.policy.canSeeSelfAssessment(ofSchool: id, isTeamMember: false), !assessments.contains(where: { $0.year == current }) {
                years.append(.init(label: SchoolYear.label(current), href: "\(base)/\(current)", state: "Not started"))
            }
            for assessment in assessments {
                if indicatorCounts[assessment.frameworkId] == nil { indicatorCounts[assessment.frameworkId] = try await queries.framework(of: assessment).indicators.count }
                let total = indicatorCounts[assessment.frameworkId]!
                let state = "\(ratedCounts[assessment.id!] ?? 0) of \(total) indicators rated by the team" + (assessment.publishedAt == nil ? "" : " · published")
                if viewer.policy.canSeeSelfAssessment(ofSchool: id, isTeamMember: teams.contains(assessment.id!)) {
                    years.append(.init(label: SchoolYear.label(assessment.year), href: "\(base)/\(assessment.year)", state: state))
                } else if assessment.publishedAt != nil, viewer.policy.canReadPublishedLeadershipSummary(ofSchool: id) {
                    years.append(.init(label: SchoolYear.label(assessment.year), href: "\(base)/\(assessment.year)/summary", state: "Published summary"))
                }
            }
            if !years.isEmpty { schools.append(.init(name: school.name, years: years)) }
        }
        try req.require(!schools.isEmpty || viewer.policy.reviewsSelfAssessments)
        return try await req.view.render("leadership/index", IndexPage(page: PageContext(request: req, title: "Leadership self-assessment"),
                                                                       schools: schools, reviews: viewer.policy.reviewsSelfAssessments, hires: viewer.policy.runsAnyHiring,
                                                                       succession: schoolOrgs.contains { viewer.policy.canManageSuccession(atSchool: $0.id!) },
                                                                       induction: schoolOrgs.contains { viewer.policy.managesInduction(atSchool: $0.id!) },
                                                                       currentYear: SchoolYear.label(current)))
    }

    // MARK: A school's year

    struct OverviewPage: Encodable {
        struct Row: Encodable {
            let key: String
            let name: String
            let mine: String
            let rated: String
            let team: String
            let teamLevel: Int
            let lastYear: String
            let review: String
        }
        struct Dimension: Encodable { let name: String; let rows: [Row] }
        struct Member: Encodable { let id: String; let name: String; let role: String; let onTeam: Bool }
        let page: PageContext
        let title: String
        let base: String
        let started: Bool
        let leads: Bool
        let published: Bool
        let frameworkName: String
        let levels: String
        let dimensions: [Dimension]
        let team: [Member]
        let candidates: [Member]
        let years: [SelectOption]
        let notice: String?
    }

    func overview(req: Request) async throws -> View {
        let context = try await Self.context(req)
        try req.require(context.canSee)
        let queries = LeadershipQueries(db: req.db)
        let assessment = context.assessment
        let previous = try await queries.assessment(school: context.schoolId, year: context.year - 1)
        let ids = [assessment?.id, previous?.id].compactMap { $0 }
        let team = try await queries.teamRatings(of: ids)
        let ratings = try await queries.memberRatings(of: assessment.map { [$0.id!] } ?? [])
        let mine = ratings.filter { $0.staffId == context.viewer.id }
        let raters = Dictionary(grouping: ratings, by: \.indicatorKey)
        var previousFramework: LeadershipFramework?
        if let previous { previousFramework = try await queries.framework(of: previous) }
        let framework = context.framework
        let dimensions = framework.dimensions.map { dimension in
            OverviewPage.Dimension(name: dimension.name, rows: dimension.indicators.map { indicator in
                let now = team.first { $0.assessmentId == assessment?.id && $0.indicatorKey == indicator.key }
                let before = team.first { $0.assessmentId == previous?.id && $0.indicatorKey == indicator.key }
                let review = now?.review.map { $0 == TeamRating.Review.agree.rawValue ? "Agrees" : "Differs" } ?? (now == nil ? "" : "Not yet")
                return .init(key: indicator.key, name: indicator.name,
                             mine: mine.first { $0.indicatorKey == indicator.key }.map { framework.label(level: $0.level) } ?? "Not yet",
                             rated: "\(Set((raters[indicator.key] ?? []).map(\.staffId)).intersection(context.members).count) of \(context.members.count)",
                             team: now.map { framework.label(level: $0.level) } ?? "Not yet", teamLevel: now?.level ?? 0,
                             lastYear: before.map { (previousFramework ?? framework).label(level: $0.level) } ?? "—", review: review)
            })
        }
        let names = try await StaffDirectory(db: req.db).holders(of: StaffRole.leadershipTeam, atSchools: [context.schoolId])
        var eligible: [OverviewPage.Member] = [], seen: Set<String> = []
        for person in names where seen.insert(person.id).inserted {
            let roles = Set(names.filter { $0.id == person.id }.compactMap(\.staffRole))
            eligible.append(.init(id: person.id, name: person.name, role: StaffRole.leading(of: roles).label, onTeam: context.members.contains(person.id)))
        }
        let former = Set(context.members).subtracting(seen)
        let formerNames = try await Staff.names(of: former, on: req.db)
        let teamList = eligible.filter(\.onTeam) + former.sorted().map { .init(id: $0, name: formerNames[$0] ?? "Former staff member", role: "No longer on the school's leadership roster", onTeam: true) }
        var years = Set(try await queries.assessments(schools: [context.schoolId]).map(\.year))
        years.insert(SchoolYear.current())
        years.insert(context.year)
        return try await req.view.render("leadership/year", OverviewPage(
            page: PageContext(request: req, title: "Leadership self-assessment: \(context.title)"), title: context.title, base: context.base,
            started: assessment != nil, leads: context.leads, published: context.isPublished,
            frameworkName: framework.name, levels: framework.levels.enumerated().map { "\($0.offset + 1) \($0.element)" }.joined(separator: ", "), dimensions: dimensions, team: teamList,
            candidates: context.leads ? eligible : [],
            years: years.sorted(by: >).map { .init(value: "/leadership/\(context.schoolId.urlQueryEncoded)/\($0)", label: SchoolYear.label($0), selected: $0 == context.year) },
            notice: req.takeNotice()))
    }

    func start(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.leads)
        guard context.year >= SchoolYear.current() - 1, context.year <= SchoolYear.current() else {
            throw LodestarError("Start this school year's self-assessment (or finish last year's); other years are closed.")
        }
        _ = try await LeadershipQueries(db: req.db).start(school: context.schoolId, year: context.year, by: context.viewer.id)
        req.leaveNotice("The \(SchoolYear.label(context.year)) self-assessment is started. Name the team, then each member rates on their own.")
        return req.redirect(to: context.base)
    }

    struct TeamForm: Content { var members: [String]? }

    func setTeam(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.leads)
        let assessment = try context.started()
        let chosen = Set(try req.content.decode(TeamForm.self).members ?? [])
        let eligible = Set(try await StaffDirectory(db: req.db).holders(of: StaffRole.leadershipTeam, atSchools: [context.schoolId]).map(\.id))
        guard chosen.isSubset(of: eligible) else { throw LodestarError("Choose team members among the school's principal, assistant principals, coaches and teacher leaders.") }
        // The principal leads the team and stays on it.
        try await LeadershipQueries(db: req.db).setMembers(chosen.union([context.viewer.id]), of: assessment.id!)
        req.leaveNotice("The team is saved.")
        return req.redirect(to: context.base)
    }

    struct PublishForm: Content { var published: String }

    func publish(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.leads)
        let assessment = try context.started()
        let published = try req.content.decode(PublishForm.self).published == "yes"
        try await LeadershipQueries(db: req.db).setPublished(published, assessment.id!)
        req.leaveNotice(published ? "The summary is published: the school's staff can read the team's ratings (no one's own rating)."
                                  : "The summary is no longer published.")
        return req.redirect(to: context.base)
    }
}
