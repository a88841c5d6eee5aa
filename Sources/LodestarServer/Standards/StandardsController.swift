import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Browsing and searching standards (everyone signed in), and importing CASE packages (district admins).
struct StandardsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("standards", use: browse)
        routes.get("standards", ":id", use: show)
        routes.get("admin", "standards", use: importPage)
        routes.upload("admin", "standards", use: importFile)
    }

    struct StandardRow: Encodable {
        let id: String
        let code: String
        let statement: String
        let grades: String
        let type: String
        let depth: Int
    }

    struct BrowsePage: Encodable {
        struct Document: Encodable { let id: String; let title: String; let subject: String; let count: Int; let selected: Bool }
        let page: PageContext
        let documents: [Document]
        let subjects: [SelectOption]
        let grades: [SelectOption]
        let search: String
        let heading: String?
        let rows: [StandardRow]
        let truncated: Bool
        let canImport: Bool
    }

    static let resultLimit = 300

    func browse(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let sql = req.db.sql
        let subject = req.query[String.self, at: "subject"] ?? ""
        let grade = req.query[String.self, at: "grade"] ?? ""
        let search = (req.query[String.self, at: "q"] ?? "").trimmingCharacters(in: .whitespaces)
        let documentId = req.query[String.self, at: "document"] ?? ""

        let documents = try await sql.raw("""
            SELECT d.id, d.title, d.subject, (SELECT COUNT(*) FROM standards s WHERE s.document_id = d.id) AS n
            FROM standard_documents d ORDER BY d.subject, d.title
            """).all().map { row in
            BrowsePage.Document(id: try row.decode(column: "id", as: String.self), title: try row.decode(column: "title", as: String.self),
                                subject: try row.decode(column: "subject", as: String.self), count: try row.decode(column: "n", as: Int.self),
                                selected: try row.decode(column: "id", as: String.self) == documentId)
        }
        let gradeCodes = Set(try await sql.raw("SELECT DISTINCT grades FROM standards").all()
            .flatMap { try $0.decode(column: "grades", as: String.self).split(separator: ",").map(String.init) })

        var rows: [StandardRow] = []
        var heading: String?
        var truncated = false
        if !search.isEmpty || !grade.isEmpty || !subject.isEmpty {
            var conditions: [SQLQueryString] = []
            if !search.isEmpty {
                let pattern = "%" + search.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
                conditions.append("(LOWER(s.code) LIKE \(bind: pattern) OR LOWER(s.statement) LIKE \(bind: pattern))")
            }
            // Grades are stored as a comma list; wrapping both sides in commas matches whole codes only.
            if !grade.isEmpty { conditions.append("(',' || s.grades || ',') LIKE \(bind: "%," + grade + ",%")") }
            if !subject.isEmpty { conditions.append("d.subject = \(bind: subject)") }
            if !documentId.isEmpty { conditions.append("s.document_id = \(bind: documentId)") }
            var query: SQLQueryString = "SELECT s.id, s.code, s.statement, s.grades, s.item_type FROM standards s JOIN standard_documents d ON d.id = s.document_id WHERE "
            query.appendInterpolation(SQLList(conditions, separator: SQLRaw(" AND ")))
            query.appendInterpolation(unsafeRaw: " ORDER BY s.code, s.statement LIMIT \(Self.resultLimit + 1)")
            let found = try await sql.raw(query).all()
            truncated = found.count > Self.resultLimit
            rows = try found.prefix(Self.resultLimit).map { row in
                StandardRow(id: try row.decode(column: "id", as: String.self), code: try row.decode(column: "code", as: String.self),
                            statement: try row.decode(column: "statement", as: String.self),
                            grades: Self.gradeLabels(try row.decode(column: "grades", as: String.self)),
                            type: try row.decode(column: "item_type", as: String.self), depth: 0)
            }
            heading = "\(rows.count)\(truncated ? "+" : "") standards found"
        } else if let document = try await StandardDocument.find(documentId, on: req.db) {
            rows = try await tree(of: document.id!, on: req.db)
            heading = document.title
        }
        return try await req.view.render("standards/browse", BrowsePage(
            page: PageContext(request: req, title: "Standards"), documents: documents,
            subjects: Set(documents.map(\.subject)).filter { !$0.isEmpty }.sorted().map { SelectOption(value: $0, label: $0, selected: $0 == subject) },
            grades: gradeCodes.sorted { GradeLevel.sortKey($0) < GradeLevel.sortKey($1) }.map { SelectOption(value: $0, label: GradeLevel.label($0), selected: $0 == grade) },
            search: search, heading: heading, rows: rows, truncated: truncated, canImport: viewer.policy.canAdministerDistrict))
    }

    /// A document's standards in reading order, each with its depth in the tree.
    private func tree(of documentId: String, on db: any Database) async throws -> [StandardRow] {
        let all = try await Standard.query(on: db).filter(\.$documentId == documentId).all()
        let children = Dictionary(grouping: all, by: \.parentId).mapValues { $0.sorted { $0.position < $1.position } }
        var rows: [StandardRow] = []
        func visit(_ parent: String?, depth: Int) {
            for standard in children[parent] ?? [] {
                rows.append(StandardRow(id: standard.id!, code: standard.code, statement: standard.statement, grades: Self.gradeLabels(standard.grades),
                                        type: standard.itemType, depth: min(depth, 6)))
                visit(standard.id, depth: depth + 1)
            }
        }
        visit(nil, depth: 0)
        return rows
    }

    static func gradeLabels(_ codes: String) -> String {
        codes.split(separator: ",").map { GradeLevel.label(String($0)) }.joined(separator: ", ")
    }

    struct ShowPage: Encodable {
        struct Link: Encodable { let id: String; let label: String }
        let page: PageContext
        let id: String
        let code: String
        let statement: String
        let grades: String
        let type: String
        let documentId: String
        let documentTitle: String
        let ancestors: [Link]
        let children: [StandardRow]
        /// "Endurance, Readiness. The note." when the district made it a priority.
        let priority: String?
        let reasons: [SelectOption]
        /// What this standard builds on, leads to and sits beside; the district's own links may be removed.
        struct Linked: Encodable { let id: String; let code: String; let linkId: String; let byDistrict: Bool }
        let buildsOn: [Linked]
        let leadsTo: [Linked]
        let related: [Linked]
        let note: String
        let canMark: Bool
        let notice: String?
        let error: String?
    }

    func show(req: Request) async throws -> View {
        guard let standard = try await Standard.find(try req.parameters.require("id"), on: req.db) else { throw LodestarError.notFound }
        return try await Self.render(req, standard, error: nil)
    }

    /// A standard's page; `error` when a priority form was refused.
    static func render(_ req: Request, _ standard: Standard, error: String?) async throws -> View {
        let viewer = try await req.viewer()
        var ancestors: [ShowPage.Link] = []
        var parentId = standard.parentId
        while let id = parentId, ancestors.count < 20, let parent = try await Standard.find(id, on: req.db) {
            ancestors.insert(.init(id: parent.id!, label: parent.code.isEmpty ? String(parent.statement.prefix(60)) : parent.code), at: 0)
            parentId = parent.parentId
        }
        let children = try await Standard.query(on: req.db).filter(\.$parentId == standard.id!).sort(\.$position).all()
        let document = try await StandardDocument.find(standard.documentId, on: req.db)
        let priority = try await StandardsQueries(db: req.db).priority(of: standard.id!)
        let links = try await StandardsQueries(db: req.db).links(touching: [standard.id!])
        let linked = Dictionary(uniqueKeysWithValues: try await StandardsQueries(db: req.db)
            .standards(ids: Set(links.flatMap { [$0.originId, $0.destinationId] })).map { ($0.id!, $0.code) })
        func link(_ link: StandardLink, to other: String) -> ShowPage.Linked? {
            linked[other].map { .init(id: other, code: $0, linkId: link.id!, byDistrict: link.documentId == nil) }
        }
        let precedes = links.filter { $0.kind == CASEPackage.LinkKind.precedes.rawValue }
        return try await req.view.render("standards/show", ShowPage(
            page: PageContext(request: req, title: standard.code.isEmpty ? "Standard" : standard.code), id: standard.id!, code: standard.code,
            statement: standard.statement, grades: gradeLabels(standard.grades), type: standard.itemType,
            documentId: standard.documentId, documentTitle: document?.title ?? "", ancestors: ancestors,
            children: children.map { .init(id: $0.id!, code: $0.code, statement: $0.statement, grades: gradeLabels($0.grades), type: $0.itemType, depth: 0) },
            priority: priority.map { "\($0.reasons.map(\.label).joined(separator: ", ")).\($0.note.isEmpty ? "" : " " + $0.note)" },
            reasons: PriorityReason.allCases.map { reason in
                SelectOption(value: reason.rawValue, label: "\(reason.label): \(reason.meaning)", selected: priority?.reasons.contains(reason) ?? false)
            },
            buildsOn: precedes.filter { $0.destinationId == standard.id }.compactMap { link($0, to: $0.originId) },
            leadsTo: precedes.filter { $0.originId == standard.id }.compactMap { link($0, to: $0.destinationId) },
            related: links.filter { $0.kind != CASEPackage.LinkKind.precedes.rawValue }.compactMap { link($0, to: $0.originId == standard.id ? $0.destinationId : $0.originId) },
            note: priority?.note ?? "", canMark: viewer.policy.canMarkPriorityStandards && !standard.grades.isEmpty && standard.itemType != "Grade",
            notice: req.takeNotice(), error: error))
    }

    struct ImportPage: Encodable {
        let page: PageContext
        let error: String?
        let notice: String?
        let warnings: [String]
    }

    func importPage(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        return try await req.view.render("standards/import", ImportPage(page: PageContext(request: req, title: "Import standards"), error: nil,
                                                                        notice: nil, warnings: []))
    }

    func importFile(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canAdministerDistrict)
        var error: String?, notice: String?, warnings: [String] = []
        try await req.withUpload(limit: 50, file: "file") { form in
            guard let file = form.file else {
                error = "Choose a CASE package (.json) first."
                return
            }
            do {
                let package = try CASEPackage.parse(try file.bytes(), fileName: file.name)
                let counts = try await StandardsStore.save(package, subject: form.fields["subject"]?.trimmingCharacters(in: .whitespaces), on: req.db)
                try await req.auditImport("standards", fileName: file.name)
                notice = "Imported \(package.title): \(counts.created) new, \(counts.updated) updated, \(counts.unchanged) unchanged, \(counts.deleted) removed."
                warnings = package.warnings
            } catch let failure as LodestarError {
                try await req.auditImport("standards", fileName: file.name, refused: failure)
                error = failure.description
            }
        }
        let response = try await req.view.render("standards/import", ImportPage(page: PageContext(request: req, title: "Import standards"),
                                                                                error: error, notice: notice, warnings: warnings)).encodeResponse(for: req)
        if error != nil { response.status = .unprocessableEntity }
        return response
    }
}
