import Fluent
import Foundation
import LodestarCore
import Vapor

/// A school year's one-page summary (the team's ratings; for staff once published) and its CSV, and the district
/// leaders' heatmap of every school's team ratings.
extension LeadershipController {
    struct SummaryPage: Encodable {
        struct Row: Encodable { let name: String; let level: String; let levelNumber: Int; let evidence: String; let review: String? }
        struct Dimension: Encodable { let name: String; let rows: [Row] }
        let page: PageContext
        let title: String
        let base: String
        let frameworkName: String
        let team: [String]
        let dimensions: [Dimension]
        let rated: Int
        let total: Int
        let fullView: Bool
        let printedOn: String
    }

    func summary(req: Request) async throws -> View {
        let context = try await Self.context(req)
        try req.require(context.canSee || (context.isPublished && context.viewer.policy.canReadPublishedLeadershipSummary(ofSchool: context.schoolId)))
        let assessment = try context.started()
        let team = try await LeadershipQueries(db: req.db).teamRatings(of: [assessment.id!])
        let names = try await Staff.names(of: context.members, on: req.db)
        let framework = context.framework
        let dimensions = framework.dimensions.map { dimension in
            SummaryPage.Dimension(name: dimension.name, rows: dimension.indicators.map { indicator in
                let rating = team.first { $0.indicatorKey == indicator.key }
                return .init(name: indicator.name, level: rating.map { framework.label(level: $0.level) } ?? "Not rated yet", levelNumber: rating?.level ?? 0,
                             evidence: rating?.evidence ?? "",
                             review: context.canSee ? rating?.review.map { $0 == TeamRating.Review.agree.rawValue ? "District agrees" : "District differs: \(rating?.reviewComment ?? "")" } : nil)
            })
        }
        return try await req.view.render("leadership/summary", SummaryPage(
            page: PageContext(request: req, title: "Leadership summary: \(context.title)"), title: context.title, base: context.base,
            frameworkName: framework.name, team: context.members.map { names[$0] ?? "Former staff member" }.sorted(),
            dimensions: dimensions, rated: team.count, total: framework.indicators.count, fullView: context.canSee,
            printedOn: DisplayTime.date(DisplayTime.isoDay(Int(Date().timeIntervalSince1970)))))
    }

    func csv(req: Request) async throws -> Response {
        let context = try await Self.context(req)
        try req.require(context.canSee)
        let assessment = try context.started()
        let queries = LeadershipQueries(db: req.db)
        let team = try await queries.teamRatings(of: [assessment.id!])
        let members = try await queries.memberRatings(of: [assessment.id!]).filter { context.members.contains($0.staffId) }
        let framework = context.framework
        var csv = CSVWriter(header: ["school", "year", "dimension", "indicator", "team_level", "team_level_name", "team_evidence", "member_ratings",
                                     "lowest", "highest", "district_review", "district_comment", "goal"])
        for dimension in framework.dimensions {
            for indicator in dimension.indicators {
                let rating = team.first { $0.indicatorKey == indicator.key }
                let spread = RatingSpread(members.filter { $0.indicatorKey == indicator.key }.map(\.level), levels: framework.levels.count)
                csv.append([context.schoolName, SchoolYear.label(context.year), dimension.name, indicator.name,
                            rating.map { String($0.level) } ?? "", rating.map { framework.levels[$0.level - 1] } ?? "", rating?.evidence ?? "",
                            String(spread.raters), spread.lowest.map(String.init) ?? "", spread.highest.map(String.init) ?? "",
                            rating?.review ?? "", rating?.reviewComment ?? "",
                            rating?.goalId.map { "/goals/\(rating?.goalScope ?? context.schoolId)/\($0)" } ?? ""])
            }
        }
        return try await req.csvDownload(csv, named: "leadership-\(context.schoolId)-\(context.year).csv")
    }

    // MARK: The district's heatmap

