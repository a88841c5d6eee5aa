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

    func importScores(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        var notice: String?, error: String?
        try await req.withUpload(limit: 100, file: "file") { form in
            guard let file = form.file else {
                error = "Choose a score file (.csv) or a OneRoster gradebook export (.zip) first."
                return
            }
            do {
                let report = file.name.lowercased().hasSuffix(".zip")
                    ? try await ScoreImport.runOneRoster(try OneRosterImport.readZip(at: file.url, name: file.name), importer: viewer, on: req.db)
                    : try await ScoreImport.run(try file.bytes(), fileName: file.name, importer: viewer, on: req.db)
                try await req.auditImport("scores", fileName: file.name)
                let c = report.scores
                notice = "Imported \(report.assessments) assessments: \(c.created) new scores, \(c.updated) changed, \(c.unchanged) unchanged."
            } catch let failure as LodestarError {
                try await req.auditImport("scores", fileName: file.name, refused: failure)
                error = failure.description
            }
        }
        let response = try await req.view.render("assessments/import", ImportPage(
            page: PageContext(request: req, title: "Import scores"), columns: ScoreFile.columns.joined(separator: ","),
            notice: notice, error: error)).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }
}
