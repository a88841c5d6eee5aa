import Fluent
import Foundation
import LodestarCore
import Vapor

/// A student's data rights, for district admins: `/students/:id/records` shows what Lodestar holds,
/// downloads it all as a bundle (a student-level export) and deletes the student on the district's request.
struct StudentRecordsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("students", ":studentId", "records", use: show)
        routes.get("students", ":studentId", "records.zip", use: bundle)
        routes.post("students", ":studentId", "delete", use: delete)
    }

    struct Page: Encodable {
        struct Count: Encodable { let part: String; let rows: Int }
        let page: PageContext
        let studentId: String
        let name: String
        let counts: [Count]
        let error: String?
    }

    private func student(_ req: Request) async throws -> Student {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageStudentRecords)
        guard let student = try await RosterQueries(req.db).student(try req.parameters.require("studentId")) else { throw LodestarError.notFound }
        return student
    }

    func show(req: Request) async throws -> View {
        try await render(req, try await student(req), error: nil)
    }

    private func render(_ req: Request, _ student: Student, error: String?) async throws -> View {
        try await req.audit("viewed student records", subject: student.id!)
        let parts = try await StudentRecords.parts(of: student.id!, on: req.db)
        return try await req.view.render("people/student-records", Page(
            page: PageContext(request: req, title: "Records of \(student.displayName)"), studentId: student.id!, name: student.displayName,
            counts: parts.map { Page.Count(part: $0.label, rows: $0.rows.count) }, error: error))
    }

    func bundle(req: Request) async throws -> Response {
        let student = try await student(req)
        try await req.takeStudentExport("records of one student", subject: student.id!)
        let data = try StudentRecords.bundle(try await StudentRecords.parts(of: student.id!, on: req.db), studentId: student.id!)
        var headers = HTTPHeaders()
        headers.contentType = .zip
        headers.setDownload(named: "student-\(student.id!).zip")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    struct DeleteForm: Content {
        var confirm: String
        var reference: String
    }

    func delete(req: Request) async throws -> Response {
        let student = try await student(req)
        let form = try req.content.decode(DeleteForm.self)
        let reference = form.reference.trimmingCharacters(in: .whitespacesAndNewlines)
        let refusal: String? = if form.confirm.trimmingCharacters(in: .whitespaces) != student.id! {
            "Type the student's id, \(student.id!), to confirm."
        } else if reference.isEmpty {
            "Give the district's reference for the request (not the student's name)."
        } else {
            nil
        }
        if let refusal {
            let page = try await render(req, student, error: refusal).encodeResponse(for: req)
            page.status = .unprocessableEntity
            return page
        }
        try await req.db.writeTransaction { db in try await StudentRecords.delete(student.id!, on: db) }
        try await req.audit("deleted a student's records at the district's request: \(reference)", subject: AuditTrail.redactedSubject)
        req.leaveNotice("The student's records are deleted, and the dashboards no longer count them.")
        return req.redirect(to: "/admin")
    }
}
