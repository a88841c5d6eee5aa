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

    /// Each teacher's `PracticeCount` of each practice.
    static func practice(schoolId: String, from: Int, to: Int, on db: any Database) async throws -> [String: [String: PracticeCount]] {
        var marks: [String: [String: String]] = [:]
        var visits: [(id: String, teacher: String, framework: String)] = []
        for row in try await db.sql.raw("""
            SELECT w.id, w.teacher_id, w.framework_id, m.indicator_key, m.mark FROM walkthroughs w LEFT JOIN indicator_marks m ON m.walkthrough_id = w.id
            WHERE w.school_id = \(bind: schoolId) AND w.observed_at >= \(bind: from) AND w.observed_at < \(bind: to)
            """).all() {
            let id = try row.decode(column: "id", as: String.self)
            if marks[id] == nil {
                marks[id] = [:]
                visits.append((id, try row.decode(column: "teacher_id", as: String.self), try row.decode(column: "framework_id", as: String.self)))
            }
            if let key = try row.decode(column: "indicator_key", as: String?.self) { marks[id]![key] = try row.decode(column: "mark", as: String.self) }
        }
        let frameworks = try await FrameworkStore.frameworks(ids: visits.map(\.framework), on: db)
        var result: [String: [String: PracticeCount]] = [:]
        for visit in visits {
            guard let framework = frameworks[visit.framework] else { continue }
            for indicator in framework.indicators {
                result[visit.teacher, default: [:]][indicator.key, default: PracticeCount()].add(mark: marks[visit.id]?[indicator.key], on: framework.scale)
            }
        }
        return result
    }

    /// Each class's growth: over its students' results on the standards assessed in the class that have at
    /// least two months of results up to `through`, the share at or above mastery in the last month minus
    /// the share in the first, in points. Classes with fewer measured students than the small-group
    /// minimum are left out.
    static func growth(schoolId: String, through: String, on db: any Database) async throws -> [PracticeAndGrowth.ClassGrowth] {
        let sql = db.sql
        var students: [String: [String]] = [:], teachers: [String: [String]] = [:]
        for row in try await sql.raw("SELECT class_id, user_id, role FROM enrollments WHERE school_id = \(bind: schoolId)").all() {
            let classId = try row.decode(column: "class_id", as: String.self), user = try row.decode(column: "user_id", as: String.self)
            if try row.decode(column: "role", as: String.self) == "student" { students[classId, default: []].append(user) } else { teachers[classId, default: []].append(user) }
        }
        var standards: [String: Set<String>] = [:]
        for row in try await sql.raw("""
            SELECT DISTINCT c.class_id, x.standard_id FROM assessment_classes c JOIN assessment_standards x ON x.assessment_id = c.assessment_id
            JOIN assessments a ON a.id = c.assessment_id WHERE a.school_id = \(bind: schoolId)
            """).all() {
            standards[try row.decode(column: "class_id", as: String.self), default: []].insert(try row.decode(column: "standard_id", as: String.self))
        }
        var timelines: [String: [MasteryTimeline.Entry]] = [:]
        for row in try await sql.raw("SELECT student_id, standard_id, timeline FROM mastery_pairs WHERE school_id = \(bind: schoolId)").all() {
            timelines["\(try row.decode(column: "student_id", as: String.self))|\(try row.decode(column: "standard_id", as: String.self))"] =
                MasteryTimeline.decode(try row.decode(column: "timeline", as: String.self))
        }
        var result: [PracticeAndGrowth.ClassGrowth] = []
        for (classId, classStandards) in standards {
            // The same results at both ends: each student's standing on each standard first and last (up to
            // `through`), over the standards with at least two months of results.
            var first = 0, last = 0, counted = 0
            var measured: Set<String> = []
            for student in students[classId] ?? [] {
                for standard in classStandards {
                    let entries = (timelines["\(student)|\(standard)"] ?? []).filter { $0.month <= through && $0.standing != .notYet }
                    guard entries.count >= 2 else { continue }
                    counted += 1
                    measured.insert(student)
                    if entries.first!.standing == .atOrAbove { first += 1 }
                    if entries.last!.standing == .atOrAbove { last += 1 }
                }
            }
            guard counted > 0, DistrictSettings.smallGroups.allows(measured.count) else { continue }
            for teacher in teachers[classId] ?? [] { result.append(.init(teacher: teacher, growth: Double(last - first) / Double(counted) * 100)) }
        }
        return result
    }

    private func analysis(_ req: Request) async throws -> Analysis {
        var scope = try await InsightsScope.load(req)
        if scope.school.isEmpty, let first = scope.schools.first {
            // District roles look at one school at a time here.
            scope = InsightsScope(school: first.id!, schools: scope.schools, seesDistrict: scope.seesDistrict, fromMonth: scope.fromMonth, throughMonth: scope.throughMonth)
        }
        let framework = try await FrameworkStore.active(on: req.db).framework
        let from = DisplayTime.startOfDay(scope.fromMonth + "-01"), to = DisplayTime.startOfDay(InsightsScope.month(after: scope.throughMonth) + "-01")
        let practice = try await Self.practice(schoolId: scope.school, from: from, to: to, on: req.db)
        let growth = try await Self.growth(schoolId: scope.school, through: scope.throughMonth, on: req.db)
        return Analysis(scope: scope, framework: framework,
                        rows: PracticeAndGrowth.rows(indicators: framework.indicators.map(\.key), practice: practice, classes: growth),
                        classesMeasured: growth.count)
    }

    static func points(_ value: Double?) -> String {
        value.map { let rounded = ($0 * 10).rounded() / 10; return rounded > 0 ? "+\(rounded.cleanNumber)" : rounded.cleanNumber } ?? "—"
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
                Page.Row(practice: names[row.indicator] ?? row.indicator, often: Self.count(row.often), oftenGrowth: Self.points(row.often.growth),
                         rarely: Self.count(row.rarely), rarelyGrowth: Self.points(row.rarely.growth), difference: Self.points(row.difference))
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
            csv.append([names[row.indicator] ?? row.indicator, String(row.often.classes), String(row.often.teachers), Self.points(row.often.growth),
                        String(row.rarely.classes), String(row.rarely.teachers), Self.points(row.rarely.growth), Self.points(row.difference)])
        }
        return try await req.csvDownload(csv, named: "practice-and-growth.csv")
    }
}
