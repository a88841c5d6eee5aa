import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// How often each class is formatively assessed, per standard, so leaders see where assessment is too rare
/// (`AssessmentQueries.frequency`).
struct FrequencyController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("schools", ":schoolId", "assessment-frequency", use: frequency)
    }

    struct Page: Encodable {
        let page: PageContext
        let schoolId: String
        let schoolName: String
        let termStart: String
        let rareBelow: Int
        let rows: [AssessmentQueries.FrequencyRow]
        let rareCount: Int
        let cadenceWeeks: Int
        let priorityRows: [AssessmentQueries.PriorityRow]
        let behind: Int
        let common: [Common]
        struct Common: Encodable { let href: String; let title: String; let assessedOn: String; let gradeLabel: String; let given: Int; let classes: Int; let missing: String }
    }

    func frequency(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let schoolId = try req.parameters.require("schoolId")
        try req.require(viewer.policy.canViewRoster(ofSchool: schoolId))
        guard let school = try await RosterQueries(req.db).org(schoolId) else { throw LodestarError.notFound }
        let now = Int(Date().timeIntervalSince1970)
        let queries = AssessmentQueries(db: req.db)
        let (termStart, rows) = try await queries.frequency(atSchool: schoolId, now: now)
        let (cadence, priorityRows) = try await queries.priorityCadence(atSchool: schoolId, today: DisplayTime.isoDay(now))
        return try await req.view.render("assessments/frequency", Page(
            page: PageContext(request: req, title: "Assessment frequency: \(school.name)"), schoolId: schoolId, schoolName: school.name,
            termStart: DisplayTime.day(termStart), rareBelow: AssessmentQueries.rareBelow, rows: rows, rareCount: rows.filter(\.rare).count,
            cadenceWeeks: cadence.weeks, priorityRows: priorityRows, behind: priorityRows.filter { !$0.due.isEmpty }.count,
            common: try await queries.commonAssessments(atSchool: schoolId, since: DisplayTime.schoolYearStart(of: DisplayTime.isoDay(now))).map { common in
                .init(href: "/assessments/\(common.assessmentId)", title: common.title, assessedOn: common.assessedOn, gradeLabel: common.gradeLabel, given: common.given,
                      classes: common.classes.count, missing: common.missing.map { "\($0.title) (\($0.teacher))" }.joined(separator: "; "))
            }))
    }
}
