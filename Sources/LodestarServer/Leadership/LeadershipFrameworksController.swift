import Fluent
import Foundation
import LodestarCore
import Vapor

/// The leadership framework for district admins: versions, export, import, edit as JSON (each edit a new version),
/// and the version new self-assessments start on.
struct LeadershipFrameworksController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let frameworks = routes.grouped("admin", "leadership-frameworks")
        frameworks.get(use: list)
        frameworks.upload("import", use: importFile)
        frameworks.get(":versionId", "export", use: export)
        frameworks.get(":versionId", "json", use: editJSON)
        frameworks.on(.POST, ":versionId", "json", body: .collect(maxSize: "2mb"), use: saveJSON)
        frameworks.post(":versionId", "activate", use: activate)
    }

    struct ListPage: Encodable {
        struct Item: Encodable {
            let id: String; let name: String; let version: Int; let dimensions: Int; let indicators: Int; let bound: Int
            let isActive: Bool; let created: String; let uses: Int
        }
        let page: PageContext
        let items: [Item]
        let measures: [String]
        let error: String?
        let notice: String?
    }

    func list(req: Request) async throws -> Response {
        try await render(req, error: nil)
    }

    private func render(_ req: Request, error: String?) async throws -> Response {
        try req.require(try await req.viewer().policy.canManageLeadershipFrameworks)
        let queries = LeadershipQueries(db: req.db)
        let uses = try await queries.uses()
        let items = try await queries.frameworkVersions().map { record in
            let framework = try record.framework()
            return ListPage.Item(id: record.id!, name: record.name, version: record.version, dimensions: framework.dimensions.count,
                                 indicators: framework.indicators.count, bound: framework.indicators.filter { !$0.measures.isEmpty }.count,
                                 isActive: record.isActive, created: DisplayTime.dateTime(record.createdAt), uses: uses[record.id!] ?? 0)
        }
        let response = try await req.view.render("leadership/frameworks", ListPage(
            page: PageContext(request: req, title: "Leadership frameworks"), items: items,
            measures: LeadershipMeasure.allCases.map { "\($0.rawValue): \($0.title)" }, error: error, notice: req.takeNotice())).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }

    func importFile(req: Request) async throws -> Response {
        try req.require(try await req.viewer().policy.canManageLeadershipFrameworks)
        return try await req.withUpload(limit: 2, file: "file") { form in
            guard let file = form.file else { return try await render(req, error: "Choose a leadership framework file (.json) first.") }
            do {
                let framework = try LeadershipFrameworkJSON.decode(try file.bytes(), fileName: file.name)
                let record = try await LeadershipQueries(db: req.db).save(framework)
                try await req.auditImport("leadership framework", fileName: file.name, link: "/admin/leadership-frameworks")
                req.leaveNotice("Imported \(record.name), version \(record.version). New self-assessments start on it.")
                return req.redirect(to: "/admin/leadership-frameworks")
            } catch let error as LodestarError {
                try await req.auditImport("leadership framework", fileName: file.name, refused: error, link: "/admin/leadership-frameworks")
                return try await render(req, error: error.description)
            }
        }
    }

    private func record(_ req: Request) async throws -> LeadershipFrameworkRecord {
        try req.require(try await req.viewer().policy.canManageLeadershipFrameworks)
        guard let record = try await LeadershipQueries(db: req.db).frameworkVersion(try req.parameters.require("versionId")) else { throw LodestarError.notFound }
        return record
    }

    func export(req: Request) async throws -> Response {
        let record = try await record(req)
        let response = Response(status: .ok, body: .init(string: record.definition))
        response.headers.contentType = .json
        response.headers.setDownload(named: "\(record.key)-v\(record.version).json")
        return response
    }

    struct EditPage: Encodable {
        let page: PageContext
        let id: String
        let name: String
        let version: Int
        let definition: String
        let error: String?
    }

    func editJSON(req: Request) async throws -> View {
        let record = try await record(req)
        return try await req.view.render("leadership/framework-json", EditPage(page: PageContext(request: req, title: "Edit \(record.name)"), id: record.id!,
                                                                             name: record.name, version: record.version, definition: record.definition, error: nil))
    }

    struct EditForm: Content { var definition: String }

    func saveJSON(req: Request) async throws -> Response {
        let record = try await record(req)
        let definition = try req.content.decode(EditForm.self).definition
        do {
            let framework = try LeadershipFrameworkJSON.decode(Array(definition.utf8), fileName: "the framework")
            guard framework.key == record.key else {
                throw LodestarError("the key must stay “\(record.key)”; import a file to add a different framework", at: FileLocation(file: "the framework", field: "framework.key"))
            }
            let saved = try await LeadershipQueries(db: req.db).save(framework)
            req.leaveNotice("Saved \(saved.name) as version \(saved.version). Self-assessments already started keep the version they began on.")
            return req.redirect(to: "/admin/leadership-frameworks")
        } catch let error as LodestarError {
            let response = try await req.view.render("leadership/framework-json", EditPage(
                page: PageContext(request: req, title: "Edit \(record.name)"), id: record.id!, name: record.name, version: record.version,
                definition: definition, error: error.description)).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }

    func activate(req: Request) async throws -> Response {
        let record = try await record(req)
        try await req.db.writeTransaction { db in try await LeadershipQueries(db: db).activate(record.id!, on: db) }
        req.leaveNotice("New self-assessments now start on \(record.name), version \(record.version).")
        return req.redirect(to: "/admin/leadership-frameworks")
    }
}
