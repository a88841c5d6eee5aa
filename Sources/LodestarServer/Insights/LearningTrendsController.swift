import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Student learning trends: the share of students at or above mastery on each standard, month by
/// month, for a school (or the district), a grade and a subject, read from the mastery rollup; and the
/// standards flagged as candidate problems of learning. Shares over fewer students than the district's
/// minimum are not shown.
struct LearningTrendsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("insights", "learning", use: learning)
        routes.get("insights", "learning.csv", use: learningCSV)
    }

    struct Trend {
        let scope: InsightsScope
        let grade: String
        let subject: String
        let priorityOnly: Bool
        let rows: [InsightsQueries.LearningTrend.Row]
        let flags: [ProblemsOfLearning.Flag]
        let grades: [String]
        let subjects: [String]
    }

    private func trend(_ req: Request) async throws -> Trend {
        let scope = try await InsightsScope.load(req)
        let grade = (try? req.query.get(String.self, at: "grade")) ?? ""
        let subject = (try? req.query.get(String.self, at: "subject")) ?? ""
        let priorityOnly = req.query[String.self, at: "priority"] == "1"
        let trend = try await InsightsQueries(db: req.db).learningTrend(schoolIds: scope.schoolIds, grade: grade, subject: subject, months: scope.months,
                                                                         priorityOnly: priorityOnly)
        let grades = try await InsightsQueries(db: req.db).masteryGrades(schoolIds: scope.schoolIds)
        return Trend(scope: scope, grade: grade, subject: subject, priorityOnly: priorityOnly, rows: trend.rows, flags: trend.flags, grades: grades, subjects: trend.subjects)
    }

    struct Page: Encodable {
        struct Cell: Encodable { let text: String; let note: String; let heat: Int; let label: String }
        struct Row: Encodable { let id: String; let code: String; let statement: String; let cells: [Cell]; let flagged: Bool }
        struct Flag: Encodable { let id: String; let code: String; let statement: String; let reason: String; let detail: String }
        let page: PageContext
        let scopeLabel: String
        let months: [SelectOption]
        let rows: [Row]
        let flags: [Flag]
        let schools: [SelectOption]
        let grades: [SelectOption]
        let subjects: [SelectOption]
        let from: String
        let through: String
        let csv: String
        let minimum: Int
        let priorityOnly: Bool
    }

    func learning(req: Request) async throws -> View {
        let trend = try await trend(req)
        let months = trend.scope.months
        let codes = Dictionary(uniqueKeysWithValues: trend.rows.map { ($0.standard.id!, $0.standard) })
        let flagged = Set(trend.flags.map(\.standard))
        let percent = { (share: Double) in Percent.text(share) }
        return try await req.view.render("insights/learning", Page(
            page: PageContext(request: req, title: "Learning trends"),
            scopeLabel: [trend.scope.schoolName, trend.grade.isEmpty ? nil : GradeLevel.label(trend.grade), trend.subject.isEmpty ? nil : trend.subject,
                         trend.priorityOnly ? "priority standards" : nil]
                .compactMap { $0 }.joined(separator: " · "),
            months: months.map { SelectOption(value: $0, label: InsightsScope.label(month: $0)) },
            rows: trend.rows.map { row in
                Page.Row(id: row.standard.id!, code: row.standard.code, statement: String(row.standard.statement.prefix(110)),
                         cells: months.map { month in
                             let cell = InsightsQueries.MasteryCount.shown(row.counts[month])
                             return Page.Cell(text: cell.text, note: cell.suppressed ? "fewer than \(DistrictSettings.smallGroups.minimum)" : cell.students > 0 ? "\(cell.students)" : "",
                                              heat: cell.heat, label: "\(row.standard.code), \(InsightsScope.label(month: month)): \(cell.suppressed ? "too few students to show" : "\(cell.text) of \(cell.students) students")")
                         }, flagged: flagged.contains(row.standard.id!))
            },
            flags: trend.flags.compactMap { flag in
                guard let standard = codes[flag.standard] else { return nil }
                let detail = flag.reason == .lowest ? "\(percent(flag.latest)) of \(flag.students) students at or above mastery"
                    : "down from \(percent(flag.from ?? 0)) to \(percent(flag.latest)) (\(flag.students) students)"
                return Page.Flag(id: standard.id!, code: standard.code, statement: String(standard.statement.prefix(140)), reason: flag.reason.rawValue.capitalizedFirst, detail: detail)
            },
            schools: trend.scope.schoolOptions,
            grades: [SelectOption(value: "", label: "Every grade")] + trend.grades.map { SelectOption(value: $0, label: GradeLevel.label($0), selected: $0 == trend.grade) },
            subjects: [SelectOption(value: "", label: "Every subject")] + trend.subjects.map { SelectOption(value: $0, label: $0, selected: $0 == trend.subject) },
            from: trend.scope.fromMonth, through: trend.scope.throughMonth,
            csv: "/insights/learning.csv?" + trend.scope.query(["grade": trend.grade, "subject": trend.subject, "priority": trend.priorityOnly ? "1" : ""]),
            minimum: DistrictSettings.smallGroups.minimum, priorityOnly: trend.priorityOnly))
    }

    func learningCSV(req: Request) async throws -> Response {
        let trend = try await trend(req)
        return try await req.csvDownload(InsightsQueries.MasteryCount.csv(trend.rows.map { ($0.standard.code, $0.counts) }, months: trend.scope.months), named: "learning-trends.csv")
    }
}
