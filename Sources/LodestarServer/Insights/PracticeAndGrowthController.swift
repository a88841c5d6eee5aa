import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Teaching and learning together, for one school: for each practice, the mastery growth of classes
/// whose teachers are often seen practicing it beside those whose teachers rarely are (see
/// `PracticeAndGrowth`), with counts and a plain caution that this is correlation, not proof.
struct PracticeAndGrowthController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("insights", "practice-and-growth", use: page)
        routes.get("insights", "practice-and-growth.csv", use: csv)
    }

    struct Analysis {
        let scope: InsightsScope
        let framework: Framework
        let rows: [PracticeAndGrowth.Row]
        let classesMeasured: Int
    }

    private func analysis(_ req: Request) async throws -> Analysis {
        var scope = try await InsightsScope.load(req)
        if scope.school.isEmpty, let first = scope.schools.first {
            // District roles look at one school at a time here.
            scope = InsightsScope(school: first.id!, schools: scope.schools, seesDistrict: scope.seesDistrict, fromMonth: scope.fromMonth, throughMonth: scope.throughMonth)
        }
        let framework = try await FrameworkStore.active(on: req.db).framework
        let from = DisplayTime.startOfDay(scope.fromMonth + "-01"), to = DisplayTime.startOfDay(InsightsScope.month(after: scope.throughMonth) + "-01")
        let practice = try await WalkthroughQueries(db: req.db).practice(schoolId: scope.school, from: from, to: to)
        let growth = try await InsightsQueries(db: req.db).classGrowth(schoolId: scope.school, through: scope.throughMonth)
        return Analysis(scope: scope, framework: framework,
                        rows: PracticeAndGrowth.rows(indicators: framework.indicators.map(\.key), practice: practice, classes: growth),
                        classesMeasured: growth.count)
    }

    struct Page: Encodable {
        struct Row: Encodable { let practice: String; let often: String; let oftenGrowth: String; let rarely: String; let rarelyGrowth: String; let difference: String }
        let page: PageContext
        let school: String
        let schools: [SelectOption]
        let rows: [Row]
        let classes: Int
        let from: String
        let through: String
        let csv: String
        let fromLabel: String
        let throughLabel: String
    }

    private static func count(_ side: PracticeAndGrowth.Side) -> String {
        side.classes == 0 ? "no classes" : "\(side.classes) \(side.classes == 1 ? "class" : "classes") of \(side.teachers) \(side.teachers == 1 ? "teacher" : "teachers")"
    }

    func page(req: Request) async throws -> View {
        let analysis = try await analysis(req)
        let names = Dictionary(uniqueKeysWithValues: analysis.framework.indicators.map { ($0.key, $0.shortName) })
        return try await req.view.render("insights/practice-and-growth", Page(
            page: PageContext(request: req, title: "Practice and growth"), school: analysis.scope.schoolName,
            schools: analysis.scope.schools.map { SelectOption(value: $0.id!, label: $0.name, selected: $0.id == analysis.scope.school) },
            rows: analysis.rows.map { row in
                Page.Row(practice: names[row.indicator] ?? row.indicator, often: Self.count(row.often), oftenGrowth: Points.tenths(row.often.growth),
                         rarely: Self.count(row.rarely), rarelyGrowth: Points.tenths(row.rarely.growth), difference: Points.tenths(row.difference))
            },
            classes: analysis.classesMeasured, from: analysis.scope.fromMonth, through: analysis.scope.throughMonth,
            csv: "/insights/practice-and-growth.csv?" + analysis.scope.query(),
            fromLabel: InsightsScope.label(month: analysis.scope.fromMonth), throughLabel: InsightsScope.label(month: analysis.scope.throughMonth)))
    }

    func csv(req: Request) async throws -> Response {
        let analysis = try await analysis(req)
        let names = Dictionary(uniqueKeysWithValues: analysis.framework.indicators.map { ($0.key, $0.shortName) })
        var csv = CSVWriter(header: ["practice", "often_classes", "often_teachers", "often_growth_points", "rarely_classes", "rarely_teachers", "rarely_growth_points", "difference_points"])
        for row in analysis.rows {
            csv.append([names[row.indicator] ?? row.indicator, String(row.often.classes), String(row.often.teachers), Points.tenths(row.often.growth),
                        String(row.rarely.classes), String(row.rarely.teachers), Points.tenths(row.rarely.growth), Points.tenths(row.difference)])
        }
        return try await req.csvDownload(csv, named: "practice-and-growth.csv")
    }
}
