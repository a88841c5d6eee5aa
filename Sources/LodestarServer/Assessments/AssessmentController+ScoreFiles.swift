import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

extension AssessmentController {
    // MARK: Score files

    struct ImportPage: Encodable {
        let page: PageContext
        let columns: String
        let notice: String?
        let error: String?
    }

    func importPage(req: Request) async throws -> View {
        _ = try await req.viewer()
        return try await req.view.render("assessments/import", ImportPage(page: PageContext(request: req, title: "Import scores"),
                                                                          columns: ScoreFile.columns.joined(separator: ","), notice: nil, error: nil))
    }

    /// Reads the file sent, then imports it on its own (`ImportJobs`): a file imported within a moment is answered
    /// on this page as before; a longer one sends the person to the import's own page, and when it ends, they are
    /// told in a notification whether it was imported or refused.
    func importScores(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let jobs = req.application.importJobs, id = ImportJobs.newId(), jobPath = "/assessments/import/jobs/\(id)"
        var error: String?
        try await req.withUpload(limit: 100, file: "file") { form in
            guard let file = form.file else {
                error = "Choose a score file (.csv) or a OneRoster gradebook export (.zip) first."
                return
            }
            // The file is read here, before its temporary copy is removed; the import runs on its own.
            let name = file.name, isZip = name.lowercased().hasSuffix(".zip")
            let zipFiles: [String: [UInt8]], bytes: [UInt8]
            do {
                zipFiles = isZip ? try OneRosterImport.readZip(at: file.url, name: name) : [:]
                bytes = isZip ? [] : try file.bytes()
            } catch let failure as LodestarError {
                try await req.auditImport("scores", fileName: name, refused: failure)
                error = failure.description
                return
            }
            let progress = ImportProgress(kind: isZip ? "results" : "scores")
            try await jobs.startFromPage(req, id: id, what: "scores", fileName: name, link: jobPath, by: viewer, progress: progress) { db in
                let report = isZip ? try await ScoreImport.runOneRoster(zipFiles.mapValues(CSVSource.bytes), importer: viewer, progress: progress, on: db)
                    : try await ScoreImport.run(bytes, fileName: name, importer: viewer, progress: progress, on: db)
                return (ImportJobs.Imported(summary: report.summary), 0)
            }
        }
        if error == nil {
            switch await jobs.outcome(of: id) {
            case nil: return req.redirect(to: jobPath, redirectType: .normal)
            case .imported(let line, _): return try await importResult(req, notice: line, error: nil)
            case .refused(let reason): error = reason
            }
        }
        return try await importResult(req, notice: nil, error: error)
    }

    private func importResult(_ req: Request, notice: String?, error: String?) async throws -> Response {
        let response = try await req.view.render("assessments/import", ImportPage(
            page: PageContext(request: req, title: "Import scores"), columns: ScoreFile.columns.joined(separator: ","),
            notice: notice, error: error)).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    /// An import's own page, for the person who sent the file.
    func importJob(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        guard let job = try await req.application.importJobs.status(try req.parameters.require("jobId"), kind: ["scores", "results"], for: viewer.id, on: req.db) else {
            throw LodestarError.notFound
        }
        return try await req.view.render("assessments/import-job", ImportJobPage(request: req, job: job, again: "/assessments/import"))
    }
}
