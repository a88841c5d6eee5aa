import Fluent
import Foundation
import LodestarCore
import Vapor

/// Frameworks for district admins: see versions, export, import, edit (each edit is a new version),
/// choose the one new walkthroughs use.
struct FrameworksController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let frameworks = routes.grouped("admin", "frameworks")
        frameworks.get(use: list)
        frameworks.on(.POST, "import", body: .collect(maxSize: "2mb"), use: importFile)
        frameworks.get(":id", "export", use: export)
        frameworks.get(":id", "edit", use: edit)
        frameworks.on(.POST, ":id", "edit", body: .collect(maxSize: "2mb"), use: saveEdit)
        frameworks.post(":id", "activate", use: activate)
    }

    struct ListPage: Encodable {
        struct Item: Encodable {
            let id: String
            let name: String
            let version: Int
            let indicators: Int
            let domains: Int
            let isActive: Bool
            let created: String
            let walkthroughs: Int
        }
        let page: PageContext
        let items: [Item]
        let error: String?
        let notice: String?
    }

    func list(req: Request) async throws -> View {
        try await render(req, error: nil)
    }

    private func render(_ req: Request, error: String?) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageFrameworks)
        _ = try await FrameworkStore.active(on: req.db)
        let records = try await FrameworkRecord.query(on: req.db).sort(\.$key).sort(\.$version, .descending).all()
        var items: [ListPage.Item] = []
        for record in records {
            let framework = try record.framework()
            let used = try await Walkthrough.query(on: req.db).filter(\.$frameworkId == record.id!).count()
            items.append(.init(id: record.id!, name: record.name, version: record.version, indicators: framework.indicators.count,
                               domains: framework.domains.count, isActive: record.isActive, created: DisplayTime.dateTime(record.createdAt),
                               walkthroughs: used))
        }
        return try await req.view.render("frameworks/list", ListPage(page: PageContext(request: req, title: "Frameworks"), items: items,
                                                                    error: error, notice: req.query[String.self, at: "notice"]))
    }

    struct ImportForm: Content { var file: File }

    func importFile(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageFrameworks)
        guard let form = try? req.content.decode(ImportForm.self), form.file.data.readableBytes > 0 else {
            return try await failed(req, "Choose a framework file (.json) first.")
        }
        do {
            let framework = try FrameworkJSON.decode(Array(buffer: form.file.data), fileName: form.file.filename)
            let record = try await FrameworkStore.save(framework, on: req.db)
            return req.redirect(to: "/admin/frameworks?notice=" + "Imported \(record.name), version \(record.version). New walkthroughs use it.".urlQueryEncoded)
        } catch let error as LodestarError {
            return try await failed(req, error.description)
        }
    }

    private func failed(_ req: Request, _ message: String) async throws -> Response {
        let response = try await render(req, error: message).encodeResponse(for: req)
        response.status = .unprocessableEntity
        return response
    }

    func export(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageFrameworks)
        guard let record = try await FrameworkRecord.find(try req.parameters.require("id"), on: req.db) else { throw Abort(.notFound) }
        let response = Response(status: .ok, body: .init(string: record.definition))
        response.headers.contentType = .json
        response.headers.contentDisposition = .init(.attachment, filename: "\(record.key)-v\(record.version).json")
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

    func edit(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageFrameworks)
        guard let record = try await FrameworkRecord.find(try req.parameters.require("id"), on: req.db) else { throw Abort(.notFound) }
        return try await req.view.render("frameworks/edit", EditPage(page: PageContext(request: req, title: "Edit \(record.name)"), id: record.id!,
                                                                    name: record.name, version: record.version, definition: record.definition, error: nil))
    }

    struct EditForm: Content { var definition: String }

    func saveEdit(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageFrameworks)
        guard let record = try await FrameworkRecord.find(try req.parameters.require("id"), on: req.db) else { throw Abort(.notFound) }
        let definition = try req.content.decode(EditForm.self).definition
        do {
            let framework = try FrameworkJSON.decode(Array(definition.utf8), fileName: "the framework")
            guard framework.key == record.key else {
                throw LodestarError("the key must stay “\(record.key)”; import a file to add a different framework", at: FileLocation(file: "the framework", field: "framework.key"))
            }
            let saved = try await FrameworkStore.save(framework, on: req.db)
            return req.redirect(to: "/admin/frameworks?notice=" + "Saved \(saved.name) as version \(saved.version). Earlier walkthroughs keep the version they used.".urlQueryEncoded)
        } catch let error as LodestarError {
            let response = try await req.view.render("frameworks/edit", EditPage(
                page: PageContext(request: req, title: "Edit \(record.name)"), id: record.id!, name: record.name, version: record.version,
                definition: definition, error: error.description)).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }

    func activate(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageFrameworks)
        guard let record = try await FrameworkRecord.find(try req.parameters.require("id"), on: req.db) else { throw Abort(.notFound) }
        try await req.db.writeTransaction { db in
            try await db.sql.update("frameworks").set("is_active", to: false).run()
            try await db.sql.update("frameworks").set("is_active", to: true).where("id", .equal, record.id!).run()
        }
        return req.redirect(to: "/admin/frameworks?notice=" + "New walkthroughs now use \(record.name), version \(record.version).".urlQueryEncoded)
    }
}

extension String {
    /// Percent-encoded for a query string value.
    var urlQueryEncoded: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}
