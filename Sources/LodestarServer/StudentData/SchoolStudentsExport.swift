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
        let students = try await RosterQueries(req.db).students(ofSchool: schoolId)
        let timelines = Dictionary(grouping: try await InsightsQueries(db: req.db).timelines(ofStudents: students.map { $0.id! }, standards: nil), by: \.student)
        let codes = Dictionary(uniqueKeysWithValues: try await StandardsQueries(db: req.db).standards(ids: Set(timelines.values.joined().map(\.standard)))
            .map { ($0.id!, $0.code) })
        for student in students {
            // A student with no standing yet still has a row, its standard left empty.
            let standings = (timelines[student.id!] ?? []).map { (code: codes[$0.standard] ?? "", latest: $0.entries.last) }.sorted { $0.code < $1.code }
            for standing in standings.isEmpty ? [(code: "", latest: nil)] : standings {
                let text = switch standing.latest?.standing {
                case .atOrAbove: "at or above mastery"
                case .below: "below mastery"
                case .notYet: "not yet"
                case nil: ""
                }
                csv.append([student.id!, student.identifier, student.familyName, student.givenName, student.grade, standing.code, text, standing.latest?.month ?? ""])
            }
        }
        return .csv(csv, named: "students-\(schoolId).csv")
    }
}
