import LodestarCore
import Vapor

/// The roster upload page for district admins, and its report.
struct RosterImportController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "import", use: show)
        routes.upload("admin", "import", use: upload)
    }

    struct ImportPage: Encodable {
        struct Line: Encodable { let entity: String; let created: Int; let updated: Int; let unchanged: Int; let deleted: Int }
        let page: PageContext
        let fileName: String?
        let error: String?
        let lines: [Line]
        let warnings: [String]
        let changedNothing: Bool
        let metadataColumns: [String]
    }

    func show(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        return try await render(req, fileName: nil, error: nil, report: nil)
    }

    func upload(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        return try await req.withUpload(limit: 256, file: "bundle") { form in
            guard let bundle = form.file else {
                let response = try await render(req, fileName: nil, error: "Choose the .zip of your OneRoster export first.", report: nil).encodeResponse(for: req)
                response.status = .unprocessableEntity
                return response
            }
            do {
                let files = try OneRosterImport.readZip(at: bundle.url, name: bundle.name)
                let report = try await OneRosterImport.run(files: files, on: req.db)
                try await req.auditImport("roster", fileName: bundle.name, warnings: report.warnings.count)
                return try await render(req, fileName: bundle.name, error: nil, report: report).encodeResponse(for: req)
            } catch let error as LodestarError {
                try await req.auditImport("roster", fileName: bundle.name, refused: error)
                let response = try await render(req, fileName: bundle.name, error: error.description, report: nil).encodeResponse(for: req)
                response.status = .unprocessableEntity
                return response
            }
        }
    }

    private func render(_ req: Request, fileName: String?, error: String?, report: ImportReport?) async throws -> View {
        let lines = (report?.lines ?? []).map {
            ImportPage.Line(entity: $0.entity, created: $0.counts.created, updated: $0.counts.updated,
                            unchanged: $0.counts.unchanged, deleted: $0.counts.deleted)
        }
        return try await req.view.render("imports/import", ImportPage(
            page: PageContext(request: req, title: "Import a roster"), fileName: fileName, error: error, lines: lines,
            warnings: report?.warnings ?? [], changedNothing: report?.changedNothing ?? false,
            metadataColumns: ProgramFlags.metadataColumns.map(\.column)))
    }
}
