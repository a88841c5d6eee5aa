import Fluent
import Foundation
import LodestarCore
import Vapor

/// Whether a resource followed need at a school: each student group's share of it beside its share of enrollment
/// and of need, by `ResourceEquity`'s rule (stated on the page).
extension ResourcesController {
    struct EquityPage: Encodable {
        struct Row: Encodable {
            let group: String; let hidden: Bool; let students: String; let enrollment: String; let need: String; let received: String
            let amount: String; let gap: String; let flagged: Bool; let widest: Bool; let isAll: Bool
        }
        let page: PageContext
        let schoolName: String
        let ledgerHref: String
        let year: String
        let yearValue: Int
        let choices: [SelectOption]
        let name: String
        let unit: String
        let total: String
        let unreached: String?
        let rows: [Row]
        let flagged: Int
        let inNeed: Int
        let priorities: Int
        let flagPoints: Int
        let minimum: Int
        let amountsHidden: Bool
        let countedRule: String?
    }

    func equity(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let school = try await Self.school(req, viewer)
        let period = Self.year(req)
        let queries = ResourceQueries(db: req.db)
        let choices = ResourceQueries.choices(try await queries.kinds())
        let chosen = ResourceQueries.choice(req.query[String.self, at: "kind"], among: choices)
        let hidesBudget = try await queries.hidesBudget()
        let hidden = chosen.budget && !viewer.policy.seesBudgetFigures(atSchool: school.id, hiddenFromCoaches: hidesBudget)
        let rule = DistrictSettings.smallGroups
        let need = try await queries.need(ofSchool: school.id)
        let (rows, counted, reachedTotal) = try await queries.equity(of: chosen, at: need, period: period, rule: rule)
        let unreached = counted.total - reachedTotal
        func amount(_ value: Double) -> String { hidden ? "Hidden" : AllocationDraft.number(value) }
        let widest = rows.filter { !$0.hidden && ($0.gap ?? 0) > 0 }.max { ($0.gap ?? 0) < ($1.gap ?? 0) }?.group
        return try await req.view.render("resources/equity", EquityPage(
            page: PageContext(request: req, title: "Equity of \(chosen.name.lowercased()) at \(school.name)"),
            schoolName: school.name, ledgerHref: "/resources/schools/\(school.id.urlQueryEncoded)?year=\(period.year)",
            year: SchoolYear.label(period.year), yearValue: period.year,
            choices: choices.map { SelectOption(value: $0.value, label: "\($0.name) (\($0.unit))", selected: $0.value == chosen.value) },
            name: chosen.name, unit: chosen.unit, total: amount(counted.total),
            unreached: unreached > 0.005 ? "\(amount(unreached)) \(chosen.unit) reached no student of the school (a reach with no students now) and is left out of the shares." : nil,
            rows: rows.map { row in
                let isAll = row.group == "all"
                guard !row.hidden else {
                    return .init(group: StudentGroup.label(ofKey: row.group), hidden: true, students: "Fewer than \(rule.minimum), or would reveal such a group",
                                 enrollment: "—", need: "—", received: "—", amount: "—", gap: "—", flagged: false, widest: false, isAll: false)
                }
                return .init(group: StudentGroup.label(ofKey: row.group), hidden: false, students: String(row.students), enrollment: Percent.text(row.shareOfEnrollment),
                             need: isAll ? "\(row.inNeed) in need" : Percent.text(row.shareOfNeed), received: Percent.text(row.shareReceived), amount: amount(row.received),
                             gap: row.gap.map(Self.points) ?? "—", flagged: row.flagged, widest: row.group == widest, isAll: isAll)
            },
            flagged: rows.filter(\.flagged).count, inNeed: need.inNeed.count, priorities: try await StandardsQueries(db: req.db).priorities().count,
            flagPoints: Int(ResourceEquity.flagPoints), minimum: rule.minimum, amountsHidden: hidden, countedRule: chosen.counted?.rule(coachingMinutes: TimeQueries.coachingMinutes)))
    }

    /// "+8", "−3", "0": whole points, with no "−0".
    static func points(_ value: Double) -> String {
        let whole = Int(value.rounded())
        return whole > 0 ? "+\(whole)" : whole < 0 ? "−\(-whole)" : "0"
    }
}
