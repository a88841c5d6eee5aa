import Fluent
import Foundation
import LodestarCore
import Vapor

/// Proficiency scales for district admins: the four-level default and the district's own.
struct ScalesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("admin", "scales", use: list)
        routes.post("admin", "scales", use: create)
    }

    struct Page: Encodable {
        struct Item: Encodable { let name: String; let levels: String; let mastery: String; let cuts: String }
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
        try req.require(viewer.policy.canAdministerDistrict)
        _ = try await MasteryStore.scale(MasteryStore.defaultScaleId, on: req.db)
        let items = try await ScaleRecord.query(on: req.db).sort(\.$name).all().map { record in
            let scale = try record.scale()
            return Page.Item(name: scale.name, levels: scale.levels.map { "\(ScaleValue.text($0.value)) \($0.name)" }.joined(separator: " · "),
                             mastery: ScaleValue.text(scale.masteryValue),
                             cuts: scale.cutPercentages.map { ScaleValue.text($0) + "%" }.joined(separator: ", "))
        }
        return try await req.view.render("assessments/scales", Page(page: PageContext(request: req, title: "Proficiency scales"), items: items,
                                                                    error: error, notice: req.takeNotice()))
    }

    struct Form: Content {
        var name: String
        var levels: String
        var masteryValue: String
        var cuts: String
    }

    func create(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        let form = try req.content.decode(Form.self)
        do {
            let scale = try ProficiencyScale(formName: form.name, levels: form.levels, masteryValue: form.masteryValue, cuts: form.cuts)
            let record = ScaleRecord()
            record.id = UUID().uuidString.lowercased()
            record.name = scale.name
            record.definition = String(decoding: try JSONEncoder().encode(scale), as: UTF8.self)
            try await req.db.writeTransaction { db in try await record.create(on: db) }
            req.leaveNotice("Added \(scale.name). Teachers can choose it for new assessments.")
            return req.redirect(to: "/admin/scales")
        } catch let error as LodestarError {
            let response = try await render(req, error: error.message).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }
}
