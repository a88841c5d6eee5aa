import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Instructional trends: the share of walkthroughs that looked for each practice of the framework and saw it (`PracticeCount`),
/// by month, grade band, subject or school, with the walkthroughs behind any cell; and the health of
/// the feedback loop and visit coverage, school by school.
struct PracticeTrendsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("insights", use: index)
        routes.get("insights", "practice", use: practice)
        routes.get("insights", "practice.csv", use: practiceCSV)
        routes.get("insights", "practice", "visits", use: visits)
        routes.get("insights", "feedback", use: feedback)
        routes.get("insights", "feedback.csv", use: feedbackCSV)
    }

    func index(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canViewAnyTrends)
        return req.redirect(to: "/insights/practice")
    }

    /// The heatmap's filters: the shared scope plus grade band, subject and the column dimension.
    struct Selection {
        let scope: InsightsScope
        let filter: InsightsQueries.PracticeFilter
        let dimension: InsightsQueries.Dimension
        var school: String { scope.school }
        var schools: [Org] { scope.schools }
        var seesDistrict: Bool { scope.seesDistrict }

        static func load(_ req: Request) async throws -> Selection {
            let scope = try await InsightsScope.load(req)
            var dimension = (try? req.query.get(String.self, at: "by")).flatMap(InsightsQueries.Dimension.init(rawValue:)) ?? .month
            if dimension == .school && !scope.school.isEmpty { dimension = .month }
            let filter = InsightsQueries.PracticeFilter(
                schoolIds: scope.schoolIds, gradeBand: (try? req.query.get(String.self, at: "band")) ?? "",
                subject: (try? req.query.get(String.self, at: "subject")) ?? "", fromMonth: scope.fromMonth, throughMonth: scope.throughMonth)
            return Selection(scope: scope, filter: filter, dimension: dimension)
        }

        static func month(_ text: String) -> String? { InsightsScope.month(text) }

        /// The query string for these filters, with changes.
        func query(_ changes: [String: String] = [:]) -> String {
            scope.query(["band": filter.gradeBand, "subject": filter.subject, "by": dimension.rawValue].merging(changes) { $1 })
        }
    }

    // MARK: The heatmap

    struct Heatmap {
        struct Column: Encodable { let key: String; let label: String }
        struct Cell: Encodable {
            let text: String
            let visits: Int
            let heat: Int
            let href: String?
            let label: String
        }
        struct Row: Encodable {
            let indicator: String
            let domain: String
            let cells: [Cell]
            let total: Cell
            /// Visits over every column that left the practice unmarked.
            let notLookedFor: Int
        }
        let columns: [Column]
        let rows: [Row]
        /// The numbers as shown, for the CSV: indicator, column, looked for, seen, not seen, not looked for, share.
        let numbers: [[String]]
    }

    /// Columns in their natural order: months in time, bands by grade, schools and subjects by name.
    private func columns(_ selection: Selection, cells: [InsightsQueries.PracticeCell]) -> [Heatmap.Column] {
        let present = Set(cells.compactMap(\.column))
        switch selection.dimension {
        case .month:
            return selection.scope.months.map { Heatmap.Column(key: $0, label: InsightsScope.label(month: $0)) }
        case .gradeBand:
            return ClassContext.gradeBands.filter(present.contains).map { .init(key: $0, label: $0) } + (present.contains("") ? [.init(key: "", label: "No class")] : [])
        case .subject:
            return present.filter { !$0.isEmpty }.sorted().map { .init(key: $0, label: $0) } + (present.contains("") ? [.init(key: "", label: "No class")] : [])
        case .school:
            return selection.schools.filter { present.contains($0.id!) }.map { .init(key: $0.id!, label: $0.name) }
        }
    }

    private func heatmap(_ req: Request, _ selection: Selection, canOpen: Bool) async throws -> Heatmap {
        let cells = try await InsightsQueries(db: req.db).practice(selection.filter, by: selection.dimension)
        let framework = try await FrameworkStore.active(on: req.db).framework
        let columns = columns(selection, cells: cells)
        var byKey: [String: InsightsQueries.PracticeCell] = [:]
        for cell in cells { byKey["\(cell.indicator)|\(cell.column ?? "\u{0}")"] = cell }
        var numbers: [[String]] = []
        func cell(_ indicator: Framework.Indicator, _ column: Heatmap.Column?) -> Heatmap.Cell {
            let count = byKey["\(indicator.key)|\(column?.key ?? "\u{0}")"]?.count ?? PracticeCount()
            let share = count.share, visits = count.lookedFor
            let text = Percent.text(share)
            numbers.append([indicator.shortName, column?.label ?? "All", String(visits), String(count.seen), String(count.notSeen), String(count.notLookedFor),
                            share.map { String(Percent.whole($0)) } ?? ""])
            var changes = ["indicator": indicator.key]
            if let column { changes[selection.dimension == .month ? "month" : selection.dimension == .gradeBand ? "band" : selection.dimension == .subject ? "subject" : "school"] = column.key }
            let href = canOpen && visits + count.notLookedFor > 0 ? "/insights/practice/visits?" + selection.query(changes) : nil
            return Heatmap.Cell(text: text, visits: visits, heat: share.map { min(4, Int($0 * 5)) } ?? -1, href: href,
                                label: "\(indicator.shortName), \(column?.label ?? "all"): seen in \(text) of \(visits) visits that looked for it; \(count.notLookedFor) did not look for it")
        }
        var rows: [Heatmap.Row] = []
        for domain in framework.domains {
            for indicator in domain.indicators {
                rows.append(Heatmap.Row(indicator: indicator.shortName, domain: domain.name, cells: columns.map { cell(indicator, $0) }, total: cell(indicator, nil),
                                        notLookedFor: byKey["\(indicator.key)|\u{0}"]?.count.notLookedFor ?? 0))
            }
        }
        return Heatmap(columns: columns, rows: rows, numbers: numbers)
    }

    struct PracticePage: Encodable {
        let page: PageContext
        let columns: [Heatmap.Column]
        let rows: [Heatmap.Row]
        let schools: [SelectOption]
        let bands: [SelectOption]
        let subjects: [SelectOption]
        let dimensions: [SelectOption]
        let seesDistrict: Bool
        let from: String
        let through: String
        let csv: String
        let scopeLabel: String
        let totalVisits: Int
        let rule = PracticeCount.rule
        let fromLabel: String
        let throughLabel: String
    }

    func practice(req: Request) async throws -> View {
        let selection = try await Selection.load(req)
        let viewer = try await req.viewer()
        let canOpen = selection.school.isEmpty ? viewer.policy.seesWholeDistrict : viewer.policy.canOpenTrendVisits(ofSchool: selection.school)
        let map = try await heatmap(req, selection, canOpen: canOpen)
        let contexts = try await InsightsQueries(db: req.db).contexts()
        let schoolName = selection.scope.schoolName
        return try await req.view.render("insights/practice", PracticePage(
            page: PageContext(request: req, title: "Practice trends"), columns: map.columns, rows: map.rows,
            schools: selection.scope.schoolOptions,
            bands: [SelectOption(value: "", label: "Every grade band")] + contexts.bands.map { SelectOption(value: $0, label: $0, selected: $0 == selection.filter.gradeBand) },
            subjects: [SelectOption(value: "", label: "Every subject")] + contexts.subjects.map { SelectOption(value: $0, label: $0, selected: $0 == selection.filter.subject) },
            dimensions: InsightsQueries.Dimension.allCases.filter { $0 != .school || selection.school.isEmpty }
                .map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0 == selection.dimension) },
            seesDistrict: selection.seesDistrict, from: selection.filter.fromMonth, through: selection.filter.throughMonth,
            csv: "/insights/practice.csv?" + selection.query(), scopeLabel: schoolName,
            totalVisits: map.rows.map { $0.total.visits + $0.notLookedFor }.max() ?? 0,
            fromLabel: InsightsScope.label(month: selection.filter.fromMonth), throughLabel: InsightsScope.label(month: selection.filter.throughMonth)))
    }

    func practiceCSV(req: Request) async throws -> Response {
        let selection = try await Selection.load(req)
        let map = try await heatmap(req, selection, canOpen: false)
        var csv = CSVWriter(header: ["practice", selection.dimension.label.lowercased(), "looked_for", "seen", "not_seen", "not_looked_for", "share_percent"])
        for row in map.numbers { csv.append(row) }
        return try await req.csvDownload(csv, named: "practice-trends.csv")
    }

    // MARK: Drill-down

    struct VisitsPage: Encodable {
        struct Row: Encodable { let id: String; let when: String; let teacherId: String; let teacher: String; let observer: String; let school: String; let seen: String }
        let page: PageContext
        let practice: String
        let scope: String
        let rows: [Row]
        let back: String
        let truncated: Bool
    }

    func visits(req: Request) async throws -> View {
        let selection = try await Selection.load(req)
        let viewer = try await req.viewer()
        try req.require(selection.school.isEmpty ? viewer.policy.seesWholeDistrict : viewer.policy.canOpenTrendVisits(ofSchool: selection.school))
        let indicatorKey = try req.query.get(String.self, at: "indicator")
        let framework = try await FrameworkStore.active(on: req.db).framework
        guard let indicator = framework.indicator(indicatorKey) else { throw LodestarError.notFound }
        let month = (try? req.query.get(String.self, at: "month")).flatMap(Selection.month)
        let found = try await InsightsQueries(db: req.db).visits(indicator: indicatorKey, filter: selection.filter, month: month)
        let scales = try await FrameworkStore.frameworks(ids: found.map(\.frameworkId), on: req.db).mapValues(\.scale)
        let schools = Dictionary(uniqueKeysWithValues: selection.schools.map { ($0.id!, $0.name) })
        let names = try await Staff.names(of: found.flatMap { [$0.teacherId, $0.observerId] }, on: req.db)
        var scope = [selection.scope.schoolName]
        if let month { scope.append(month) }
        if !selection.filter.gradeBand.isEmpty { scope.append("grades \(selection.filter.gradeBand)") }
        if !selection.filter.subject.isEmpty { scope.append(selection.filter.subject) }
        return try await req.view.render("insights/visits", VisitsPage(
            page: PageContext(request: req, title: "Visits: \(indicator.shortName)"), practice: indicator.shortName, scope: scope.joined(separator: " · "),
            rows: found.map { visit in
                let seen = scales[visit.frameworkId].map { $0.isSeen(visit.mark) ? "Seen (\($0.label(visit.mark)))" : $0.label(visit.mark) } ?? visit.mark
                return VisitsPage.Row(id: visit.id, when: DisplayTime.dateTime(visit.observedAt), teacherId: visit.teacherId, teacher: names[visit.teacherId] ?? "—",
                                      observer: names[visit.observerId] ?? "—", school: schools[visit.schoolId] ?? visit.schoolId, seen: seen)
            },
            back: "/insights/practice?" + selection.query(), truncated: found.count >= 500))
    }

    // MARK: Feedback and coverage

    struct FeedbackPage: Encodable {
        struct Row: Encodable {
            let school: String
            let visits: Int
            let coverage: String
            let coveragePercent: Int
            let median: String
            let withinADay: String
            let replyRate: String
        }
        let page: PageContext
        let rows: [Row]
        let csv: String
    }

    private func feedbackRows(_ req: Request) async throws -> [(name: String, loop: WalkthroughQueries.SchoolLoop)] {
        let selection = try await Selection.load(req)
        let ids = selection.school.isEmpty ? selection.schools.map { $0.id! } : [selection.school]
        let names = Dictionary(uniqueKeysWithValues: selection.schools.map { ($0.id!, $0.name) })
        return try await WalkthroughQueries(db: req.db).feedbackLoops(schoolIds: ids).map { (names[$0.schoolId] ?? $0.schoolId, $0) }
            .sorted { ($0.loop.loop.medianHoursToFeedback ?? .infinity, $0.name) > ($1.loop.loop.medianHoursToFeedback ?? .infinity, $1.name) }
    }


    func feedback(req: Request) async throws -> View {
        let rows = try await feedbackRows(req)
        return try await req.view.render("insights/feedback", FeedbackPage(
            page: PageContext(request: req, title: "Feedback and coverage"),
            rows: rows.map { name, school in
                let coverage = school.teachers > 0 ? Double(school.visitedTeachers) / Double(school.teachers) : nil
                return FeedbackPage.Row(school: name, visits: school.loop.visits, coverage: WalkthroughQueries.coverageText(school),
                                        coveragePercent: Percent.whole(coverage ?? 0), median: WalkthroughQueries.medianText(school.loop),
                                        withinADay: Percent.text(school.loop.sharedWithinADay), replyRate: Percent.text(school.loop.replyRate))
            },
            csv: "/insights/feedback.csv" + (req.url.query.map { "?" + $0 } ?? "")))
    }

    func feedbackCSV(req: Request) async throws -> Response {
        var csv = CSVWriter(header: ["school", "visits_30_days", "teachers", "teachers_visited", "median_hours_to_feedback", "shared_within_a_day_percent", "reply_rate_percent"])
        for (name, school) in try await feedbackRows(req) {
            csv.append([name, String(school.loop.visits), String(school.teachers), String(school.visitedTeachers),
                        school.loop.medianHoursToFeedback.map { String(format: "%.1f", $0) } ?? "",
                        school.loop.sharedWithinADay.map { String(Percent.whole($0)) } ?? "", school.loop.replyRate.map { String(Percent.whole($0)) } ?? ""])
        }
        return try await req.csvDownload(csv, named: "feedback-and-coverage.csv")
    }
}
