import Fluent
import Foundation
import LodestarCore
import Vapor

/// Priority standards: the district marks the standards that get more time, with the reasons (endurance,
/// leverage, readiness), and everyone signed in reads them grade by grade — with the grades that have none shown.
struct PriorityStandardsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("standards", "priorities", use: page)
        routes.post("standards", ":id", "priority", use: mark)
        routes.post("standards", "priorities", "cadence", use: setCadence)
    }

    struct Page: Encodable {
        struct Item: Encodable { let id: String; let code: String; let statement: String; let reasons: String; let note: String }
        struct Grade: Encodable { let label: String; let priorities: [Item]; let others: [Item]; let total: Int }
        let page: PageContext
        let documents: [SelectOption]
        let document: String
        let title: String
        let grades: [Grade]
        /// Grades with standards but no priority among them.
        let gaps: [String]
        let reasons: [SelectOption]
        let canMark: Bool
        let cadenceWeeks: Int
        let cadenceError: String?
        let notice: String?
    }

    func page(req: Request) async throws -> View {
        try await render(req, cadenceError: nil)
    }

    private func render(_ req: Request, cadenceError: String?) async throws -> View {
        let viewer = try await req.viewer()
        let queries = StandardsQueries(db: req.db)
        let (documents, chosen) = try await queries.documentChoice(req.query[String.self, at: "document"])
        let priorities = try await queries.priorities()
        var grades: [Page.Grade] = []
        if let chosen {
            let standards = try await queries.gradedStandards(ofDocument: chosen.id!)
            var byGrade: [String: [Standard]] = [:]
            for standard in standards {
                for grade in standard.grades.split(separator: ",").map(String.init) { byGrade[grade, default: []].append(standard) }
            }
            func item(_ standard: Standard) -> Page.Item {
                let priority = priorities[standard.id!]
                return .init(id: standard.id!, code: standard.code, statement: standard.statement,
                             reasons: priority?.reasons.map(\.label).joined(separator: ", ") ?? "", note: priority?.note ?? "")
            }
            for grade in byGrade.keys.sorted(by: { GradeLevel.sortKey($0) < GradeLevel.sortKey($1) }) {
                let all = byGrade[grade]!
                grades.append(.init(label: GradeLevel.label(grade), priorities: all.filter { priorities[$0.id!] != nil }.map(item),
                                    others: all.filter { priorities[$0.id!] == nil }.map(item), total: all.count))
            }
        }
        return try await req.view.render("standards/priorities", Page(
            page: PageContext(request: req, title: "Priority standards"),
            documents: documents,
            document: chosen?.id ?? "", title: chosen?.title ?? "", grades: grades, gaps: grades.filter { $0.priorities.isEmpty }.map(\.label),
            reasons: PriorityReason.allCases.map { SelectOption(value: $0.rawValue, label: "\($0.label): \($0.meaning)") },
            canMark: viewer.policy.canMarkPriorityStandards, cadenceWeeks: try await queries.cadence().weeks, cadenceError: cadenceError, notice: req.takeNotice()))
    }

    struct CadenceForm: Content { var weeks: String }

    /// "Assess each priority standard in every class at least every N weeks."
    func setCadence(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canMarkPriorityStandards)
        guard let weeks = Int(try req.content.decode(CadenceForm.self).weeks.trimmingCharacters(in: .whitespaces)), PriorityCadence.allowedWeeks.contains(weeks) else {
            let response = try await render(req, cadenceError: "Give a whole number of weeks from \(PriorityCadence.allowedWeeks.lowerBound) to \(PriorityCadence.allowedWeeks.upperBound).").encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        try await StandardsQueries(db: req.db).setCadence(PriorityCadence(weeks: weeks), by: viewer.id)
        try await req.audit("set how often priority standards are assessed", subject: "every \(weeks) weeks")
        req.leaveNotice("Each priority standard is now expected in every class at least every \(weeks) \(weeks == 1 ? "week" : "weeks").")
        return req.redirect(to: "/standards/priorities#cadence")
    }

    struct MarkForm: Content { var reasons: [String]?; var note: String?; var action: String }

    /// Makes the standard a priority (at least one reason, a note of up to 300 characters) or takes it off.
    func mark(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        try req.require(viewer.policy.canMarkPriorityStandards)
        let queries = StandardsQueries(db: req.db)
        guard let standard = try await queries.standard(try req.parameters.require("id")) else { throw LodestarError.notFound }
        let form = try req.content.decode(MarkForm.self)
        if form.action == "remove" {
            try await queries.removePriority(standard.id!)
            req.leaveNotice("\(standard.code) is no longer a priority standard.")
        } else {
            let note = (form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard let reasons = PriorityReason.parse(form.reasons ?? []), note.count <= PriorityReason.noteLimit else {
                let response = try await StandardsController.render(req, standard, error: "Choose at least one reason (endurance, leverage, readiness) and keep the note to \(PriorityReason.noteLimit) characters.")
                    .encodeResponse(for: req)
                response.status = .unprocessableEntity
                return response
            }
            try await queries.setPriority(standard.id!, reasons: reasons, note: note, by: viewer.id)
            req.leaveNotice("\(standard.code) is a priority standard.")
        }
        try await req.audit(form.action == "remove" ? "removed a priority standard" : "marked a priority standard", subject: "standard \(standard.id!)")
        return req.redirect(to: "/standards/\(standard.id!.urlQueryEncoded)#priority")
    }
}
