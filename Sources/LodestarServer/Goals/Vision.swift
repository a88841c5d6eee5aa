import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// One version of a vision: the district's (`scope == "district"`) or a school's. Every edit is a new
/// version, so the history of a shared vision is kept.
final class VisionVersion: Model, @unchecked Sendable {
    static let schema = "visions"
    @ID(custom: "id", generatedBy: .user) var id: String?
    /// "district" or a school's sourcedId.
    @Field(key: "scope") var scope: String
    @Field(key: "version") var version: Int
    @Field(key: "vision") var vision: String
    @Field(key: "mission") var mission: String
    /// Action statements, one per line: "Students will …", "Teachers will …", and so on.
    @Field(key: "students") var students: String
    @Field(key: "teachers") var teachers: String
    @Field(key: "leaders") var leaders: String
    @Field(key: "staff") var staff: String
    @Field(key: "edited_by") var editedBy: String
    @Field(key: "edited_at") var editedAt: Int
    init() {}
}

/// Vision, mission and action statements for the district and each school.
struct VisionController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("vision", use: index)
        routes.get("vision", ":scope", use: show)
        routes.get("vision", ":scope", "edit", use: edit)
        routes.post("vision", ":scope", use: save)
        routes.get("vision", ":scope", "history", use: history)
    }

    struct Statements: Encodable {
        let vision: String
        let mission: String
        let groups: [Group]
        let editedBy: String
        let editedAt: String
        let version: Int
        struct Group: Encodable { let label: String; let lines: [String] }
    }

    private func statements(_ version: VisionVersion, on db: any Database) async throws -> Statements {
        let editor = try await StaffDirectory(db: db).person(version.editedBy)
        let lines = { (text: String) in text.split(whereSeparator: \.isNewline).map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        return Statements(vision: version.vision, mission: version.mission,
                          groups: [("Students", version.students), ("Teachers", version.teachers), ("Leaders", version.leaders), ("Staff", version.staff)]
                            .map { Statements.Group(label: $0.0, lines: lines($0.1)) }.filter { !$0.lines.isEmpty },
                          editedBy: editor?.displayName ?? "Former staff member", editedAt: DisplayTime.dateTime(version.editedAt), version: version.version)
    }

    private func current(_ scope: String, on db: any Database) async throws -> VisionVersion? {
        try await VisionVersion.query(on: db).filter(\.$scope == scope).sort(\.$version, .descending).first()
    }

    func index(req: Request) async throws -> Response {
        try await PlanScope.index(req, section: "vision", title: "Vision", template: "goals/vision-index")
    }

    struct ShowPage: Encodable {
        let page: PageContext
        let scope: String
        let name: String
        let current: Statements?
        let district: Statements?
        let canEdit: Bool
    }

    func show(req: Request) async throws -> View {
        let scope = try await PlanScope.load(req)
        let latest = try await current(scope.id, on: req.db)
        let district = scope.schoolId == nil ? nil : try await current("district", on: req.db)
        return try await req.view.render("goals/vision", ShowPage(
            page: PageContext(request: req, title: "Vision: \(scope.name)"), scope: scope.id, name: scope.name,
            current: try await latest.asyncMap { try await statements($0, on: req.db) },
            district: try await district.asyncMap { try await statements($0, on: req.db) },
            canEdit: scope.canEdit))
    }

    struct EditPage: Encodable {
        let page: PageContext
        let scope: String
        let name: String
        let form: VisionForm
        let error: String?
    }

    struct VisionForm: Content {
        var vision: String
        var mission: String
        var students: String
        var teachers: String
        var leaders: String
        var staff: String
    }

    func edit(req: Request) async throws -> View {
        let scope = try await PlanScope.load(req)
        try scope.requireEdit(req)
        let version = try await current(scope.id, on: req.db)
        let form = VisionForm(vision: version?.vision ?? "", mission: version?.mission ?? "",
                              students: version?.students ?? "Students will ", teachers: version?.teachers ?? "Teachers will ",
                              leaders: version?.leaders ?? "Leaders will ", staff: version?.staff ?? "Staff will ")
        return try await req.view.render("goals/vision-edit", EditPage(page: PageContext(request: req, title: "Edit vision"), scope: scope.id,
                                                                       name: scope.name, form: form, error: nil))
    }

    func save(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let planScope = try await PlanScope.load(req)
        try planScope.requireEdit(req)
        let (scope, name) = (planScope.id, planScope.name)
        let form = try req.content.decode(VisionForm.self)
        let clean: @Sendable (String) -> String = { String($0.trimmingCharacters(in: .whitespacesAndNewlines).prefix(8_000)) }
        guard !clean(form.vision).isEmpty, !clean(form.mission).isEmpty else {
            let response = try await req.view.render("goals/vision-edit", EditPage(page: PageContext(request: req, title: "Edit vision"), scope: scope,
                                                                                   name: name, form: form, error: "Write both the vision and the mission.")).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        try await req.db.writeTransaction { db in
            let latest = try await VisionVersion.query(on: db).filter(\.$scope == scope).sort(\.$version, .descending).first()
            let version = VisionVersion()
            version.version = (latest?.version ?? 0) + 1
            version.id = "\(scope)|\(version.version)"
            version.scope = scope
            version.vision = clean(form.vision)
            version.mission = clean(form.mission)
            // A statement left at its prompt ("Students will") is empty.
            let statement: @Sendable (String) -> String = { text in text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasSuffix(" will") }.joined(separator: "\n") }
            version.students = statement(form.students)
            version.teachers = statement(form.teachers)
            version.leaders = statement(form.leaders)
            version.staff = statement(form.staff)
            version.editedBy = viewer.id
            version.editedAt = Int(Date().timeIntervalSince1970)
            try await version.create(on: db)
        }
        return req.redirect(to: "/vision/\(scope.urlQueryEncoded)")
    }

    struct HistoryPage: Encodable {
        let page: PageContext
        let scope: String
        let name: String
        let versions: [Statements]
    }

    func history(req: Request) async throws -> View {
        let scope = try await PlanScope.load(req)
        var versions: [Statements] = []
        for version in try await VisionVersion.query(on: req.db).filter(\.$scope == scope.id).sort(\.$version, .descending).all() {
            versions.append(try await statements(version, on: req.db))
        }
        return try await req.view.render("goals/vision-history", HistoryPage(page: PageContext(request: req, title: "Vision history"), scope: scope.id,
                                                                             name: scope.name, versions: versions))
    }
}
