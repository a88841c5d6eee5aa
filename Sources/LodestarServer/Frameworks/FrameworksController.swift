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
        frameworks.upload("import", use: importFile)
        frameworks.get(":id", "export", use: export)
        frameworks.get(":id", "edit", use: edit)
        frameworks.on(.POST, ":id", "edit", body: .collect(maxSize: "2mb"), use: saveForm)
        frameworks.get(":id", "json", use: editJSON)
        frameworks.on(.POST, ":id", "json", body: .collect(maxSize: "2mb"), use: saveJSON)
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
            let used = try await WalkthroughQueries(db: req.db).visitCount(framework: record.id!)
            items.append(.init(id: record.id!, name: record.name, version: record.version, indicators: framework.indicators.count,
                               domains: framework.domains.count, isActive: record.isActive, created: DisplayTime.dateTime(record.createdAt),
                               walkthroughs: used))
        }
        return try await req.view.render("frameworks/list", ListPage(page: PageContext(request: req, title: "Frameworks"), items: items,
                                                                    error: error, notice: req.takeNotice()))
    }

    func importFile(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageFrameworks)
        return try await req.withUpload(limit: 2, file: "file") { form in
            guard let file = form.file else { return try await failed(req, "Choose a framework file (.json) first.") }
            do {
                let framework = try FrameworkJSON.decode(try file.bytes(), fileName: file.name)
                let record = try await FrameworkStore.save(framework, on: req.db)
                try await req.auditImport("framework", fileName: file.name, link: "/admin/frameworks")
                req.leaveNotice("Imported \(record.name), version \(record.version). New walkthroughs use it.")
                return req.redirect(to: "/admin/frameworks")
            } catch let error as LodestarError {
                try await req.auditImport("framework", fileName: file.name, refused: error, link: "/admin/frameworks")
                return try await failed(req, error.description)
            }
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
        guard let record = try await FrameworkRecord.find(try req.parameters.require("id"), on: req.db) else { throw LodestarError.notFound }
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
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageFrameworks)
        guard let record = try await FrameworkRecord.find(try req.parameters.require("id"), on: req.db) else { throw LodestarError.notFound }
        return try await req.view.render("frameworks/json", EditPage(page: PageContext(request: req, title: "Edit \(record.name)"), id: record.id!,
                                                                    name: record.name, version: record.version, definition: record.definition, error: nil))
    }

    struct EditForm: Content { var definition: String }

    func saveJSON(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageFrameworks)
        guard let record = try await FrameworkRecord.find(try req.parameters.require("id"), on: req.db) else { throw LodestarError.notFound }
        let definition = try req.content.decode(EditForm.self).definition
        do {
            let framework = try FrameworkJSON.decode(Array(definition.utf8), fileName: "the framework")
            guard framework.key == record.key else {
                throw LodestarError("the key must stay “\(record.key)”; import a file to add a different framework", at: FileLocation(file: "the framework", field: "framework.key"))
            }
            let saved = try await FrameworkStore.save(framework, on: req.db)
            req.leaveNotice("Saved \(saved.name) as version \(saved.version). Earlier walkthroughs keep the version they used.")
            return req.redirect(to: "/admin/frameworks")
        } catch let error as LodestarError {
            let response = try await req.view.render("frameworks/json", EditPage(
                page: PageContext(request: req, title: "Edit \(record.name)"), id: record.id!, name: record.name, version: record.version,
                definition: definition, error: error.description)).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }

    // MARK: The form editor

    struct FormPage: Encodable {
        struct IndicatorFields: Encodable {
            let prefix: String
            let key: String
            let shortName: String
            let description: String
            let lookFors: String
            let questions: String
            let isNew: Bool
        }
        struct DomainFields: Encodable {
            let prefix: String
            let key: String
            let name: String
            let isNew: Bool
            let indicators: [IndicatorFields]
        }
        let page: PageContext
        let id: String
        let name: String
        let description: String
        let version: Int
        let isRating: Bool
        let levels: String
        let domains: [DomainFields]
        let error: String?
    }

    /// The editor, with one blank indicator per domain and one blank domain for adding.
    private func renderForm(_ req: Request, record: FrameworkRecord, fields: [String: String], error: String?) async throws -> View {
        var domains: [FormPage.DomainFields] = []
        var d = 0
        func indicators(_ d: Int) -> [FormPage.IndicatorFields] {
            var result: [FormPage.IndicatorFields] = []
            var i = 0
            while fields["d\(d)_i\(i)_shortName"] != nil {
                let p = "d\(d)_i\(i)_"
                result.append(.init(prefix: "d\(d)_i\(i)", key: fields[p + "key"] ?? "", shortName: fields[p + "shortName"] ?? "",
                                    description: fields[p + "description"] ?? "", lookFors: fields[p + "lookFors"] ?? "",
                                    questions: fields[p + "questions"] ?? "", isNew: (fields[p + "key"] ?? "").isEmpty))
                i += 1
            }
            if result.last.map({ !$0.shortName.isEmpty }) ?? true {
                result.append(.init(prefix: "d\(d)_i\(i)", key: "", shortName: "", description: "", lookFors: "", questions: "", isNew: true))
            }
            return result
        }
        while fields["d\(d)_name"] != nil {
            domains.append(.init(prefix: "d\(d)", key: fields["d\(d)_key"] ?? "", name: fields["d\(d)_name"] ?? "",
                                 isNew: (fields["d\(d)_key"] ?? "").isEmpty, indicators: indicators(d)))
            d += 1
        }
        if domains.last.map({ !$0.name.isEmpty }) ?? true {
            domains.append(.init(prefix: "d\(d)", key: "", name: "", isNew: true, indicators: indicators(d)))
        }
        return try await req.view.render("frameworks/edit", FormPage(
            page: PageContext(request: req, title: "Edit \(record.name)"), id: record.id!, name: fields["name"] ?? "",
            description: fields["description"] ?? "", version: record.version, isRating: fields["scaleType"] == "rating",
            levels: fields["levels"] ?? "", domains: domains, error: error))
    }

    func edit(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageFrameworks)
        guard let record = try await FrameworkRecord.find(try req.parameters.require("id"), on: req.db) else { throw LodestarError.notFound }
        return try await renderForm(req, record: record, fields: FrameworkForm.fields(of: try record.framework()), error: nil)
    }

    func saveForm(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageFrameworks)
        guard let record = try await FrameworkRecord.find(try req.parameters.require("id"), on: req.db) else { throw LodestarError.notFound }
        var fields = try req.content.decode([String: String].self)
        fields["_csrf"] = nil
        let framework = FrameworkForm.framework(key: record.key, from: fields)
        do {
            try FrameworkJSON.validate(framework, fileName: "the framework")
            let saved = try await FrameworkStore.save(framework, on: req.db)
            req.leaveNotice("Saved \(saved.name) as version \(saved.version). Earlier walkthroughs keep the version they used.")
            return req.redirect(to: "/admin/frameworks")
        } catch let error as LodestarError {
            let response = try await renderForm(req, record: record, fields: fields, error: Self.plainMessage(error, framework: framework)).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }

    /// A validation error in the words of the form: "Student discourse: at least one reflective question is required".
    static func plainMessage(_ error: LodestarError, framework: Framework) -> String {
        guard let field = error.location?.field,
              let match = field.firstMatch(of: /framework\.domains\[(\d+)\](?:\.indicators\[(\d+)\])?/) else { return error.message }
        let domain = framework.domains[Int(match.1)!]
        if let i = match.2.flatMap({ Int($0) }) {
            let indicator = domain.indicators[i]
            return "\(indicator.shortName.isEmpty ? "A practice in \(domain.name)" : indicator.shortName): \(error.message)"
        }
        return "\(domain.name): \(error.message)"
    }

    func activate(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canManageFrameworks)
        guard let record = try await FrameworkRecord.find(try req.parameters.require("id"), on: req.db) else { throw LodestarError.notFound }
        try await req.db.writeTransaction { db in
            try await db.sql.update("frameworks").set("is_active", to: false).run()
            try await db.sql.update("frameworks").set("is_active", to: true).where("id", .equal, record.id!).run()
        }
        req.leaveNotice("New walkthroughs now use \(record.name), version \(record.version).")
        return req.redirect(to: "/admin/frameworks")
    }
}

extension String {
    /// Percent-encoded for a query string value.
    var urlQueryEncoded: String {
        addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? ""
    }
}
