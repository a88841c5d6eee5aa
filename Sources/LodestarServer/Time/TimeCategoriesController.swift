import Fluent
import Foundation
import LodestarCore
import Vapor

/// The district's list of time categories: names, instructional or management, and the keywords that
/// sort calendar events. District admins and leaders edit it.
struct TimeCategoriesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("time", "categories", use: show)
        routes.post("time", "categories", use: save)
        routes.post("time", "categories", "new", use: add)
    }

    struct Page: Encodable {
        struct Row: Encodable { let key: String; let name: String; let instructional: Bool; let keywords: String; let entries: Int }
        let page: PageContext
        let rows: [Row]
        let notice: String?
    }

    func show(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canEditTimeCategories)
        let records = try await TimeCategoryRecord.query(on: req.db).sort(\.$position).all()
        var rows: [Page.Row] = []
        for record in records {
            rows.append(.init(key: record.id!, name: record.name, instructional: record.instructional, keywords: record.keywords,
                              entries: try await TimeEntry.query(on: req.db).filter(\.$category == record.id!).count()))
        }
        return try await req.view.render("time/categories", Page(page: PageContext(request: req, title: "Time categories"), rows: rows,
                                                                 notice: req.takeNotice()))
    }

    /// Every category's name, kind and keywords, posted together as `name_<key>`, `instructional_<key>`, `keywords_<key>`.
    func save(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canEditTimeCategories)
        let fields = try req.content.decode([String: String].self)
        let records = try await TimeCategoryRecord.query(on: req.db).all()
        for record in records {
            let key = record.id!
            guard let name = fields["name_\(key)"]?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
                throw LodestarError("Every category needs a name.")
            }
            record.name = String(name.prefix(80))
            record.instructional = fields["kind_\(key)"] == "instructional"
            record.keywords = (fields["keywords_\(key)"] ?? "").split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }.joined(separator: "\n")
        }
        try await req.db.writeTransaction { db in for record in records { try await record.save(on: db) } }
        req.leaveNotice("Saved.")
        return req.redirect(to: "/time/categories")
    }

    struct NewForm: Content { var name: String; var kind: String }

    func add(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canEditTimeCategories)
        let form = try req.content.decode(NewForm.self)
        let name = form.name.trimmingCharacters(in: .whitespaces)
        let key = TimeCategory.normalize(name).replacingOccurrences(of: " ", with: "-")
        guard !key.isEmpty else { throw LodestarError("Give the new category a name.") }
        guard try await TimeCategoryRecord.find(key, on: req.db) == nil else { throw LodestarError("There is already a category called “\(name)”.") }
        let record = TimeCategoryRecord()
        record.id = key
        record.name = String(name.prefix(80))
        record.instructional = form.kind == "instructional"
        record.keywords = ""
        record.position = (try await TimeCategoryRecord.query(on: req.db).max(\.$position) ?? 0) + 1
        try await req.db.writeTransaction { db in try await record.create(on: db) }
        req.leaveNotice("Added.")
        return req.redirect(to: "/time/categories")
    }
}
