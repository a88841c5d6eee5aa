import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// How often each class is formatively assessed, per standard, so leaders see where assessment is too rare.
/// Class-level counts only: no student data.
struct FrequencyController: RouteCollection {
    /// Fewer assessments than this in 30 days is flagged as rare.
    static let rareBelow = 2

    func boot(routes: any RoutesBuilder) throws {
        routes.get("schools", ":schoolId", "assessment-frequency", use: frequency)
    }

    struct Page: Encodable {
        struct Standard: Encodable { let code: String; let count: Int; let last: String }
        struct Row: Encodable {
            let classId: String
            let title: String
            let teacher: String
            let recent: Int
            let term: Int
            let last: String
            let rare: Bool
            let standards: [Standard]
        }
        let page: PageContext
        let schoolId: String
        let schoolName: String
        let termStart: String
        let rareBelow: Int
        let rows: [Row]
        let rareCount: Int
    }

    func frequency(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let schoolId = try req.parameters.require("schoolId")
        try req.require(viewer.policy.canViewRoster(ofSchool: schoolId))
        guard let school = try await RosterQueries(req.db).org(schoolId) else { throw LodestarError.notFound }
        let now = Int(Date().timeIntervalSince1970)
        let since = DisplayTime.isoDay(now - 30 * 86_400)
        let termStart = try await RosterQueries(req.db).currentTermStart(now: now)
        let termDay = DisplayTime.isoDay(termStart)
        let classes = try await RosterQueries(req.db).classes(inSchool: schoolId)
        let assessed = try await AssessmentQueries(db: req.db).assessedOn(classes: classes.map(\.id), since: termDay)
        let codes = Dictionary(uniqueKeysWithValues: try await StandardsQueries(db: req.db).standards(ids: Set(assessed.map(\.standardId))).map { ($0.id!, $0.code) })
        let byClass = Dictionary(grouping: assessed, by: \.classId)
        var rows = classes.map { schoolClass in
            let mine = byClass[schoolClass.id] ?? []
            let days = Dictionary(mine.map { ($0.assessmentId, $0.assessedOn) }, uniquingKeysWith: { first, _ in first })
            let recent = days.values.filter { $0 >= since }.count
            let byCode = Dictionary(grouping: mine.filter { codes[$0.standardId] != nil }) { codes[$0.standardId]! }
            let standards = byCode.keys.sorted().map { code in
                let taken = Dictionary(byCode[code]!.map { ($0.assessmentId, $0.assessedOn) }, uniquingKeysWith: { first, _ in first })
                return Page.Standard(code: code, count: taken.count, last: DisplayTime.date(taken.values.max()!))
            }
            return Page.Row(classId: schoolClass.id, title: schoolClass.title, teacher: schoolClass.teachers ?? "—", recent: recent, term: days.count,
                            last: days.values.max().map(DisplayTime.date) ?? "Never", rare: recent < Self.rareBelow, standards: standards)
        }
        // Rarest first, so the classes that need attention lead.
        rows.sort { ($0.recent, $0.term, $0.title) < ($1.recent, $1.term, $1.title) }
        return try await req.view.render("assessments/frequency", Page(
            page: PageContext(request: req, title: "Assessment frequency: \(school.name)"), schoolId: schoolId, schoolName: school.name,
            termStart: DisplayTime.day(termStart), rareBelow: Self.rareBelow, rows: rows, rareCount: rows.filter(\.rare).count))
    }
}
