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
        struct Gap { let standard: Standard; let row: EquityGaps.Row; let reference: String }
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


    private func rows(_ counts: [String: [String: [String: InsightsQueries.MasteryCount]]], standard: String, month: String, comparison: String) -> [EquityGaps.Row] {
        let count = { (group: String) in counts[group]?[standard]?[month] ?? .init(evidence: 0, atOrAbove: 0) }
        let all = count("all")
        return EquityGaps.rows(all: .init(group: "all", students: all.evidence, atOrAbove: all.atOrAbove),
                               groups: StudentGroup.all.map { group in let c = count(group.key); return .init(group: group.key, students: c.evidence, atOrAbove: c.atOrAbove) },
                               partitions: StudentGroup.partitionKeys, comparison: comparison, rule: DistrictSettings.smallGroups)
    }

    private func analysis(_ req: Request) async throws -> Analysis {
        let scope = try await InsightsScope.load(req)
        let grade = (try? req.query.get(String.self, at: "grade")) ?? ""
        let subject = (try? req.query.get(String.self, at: "subject")) ?? ""
        var comparison = (try? req.query.get(String.self, at: "compare")) ?? "all"
        if comparison != "all" && StudentGroup(key: comparison) == nil { comparison = "all" }
        let months = scope.months
        let month = (try? req.query.get(String.self, at: "month")).flatMap { months.contains($0) ? $0 : nil } ?? scope.throughMonth
        let counts = try await InsightsQueries(db: req.db).masteryByGroup(schoolIds: scope.schoolIds, grade: grade, standardIds: nil, groups: nil, months: months)
        let documents = try await StandardsQueries(db: req.db).subjects()
        let allStandards = try await StandardsQueries(db: req.db).standards(ids: (counts["all"] ?? [:]).keys)
        let standards = allStandards.filter { subject.isEmpty || documents[$0.documentId] == subject }
            .sorted { $0.code.localizedStandardCompare($1.code) == .orderedAscending }
        var gaps: [Analysis.Gap] = [], others: [Analysis.Gap] = []
        for standard in standards {
            for row in rows(counts, standard: standard.id!, month: month, comparison: comparison) where row.group != comparison {
                if let gap = row.gapToComparison, gap != 0 { gaps.append(.init(standard: standard, row: row, reference: comparison)) } else {
                    others.append(.init(standard: standard, row: row, reference: comparison))
                }
            }
        }
        // Widest first, then by standard and group; each code is read from its model once (a model's fields are slow to read).
        func widestFirst(_ gaps: [Analysis.Gap]) -> [Analysis.Gap] {
            gaps.map { (width: abs($0.row.gapToComparison!), code: $0.standard.code, gap: $0) }
                .sorted { ($0.width, $1.code, $1.gap.row.group) > ($1.width, $0.code, $0.gap.row.group) }
                .map(\.gap)
        }
        let below = widestFirst(gaps.filter { $0.row.gapToComparison! < 0 }), above = widestFirst(gaps.filter { $0.row.gapToComparison! > 0 })
        let chosen = (try? req.query.get(String.self, at: "standard")).flatMap { id in standards.first { $0.id == id } } ?? (below.first ?? above.first)?.standard
        var detailRows: [String: [EquityGaps.Row]] = [:]
        if let chosen { for m in months { detailRows[m] = rows(counts, standard: chosen.id!, month: m, comparison: comparison) } }
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let endOfMonth = DisplayTime.isoDay(InsightsScope.month(after: month) + "-01", plus: -1)
        return Analysis(scope: scope, grade: grade, subject: subject, comparison: comparison, month: month, asOf: min(today, endOfMonth),
                        standards: standards, gapsToClose: below, groupsAbove: above,
                        others: others.filter { $0.row.gapToComparison != nil } + others.filter { $0.row.gapToComparison == nil }, detail: chosen, detailRows: detailRows,
                        detailAll: chosen.flatMap { counts["all"]?[$0.id!] } ?? [:],
                        subjects: Array(Set(allStandards.compactMap { documents[$0.documentId] })).filter { !$0.isEmpty }.sorted())
    }

    static func points(_ gap: Double?) -> String {
        gap.map { let value = Int($0.rounded()); return value > 0 ? "+\(value)" : "\(value)" } ?? "—"
    }

    struct Page: Encodable {
        struct Gap: Encodable { let standardId: String; let code: String; let group: String; let share: String; let students: Int; let gap: String }
        struct DetailRow: Encodable { let group: String; let cells: [String]; let gap: String }
        let page: PageContext
        let scopeLabel: String
        let comparisonLabel: String
        let asOf: String
        let gapsToClose: [Gap]
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
                }, gap: latest?.hidden == false ? Self.points(latest?.gapToComparison) : "—"))
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
            comparisonLabel: StudentGroup.label(ofKey: analysis.comparison), asOf: DisplayTime.longDate(analysis.asOf),
            // The page lists the 25 widest of each; the CSV lists every group.
            gapsToClose: analysis.gapsToClose.prefix(25).map(Self.pageGap), groupsAbove: analysis.groupsAbove.prefix(25).map(Self.pageGap),
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
                 students: gap.row.students ?? 0, gap: Self.points(gap.row.gapToComparison))
    }

    /// Every group of every standard: the gaps to close first, then the groups above, then the rest; a hidden
    /// group is listed without numbers and says why. The gap to all students stays beside the chosen comparison's.
    func equityCSV(req: Request) async throws -> Response {
        let analysis = try await analysis(req)
        var csv = CSVWriter(header: ["standard", "group", "students", "at_or_above_percent", "gap_points", "compared_with", "gap_to_all_points", "month", "note"])
        for gap in analysis.gapsToClose + analysis.groupsAbove + analysis.others {
            let row = gap.row
            csv.append([gap.standard.code, StudentGroup.label(ofKey: row.group), row.students.map(String.init) ?? "", row.share.map { String(Percent.whole($0)) } ?? "",
                        row.gapToComparison.map { Self.points($0) } ?? "", StudentGroup.label(ofKey: gap.reference), row.gapToAll.map { Self.points($0) } ?? "", analysis.month,
                        row.hidden ? "hidden: fewer than \(DistrictSettings.smallGroups.minimum) students or needed to keep such a group from being worked out" : ""])
        }
        return try await req.csvDownload(csv, named: "equity-gaps.csv")
    }
}