    struct DistrictPage: Encodable {
        struct Cell: Encodable { let text: String; let heat: Int; let href: String?; let review: String; let title: String }
        struct Row: Encodable { let name: String; let href: String; let cells: [Cell] }
        struct Column: Encodable { let number: String; let dimension: String; let name: String; let atOrAbove: String }
        let page: PageContext
        let year: String
        let years: [SelectOption]
        let columns: [Column]
        let rows: [Row]
        let footLabel: String
        let rule: String
    }

    /// Every school's team rating of every indicator of the active framework (a row per school, a column per
    /// indicator), with the district's review in each cell and, per indicator, how many schools stand at or above
    /// the second-highest level.
    func district(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.reviewsSelfAssessments)
        let queries = LeadershipQueries(db: req.db)
        let current = SchoolYear.current()
        let year = req.query[Int.self, at: "year"].flatMap { (2000...2100).contains($0) ? $0 : nil } ?? current
        let framework = try await queries.activeFramework().framework()
        let schools = try await RosterQueries(req.db).schoolOrgs()
        let assessments = Dictionary(uniqueKeysWithValues: try await queries.assessments(year: year).map { ($0.schoolId, $0) })
        let ratings = Dictionary(grouping: try await queries.teamRatings(of: assessments.values.compactMap(\.id)), by: \.assessmentId)
        let top = framework.levels.count, established = max(1, top - 1)
        var columns: [DistrictPage.Column] = []
        for (d, dimension) in framework.dimensions.enumerated() {
            for (i, indicator) in dimension.indicators.enumerated() {
                let levels = schools.compactMap { assessments[$0.id!].flatMap { ratings[$0.id!]?.first { $0.indicatorKey == indicator.key }?.level } }
                columns.append(.init(number: "\(d + 1).\(i + 1)", dimension: dimension.name, name: indicator.name,
                                     atOrAbove: levels.isEmpty ? "—" : "\(levels.filter { $0 >= established }.count) of \(levels.count)"))
            }
        }
        let rows = schools.map { school in
            DistrictPage.Row(name: school.name, href: "/leadership/\(school.id!.urlQueryEncoded)/\(year)", cells: framework.indicators.map { indicator in
                guard let assessment = assessments[school.id!], let rating = ratings[assessment.id!]?.first(where: { $0.indicatorKey == indicator.key }) else {
                    return .init(text: "—", heat: -1, href: nil, review: "", title: "\(indicator.name): not rated")
                }
                let review = rating.review == TeamRating.Review.agree.rawValue ? "✓" : rating.review == TeamRating.Review.differ.rawValue ? "≠" : ""
                return .init(text: String(rating.level), heat: Int((Double(rating.level) / Double(top) * 4).rounded()),
                             href: "/leadership/\(school.id!.urlQueryEncoded)/\(year)/\(indicator.key.urlQueryEncoded)", review: review,
                             title: "\(indicator.name): \(framework.label(level: rating.level))"
                                + (review == "≠" ? "; the district sees it differently: \(rating.reviewComment ?? "")" : review == "✓" ? "; the district agrees" : ""))
            })
        }
        var years = Set(try await queries.assessments().map(\.year))
        years.insert(current)
        return try await req.view.render("leadership/district", DistrictPage(
            page: PageContext(request: req, title: "Leadership self-assessments: the district"), year: SchoolYear.label(year),
            years: years.sorted(by: >).map { .init(value: String($0), label: SchoolYear.label($0), selected: $0 == year) },
            columns: columns, rows: rows, footLabel: "Schools at \(established) or above",
            rule: "Each cell is the level the school's leadership team agreed (1 = \(framework.levels[0]), \(top) = \(framework.levels[top - 1])); ✓ the district agrees, ≠ it sees it differently; — not rated. The last row counts, for each indicator, the schools rated \(established) (\(framework.levels[established - 1])) or above among those that rated it."))
    }
}
