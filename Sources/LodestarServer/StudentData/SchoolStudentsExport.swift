import Fluent
import LodestarCore
import SQLKit
import Vapor

/// `/schools/:schoolId/students.csv`: a school's students with their latest standing on each standard —
/// the one bulk student-level export. District roles only, one school at a time, counted against the
/// daily export limit and listed for district admins.
struct SchoolStudentsExport: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("schools", ":schoolId", "students.csv", use: export)
    }

    func export(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canExportSchoolStudents)
        let schoolId = try req.parameters.require("schoolId")
        guard try await Org.isSchool(schoolId, on: req.db) else { throw LodestarError.notFound }
        try await req.takeStudentExport("students-\(schoolId).csv")
        var csv = CSVWriter(header: ["student_id", "identifier", "family_name", "given_name", "grade", "standard", "standing", "as_of_month"])
        let rows = try await req.db.sql.raw("""
            SELECT s.id, s.identifier, s.family_name, s.given_name, s.grade, st.code, p.timeline FROM students s
            LEFT JOIN mastery_pairs p ON p.student_id = s.id LEFT JOIN standards st ON st.id = p.standard_id
            WHERE s.school_id = \(bind: schoolId) ORDER BY s.family_name, s.given_name, s.id, st.code
            """).all()
        for row in rows {
            let latest = MasteryTimeline.decode(try row.decode(column: "timeline", as: String?.self) ?? "").last
            let standing = switch latest?.standing {
            case .atOrAbove: "at or above mastery"
            case .below: "below mastery"
            case .notYet: "not yet"
            case nil: ""
            }
            csv.append([try row.decode(column: "id", as: String.self), try row.decode(column: "identifier", as: String.self),
                        try row.decode(column: "family_name", as: String.self), try row.decode(column: "given_name", as: String.self),
                        try row.decode(column: "grade", as: String.self), try row.decode(column: "code", as: String?.self) ?? "",
                        standing, latest?.month ?? ""])
        }
        return .csv(csv, named: "students-\(schoolId).csv")
    }
}
