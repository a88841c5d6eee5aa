import Foundation
import LodestarCore
import Vapor

/// The roster upload page for district admins, and its report.
struct RosterImportController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "import", use: show)
        routes.upload("admin", "import", use: upload)
        routes.get("admin", "import", "jobs", ":rosterJobId", use: job)
    }

    struct ImportPage: Encodable {
        let page: PageContext
        let error: String?
        let report: Report?
        let metadataColumns: [String]

        /// What an import changed, table by table, and what is worth a look (`imports/report`).
        struct Report: Encodable {
            struct Line: Encodable { let entity: String; let created: Int; let updated: Int; let unchanged: Int; let deleted: Int }
            let fileName: String
            let lines: [Line]
            let warnings: [String]
            let changedNothing: Bool

            init(_ report: ImportReport, fileName: String) {
                self.fileName = fileName
                lines = report.lines.map {
                    Line(entity: $0.entity, created: $0.counts.created, updated: $0.counts.updated, unchanged: $0.counts.unchanged, deleted: $0.counts.deleted)
                }
                warnings = report.warnings
                changedNothing = report.changedNothing
            }
        }
    }

    func show(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        return try await render(req, fileName: nil, error: nil, report: nil)
    }

    /// Reads the export sent, then imports it on its own (`ImportJobs`): one imported within a moment is reported
    /// on this page as before; a longer one sends the admin to the import's own page, and when it ends, they are told
    /// in a notification whether it was imported or refused.
    func upload(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        let jobs = req.application.importJobs, id = ImportJobs.newId(), jobPath = "/admin/import/jobs/\(id)"
        var error: String?, fileName: String?
        try await req.withUpload(limit: 256, file: "bundle") { form in
            guard let bundle = form.file else {
                error = "Choose the .zip of your OneRoster export first."
                return
            }
            fileName = bundle.name
            // The zip is read here, before its temporary copy is removed; the import runs on its own.
            let files: [String: [UInt8]]
            do {
                files = try OneRosterImport.readZip(at: bundle.url, name: bundle.name)
            } catch let failure as LodestarError {
                try await req.auditImport("roster", fileName: bundle.name, refused: failure)
                error = failure.description
                return
            }
            try await jobs.startFromPage(req, id: id, what: "roster", fileName: bundle.name, link: jobPath, by: viewer, progress: ImportProgress(kind: "roster")) { db in
                let report = try await OneRosterImport.run(files: files, on: db)
                return (ImportJobs.Imported(summary: report.summary, detail: String(decoding: try JSONEncoder().encode(report), as: UTF8.self)), report.warnings.count)
            }
        }
        if error == nil {
            switch await jobs.outcome(of: id) {
            case nil: return req.redirect(to: jobPath, redirectType: .normal)
            case .imported(_, let detail): return try await render(req, fileName: fileName, error: nil, report: ImportReport(json: detail)).encodeResponse(for: req)
            case .refused(let reason): error = reason
            }
        }
        let response = try await render(req, fileName: fileName, error: error, report: nil).encodeResponse(for: req)
        response.status = .unprocessableEntity
        return response
    }

    /// A roster import's own page, for the admin who sent the export: its progress while it runs, then its report.
    func job(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        guard let job = try await req.application.importJobs.status(try req.parameters.require("rosterJobId"), kind: ["roster"], for: viewer.id, on: req.db) else {
            throw LodestarError.notFound
        }
        var report: ImportReport?
        if case .imported(_, let detail) = job.outcome { report = ImportReport(json: detail) }
        let page = ImportJobPage(request: req, job: job, again: "/admin/import")
        return try await req.view.render("imports/import-job", RosterJobPage(page: page.page, job: page.job, report: report.map { ImportPage.Report($0, fileName: job.fileName) }))
    }

    struct RosterJobPage: Encodable {
        let page: PageContext
        let job: ImportJobView
        let report: ImportPage.Report?
    }

    private func render(_ req: Request, fileName: String?, error: String?, report: ImportReport?) async throws -> View {
        try await req.view.render("imports/import", ImportPage(
            page: PageContext(request: req, title: "Import a roster"), error: error,
            report: report.flatMap { report in fileName.map { ImportPage.Report(report, fileName: $0) } },
            metadataColumns: ProgramFlags.metadataColumns.map(\.column)))
    }
}

extension ImportReport {
    /// The line the import's page and its notification lead with: `Imported the roster: 1,204 records created, …`.
    var summary: String {
        let total = lines.reduce(into: SyncCounts()) { $0.add($1.counts) }
        var parts = ["\(total.created.grouped) records created", "\(total.updated.grouped) updated", "\(total.unchanged.grouped) unchanged", "\(total.deleted.grouped) deleted"]
        if !warnings.isEmpty { parts.append(warnings.count == 1 ? "1 warning" : "\(warnings.count.grouped) warnings") }
        return "Imported the roster: " + parts.joined(separator: ", ") + "."
    }

    /// The report an import's job kept (`ImportJobs.Imported.detail`), if it kept one.
    init?(json: String?) {
        guard let json, let report = try? JSONDecoder().decode(ImportReport.self, from: Data(json.utf8)) else { return nil }
        self = report
    }
}
