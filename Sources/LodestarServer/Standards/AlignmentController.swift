import Fluent
import Foundation
import LodestarCore
import Vapor

/// Vertical alignment: each priority standard, grade by grade, with what it builds on in the grade before and what it
/// leads to in the next — from the CASE package's `precedes` links and those the district adds — and the priorities
/// not yet linked to the next grade. Everyone signed in reads it; district admins and leaders add and remove links.
struct AlignmentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("standards", "alignment", use: page)
        routes.post("standards", ":id", "links", use: addLink)
        routes.post("standards", ":id", "links", ":linkId", "delete", use: removeLink)
    }

    struct Page: Encodable {
        struct Ref: Encodable { let id: String; let code: String; let priority: Bool }
        struct Row: Encodable { let id: String; let code: String; let statement: String; let buildsOn: [Ref]; let leadsTo: [Ref]; let related: [Ref]; let unlinked: Bool }
        struct Grade: Encodable { let label: String; let rows: [Row] }
        let page: PageContext
        let documents: [SelectOption]
        let document: String
        let grades: [Grade]
        let priorities: Int
        let unlinked: Int
    }

    func page(req: Request) async throws -> View {
        _ = try await req.viewer()
        let queries = StandardsQueries(db: req.db)
        let (documents, chosen) = try await queries.documentChoice(req.query[String.self, at: "document"])
        let priorities = try await queries.priorities()
        var grades: [Page.Grade] = []
        if let chosen {
            let standards = try await queries.gradedStandards(ofDocument: chosen.id!)
            let chosenPriorities = standards.filter { priorities[$0.id!] != nil }
            let links = try await queries.links(touching: chosenPriorities.compactMap(\.id))
            let others = try await queries.standards(ids: Set(links.flatMap { [$0.originId, $0.destinationId] }))
            let byId = Dictionary((standards + others).map { ($0.id!, $0) }, uniquingKeysWith: { first, _ in first })
            let lastGrade = standards.flatMap { $0.grades.split(separator: ",").map(String.init) }.max { GradeLevel.sortKey($0) < GradeLevel.sortKey($1) }
            func ref(_ id: String) -> Page.Ref? { byId[id].map { .init(id: id, code: $0.code, priority: priorities[id] != nil) } }
            let precedes = links.filter { $0.kind == CASEPackage.LinkKind.precedes.rawValue }
            var byGrade: [String: [Page.Row]] = [:]
            for standard in chosenPriorities {
                let id = standard.id!
                let leadsTo = precedes.filter { $0.originId == id }.compactMap { ref($0.destinationId) }
                let grade = standard.grades.split(separator: ",").map(String.init).max { GradeLevel.sortKey($0) < GradeLevel.sortKey($1) } ?? ""
                byGrade[grade, default: []].append(.init(
                    id: id, code: standard.code, statement: standard.statement,
                    buildsOn: precedes.filter { $0.destinationId == id }.compactMap { ref($0.originId) }, leadsTo: leadsTo,
                    related: links.filter { $0.kind != CASEPackage.LinkKind.precedes.rawValue && ($0.originId == id || $0.destinationId == id) }
                        .compactMap { ref($0.originId == id ? $0.destinationId : $0.originId) },
                    unlinked: grade != lastGrade && !leadsTo.contains { ref in
                        byId[ref.id].map { $0.grades.split(separator: ",").contains { GradeLevel.sortKey(String($0)) > GradeLevel.sortKey(grade) } } ?? false
                    }))
            }
            grades = byGrade.keys.sorted { GradeLevel.sortKey($0) < GradeLevel.sortKey($1) }.map { Page.Grade(label: GradeLevel.label($0), rows: byGrade[$0]!) }
        }
        let rows = grades.flatMap(\.rows)
        return try await req.view.render("standards/alignment", Page(
            page: PageContext(request: req, title: "Vertical alignment"),
            documents: documents,
            document: chosen?.id ?? "", grades: grades, priorities: rows.count, unlinked: rows.filter(\.unlinked).count))
    }

    struct LinkForm: Content { var code: String }

    /// "This standard leads to …": the district names the standard by its code.
    func addLink(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canMarkPriorityStandards)
        let queries = StandardsQueries(db: req.db)
        guard let standard = try await queries.standard(try req.parameters.require("id")) else { throw LodestarError.notFound }
        let code = try req.content.decode(LinkForm.self).code.trimmingCharacters(in: .whitespacesAndNewlines)
        let existing = try await queries.links(touching: [standard.id!])
        // A standard leads to one of its own grade or a later one, never back to an earlier grade.
        func lowest(_ s: Standard) -> Int? { s.grades.split(separator: ",").map { GradeLevel.sortKey(String($0)) }.min() }
        guard code.count <= 200, let next = try await queries.standard(code: code), next.id != standard.id,
              (lowest(next) ?? .max) >= (lowest(standard) ?? .min),
              !existing.contains(where: { $0.originId == standard.id && $0.destinationId == next.id && $0.kind == CASEPackage.LinkKind.precedes.rawValue }) else {
            let response = try await StandardsController.render(req, standard, error: "Name, by its exact code, a standard of the same or a later grade that this one does not already lead to.")
                .encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        try await queries.addLink(from: standard.id!, to: next.id!, by: viewer.id)
        try await req.audit("linked standards", subject: "standard \(standard.id!)")
        req.leaveNotice("\(standard.code) now leads to \(next.code).")
        return req.redirect(to: "/standards/\(standard.id!.urlQueryEncoded)#links")
    }

    func removeLink(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canMarkPriorityStandards)
        let queries = StandardsQueries(db: req.db)
        guard let standard = try await queries.standard(try req.parameters.require("id")) else { throw LodestarError.notFound }
        let linkId = try req.parameters.require("linkId")
        guard try await queries.links(touching: [standard.id!]).contains(where: { $0.id == linkId && $0.documentId == nil }) else { throw LodestarError.notFound }
        try await queries.removeDistrictLink(linkId)
        try await req.audit("unlinked standards", subject: "standard \(standard.id!)")
        req.leaveNotice("The link is removed.")
        return req.redirect(to: "/standards/\(standard.id!.urlQueryEncoded)#links")
    }
}
