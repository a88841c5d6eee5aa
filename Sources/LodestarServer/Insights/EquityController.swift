import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Equity: mastery disaggregated by student group, with the gap to a chosen comparison group (all students
/// unless another is chosen), month by month. The gaps to close — groups below the comparison, furthest
/// below first — lead; groups above it are listed apart. Small groups are hidden everywhere, with
/// complementary suppression, in the page and in its CSV.
struct EquityController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("insights", "equity", use: equity)
        routes.get("insights", "equity.csv", use: equityCSV)
    }

    struct Analysis {
        typealias Gap = InsightsQueries.EquityGapList.Gap
        let scope: InsightsScope
        let grade: String
        let subject: String
        let comparison: String
        let month: String
        /// The day the numbers stand on: the end of the chosen month, or today while that month lasts.
        let asOf: String
        let standards: [Standard]
        /// Groups below the comparison, furthest below first, and groups above it, furthest above first.
        let gapsToClose: [Gap]
        let groupsAbove: [Gap]
        /// Every other group with students: level with the comparison, then those hidden or without one to compare with.
        let others: [Gap]
        let detail: Standard?
        /// For the detail standard: month → rows by group, and all students' counts by month.
        let detailRows: [String: [EquityGaps.Row]]
        let detailAll: [String: InsightsQueries.MasteryCount]
        let subjects: [String]
    }

    private func analysis(_ req: Request) async throws -> Analysis {
        let scope = try await InsightsScope.load(req)
        let grade = (try? req.query.get(String.self, at: "grade")) ?? ""
        let subject = (try? req.query.get(String.self, at: "subject")) ?? ""
        var comparison = (try? req.query.get(String.self, at: "compare")) ?? "all"
        if comparison != "all" && StudentGroup(key: comparison) == nil { comparison = "all" }
        let months = scope.months
        let month = (try? req.query.get(String.self, at: "month")).flatMap { months.contains($0) ? $0 : nil } ?? scope.throughMonth
        let list = try await InsightsQueries(db: req.db).equityGaps(schoolIds: scope.schoolIds, grade: grade, subject: subject, comparison: comparison, month: month, months: months)
        let chosen = (try? req.query.get(String.self, at: "standard")).flatMap { id in list.standards.first { $0.id == id } } ?? (list.below.first ?? list.above.first)?.standard
        var detailRows: [String: [EquityGaps.Row]] = [:]
        if let chosen { for m in months { detailRows[m] = InsightsQueries.equityRows(list.counts, standard: chosen.id!, month: m, comparison: comparison) } }
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let endOfMonth = DisplayTime.isoDay(InsightsScope.month(after: month) + "-01", plus: -1)
        return Analysis(scope: scope, grade: grade, subject: subject, comparison: comparison, month: month, asOf: min(today, endOfMonth),
                        standards: list.standards, gapsToClose: list.below, groupsAbove: list.above, others: list.others, detail: chosen, detailRows: detailRows,
                        detailAll: chosen.flatMap { list.counts["all"]?[$0.id!] } ?? [:], subjects: list.subjects)
    }

    struct Page: Encodable {
        struct Gap: Encodable { let standardId: String; let code: String; let group: String; let share: String; let students: Int; let gap: String }
        struct DetailRow: Encodable { let group: String; let cells: [String]; let gap: String }
        let page: PageContext
        let scopeLabel: String
        let comparisonLabel: String
        let asOf: String
        let monthLabel: String
        let gapsToClose: [Gap]
        /// Every gap to close, of which the widest 25 are listed.
        let gapCount: Int
        let groupsAbove: [Gap]
        let detailCode: String?
        let detailStatement: String?
        let detailMonths: [String]
        let detailRows: [DetailRow]
        let detailChart: String?
        let schools: [SelectOption]
        let grades: [SelectOption]
        let subjects: [SelectOption]
        let comparisons: [SelectOption]
        let standards: [SelectOption]
        let from: String
        let through: String
        let csv: String
        let query: String
        let minimum: Int
    }

    func equity(req: Request) async throws -> View {
        let analysis = try await analysis(req)
        let scope = analysis.scope
        let grades = try await InsightsQueries(db: req.db).masteryGrades(schoolIds: scope.schoolIds)
        let months = scope.months
        let rule = DistrictSettings.smallGroups
        var detailRows: [Page.DetailRow] = []
        if analysis.detail != nil {
            detailRows.append(Page.DetailRow(group: "All students", cells: months.map { month in
                let all = analysis.detailAll[month] ?? .init(evidence: 0, atOrAbove: 0)
                return all.evidence == 0 ? "" : rule.allows(all.evidence) ? "\(Percent.text(all.share)) of \(all.evidence)" : "hidden"
            }, gap: ""))
            for group in StudentGroup.all.map(\.key) {
                let byMonth = months.map { month in analysis.detailRows[month]?.first { $0.group == group } }
                guard byMonth.contains(where: { $0 != nil }) else { continue }
                let latest = analysis.detailRows[analysis.month]?.first { $0.group == group }
                detailRows.append(Page.DetailRow(group: StudentGroup.label(ofKey: group), cells: byMonth.map { row in
                    guard let row else { return "" }
                    return row.hidden ? "hidden" : "\(Percent.text(row.share)) of \(row.students ?? 0)"
                }, gap: latest?.hidden == false ? InsightsQueries.points(latest?.gapToComparison) : "—"))
            }
        }
        // The chart: all students, the comparison group, and the group with the widest gap on this standard.
        var chart: String?
        if let detail = analysis.detail {
            let widest = (analysis.gapsToClose + analysis.groupsAbove).first { $0.standard.id == detail.id }?.row.group
            var series: [LineChart.Series] = []
            func points(_ group: String) -> [(x: Double, y: Double)] {
                months.enumerated().compactMap { index, month in
                    if group == "all" {
                        let all = analysis.detailAll[month] ?? .init(evidence: 0, atOrAbove: 0)
                        return rule.allows(all.evidence) ? all.share.map { (Double(index), $0 * 100) } : nil
                    }
                    guard let row = analysis.detailRows[month]?.first(where: { $0.group == group }), !row.hidden, let share = row.share else { return nil }
                    return (Double(index), share * 100)
                }
            }
            series.append(LineChart.Series(name: "All students", style: .reference, points: points("all")))
            if analysis.comparison != "all" { series.append(LineChart.Series(name: StudentGroup.label(ofKey: analysis.comparison), style: .projected, points: points(analysis.comparison))) }
            if let widest { series.append(LineChart.Series(name: StudentGroup.label(ofKey: widest), style: .measured, points: points(widest))) }
            let described = series.map { line in "\(line.name): " + line.points.map { "\(InsightsScope.label(month: months[Int($0.x)])) \(Int($0.y.rounded()))%" }.joined(separator: ", ") }
            chart = LineChart(id: "equity-chart", title: "\(detail.code): share at or above mastery by month", description: described.joined(separator: "; ") + ".",
                              series: series, xTicks: months.enumerated().map { (Double($0.offset), InsightsScope.label(month: $0.element)) },
                              xRange: 0...Double(max(months.count - 1, 1)), yRange: 0...100, yUnit: "%").svg()
        }
        return try await req.view.render("insights/equity", Page(
            page: PageContext(request: req, title: "Equity"),
            scopeLabel: [scope.schoolName, analysis.grade.isEmpty ? nil : GradeLevel.label(analysis.grade), analysis.subject.isEmpty ? nil : analysis.subject].compactMap { $0 }.joined(separator: " · "),
            comparisonLabel: StudentGroup.label(ofKey: analysis.comparison), asOf: DisplayTime.longDate(analysis.asOf), monthLabel: InsightsScope.label(month: analysis.month),
            // The page lists the 25 widest of each; the CSV lists every group.
            gapsToClose: analysis.gapsToClose.prefix(25).map(Self.pageGap), gapCount: analysis.gapsToClose.count, groupsAbove: analysis.groupsAbove.prefix(25).map(Self.pageGap),
            detailCode: analysis.detail?.code, detailStatement: analysis.detail?.statement, detailMonths: months.map { InsightsScope.label(month: $0) },
            detailRows: detailRows, detailChart: chart,
            schools: scope.schoolOptions,
            grades: [SelectOption(value: "", label: "Every grade")] + grades.map { SelectOption(value: $0, label: GradeLevel.label($0), selected: $0 == analysis.grade) },
            subjects: [SelectOption(value: "", label: "Every subject")] + analysis.subjects.map { SelectOption(value: $0, label: $0, selected: $0 == analysis.subject) },
            comparisons: [SelectOption(value: "all", label: "All students", selected: analysis.comparison == "all")]
                + StudentGroup.all.map { SelectOption(value: $0.key, label: $0.label, selected: $0.key == analysis.comparison) },
            standards: analysis.standards.map { SelectOption(value: $0.id!, label: $0.code, selected: $0.id == analysis.detail?.id) },
            from: scope.fromMonth, through: scope.throughMonth,
            csv: "/insights/equity.csv?" + scope.query(["grade": analysis.grade, "subject": analysis.subject, "compare": analysis.comparison]),
            query: scope.query(["grade": analysis.grade, "subject": analysis.subject, "compare": analysis.comparison]),
            minimum: DistrictSettings.smallGroups.minimum))
    }

    static func pageGap(_ gap: Analysis.Gap) -> Page.Gap {
        Page.Gap(standardId: gap.standard.id!, code: gap.standard.code, group: StudentGroup.label(ofKey: gap.row.group), share: Percent.text(gap.row.share),
                 students: gap.row.students ?? 0, gap: InsightsQueries.points(gap.row.gapToComparison))
    }

    /// Every group of every standard: the gaps to close first, then the groups above, then the rest; a hidden
    /// group is listed without numbers and says why. The gap to all students stays beside the chosen comparison's.
    func equityCSV(req: Request) async throws -> Response {
        let analysis = try await analysis(req)
        var csv = CSVWriter(header: ["standard", "group", "students", "at_or_above_percent", "gap_points", "compared_with", "gap_to_all_points", "month", "note"])
        for gap in analysis.gapsToClose + analysis.groupsAbove + analysis.others {
            let row = gap.row
            csv.append([gap.standard.code, StudentGroup.label(ofKey: row.group), row.students.map(String.init) ?? "", row.share.map { String(Percent.whole($0)) } ?? "",
                        row.gapToComparison.map { InsightsQueries.points($0) } ?? "", StudentGroup.label(ofKey: gap.reference), row.gapToAll.map { InsightsQueries.points($0) } ?? "", analysis.month,
                        row.hidden ? "hidden: fewer than \(DistrictSettings.smallGroups.minimum) students or needed to keep such a group from being worked out" : ""])
        }
        return try await req.csvDownload(csv, named: "equity-gaps.csv")
    }
}
