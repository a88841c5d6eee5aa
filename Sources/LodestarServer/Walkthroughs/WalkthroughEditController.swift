import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Fixing what one did: the observer edits a walkthrough (draft or shared; the teacher then sees "edited"),
/// takes back feedback shared by mistake within `unshareHours` while the teacher has not replied, or deletes
/// the visit. Each change keeps the walkthrough rollup in step in the same transaction and is audited.
struct WalkthroughEditController: RouteCollection {
    /// How long after sharing the observer may take feedback back, if the teacher has not replied.
    static let unshareHours = 24

    func boot(routes: any RoutesBuilder) throws {
        routes.get("walkthroughs", ":id", "edit", use: form)
        routes.post("walkthroughs", ":id", "edit", use: save)
        routes.post("walkthroughs", ":id", "unshare", use: unshare)
        routes.post("walkthroughs", ":id", "delete", use: delete)
    }

    /// The walkthrough, if the viewer observed it: only the observer changes a visit.
    private func own(_ req: Request) async throws -> (Walkthrough, Viewer) {
        let viewer = try await req.viewer()
        guard let walkthrough = try await Walkthrough.find(try req.parameters.require("id"), on: req.db) else { throw LodestarError.notFound }
        guard walkthrough.observerId == viewer.id else {
            // Those who may read it are refused; to anyone else it does not exist.
            throw walkthrough.teacherId == viewer.id && walkthrough.sharedAt != nil || viewer.policy.seesWholeDistrict ? LodestarError.forbidden : LodestarError.notFound
        }
        return (walkthrough, viewer)
    }

    struct Page: Encodable {
        struct Practice: Encodable { let key: String; let domain: String; let name: String; let options: [SelectOption] }
        let page: PageContext
        let id: String
        let teacherName: String
        let shared: Bool
        let glow: String
        let grow: String
        let question: String
        let practices: [Practice]
        let canUnshare: Bool
        let unshareHours: Int
        let error: String?
    }

    private func render(_ req: Request, _ walkthrough: Walkthrough, marks: [String: String], fields: (glow: String, grow: String, question: String), error: String?) async throws -> View {
        let framework = try await FrameworkStore.framework(id: walkthrough.frameworkId, on: req.db) ?? .lodestarDefault
        let teacher = try await StaffDirectory(db: req.db).person(walkthrough.teacherId)?.displayName ?? "the teacher"
        return try await req.view.render("walkthroughs/edit", Page(
            page: PageContext(request: req, title: "Edit the walkthrough of \(teacher)"), id: walkthrough.id!, teacherName: teacher,
            shared: walkthrough.sharedAt != nil, glow: fields.glow, grow: fields.grow, question: fields.question,
            practices: framework.domains.flatMap { domain in
                domain.indicators.map { indicator in
                    Page.Practice(key: indicator.key, domain: domain.name, name: indicator.shortName,
                                  options: [SelectOption(value: "", label: "Not looked for", selected: marks[indicator.key] == nil)]
                                    + framework.scale.marks.map { SelectOption(value: $0, label: framework.scale.label($0), selected: marks[indicator.key] == $0) })
                }
            },
            canUnshare: try await Self.canUnshare(walkthrough, on: req.db), unshareHours: Self.unshareHours, error: error))
    }

    static func canUnshare(_ walkthrough: Walkthrough, on db: any Database, now: Int = Int(Date().timeIntervalSince1970)) async throws -> Bool {
        guard let shared = walkthrough.sharedAt, now - shared <= unshareHours * 3_600 else { return false }
        return try await FeedbackReply.query(on: db).filter(\.$walkthroughId == walkthrough.id!).filter(\.$authorId == walkthrough.teacherId).count() == 0
    }

    func form(req: Request) async throws -> View {
        let (walkthrough, _) = try await own(req)
        let marks = try await IndicatorMark.query(on: req.db).filter(\.$walkthroughId == walkthrough.id!).all()
        return try await render(req, walkthrough, marks: Dictionary(marks.map { ($0.indicatorKey, $0.mark) }) { a, _ in a },
                                fields: (walkthrough.glow, walkthrough.grow, walkthrough.question), error: nil)
    }

    /// The form: `glow`, `grow`, `question`, and `mark-<practice key>` for each practice ("" for not looked for).
    func save(req: Request) async throws -> Response {
        let (walkthrough, _) = try await own(req)
        let framework = try await FrameworkStore.framework(id: walkthrough.frameworkId, on: req.db) ?? .lodestarDefault
        let text = { (name: String) in ((try? req.content.get(String.self, at: name)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines) }
        let fields = (glow: text("glow"), grow: text("grow"), question: text("question"))
        var marks: [String: String] = [:]
        for indicator in framework.indicators {
            let mark = text("mark-\(indicator.key)")
            if !mark.isEmpty { marks[indicator.key] = mark }
        }
        do {
            for (name, value) in [("Glow", fields.glow), ("Grow", fields.grow), ("The question", fields.question)] where value.count > 4_000 {
                throw LodestarError("\(name) can have at most 4,000 characters.")
            }
            for (key, mark) in marks where !framework.scale.marks.contains(mark) {
                throw LodestarError("“\(mark)” is not a mark of \(framework.indicator(key)?.shortName ?? key).")
            }
            if walkthrough.sharedAt != nil && fields.glow.isEmpty && fields.grow.isEmpty && fields.question.isEmpty {
                throw LodestarError("Shared feedback cannot be emptied; take it back first, or delete the visit.")
            }
        } catch let error as LodestarError {
            let response = try await render(req, walkthrough, marks: marks, fields: fields, error: error.message).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        let id = walkthrough.id!
        let existing = try await IndicatorMark.query(on: req.db).filter(\.$walkthroughId == id).all()
        let lookFors = Dictionary(existing.map { ($0.indicatorKey, $0.lookFors) }) { a, _ in a }
        let chosen = marks
        try await req.db.writeTransaction { db in
            try await db.announce(.walkthroughsLeaving([id]))
            try await IndicatorMark.query(on: db).filter(\.$walkthroughId == id).delete()
            for (key, mark) in chosen.sorted(by: { $0.key < $1.key }) {
                let row = IndicatorMark()
                row.id = "\(id)|\(key)"
                row.walkthroughId = id
                row.indicatorKey = key
                row.mark = mark
                row.lookFors = mark == "not_applicable" ? "" : lookFors[key] ?? ""
                try await row.create(on: db)
            }
            walkthrough.glow = fields.glow
            walkthrough.grow = fields.grow
            walkthrough.question = fields.question
            if walkthrough.sharedAt != nil { walkthrough.editedAt = Int(Date().timeIntervalSince1970) }
            try await walkthrough.save(on: db)
            try await db.announce(.walkthroughsEdited([id]))
            if walkthrough.sharedAt != nil { try await db.announce(.feedbackShared(walkthrough, edited: true)) }
            try await req.audit("edited a walkthrough", subject: "walkthrough \(id) of \(walkthrough.teacherId)", on: db)
        }
        req.leaveNotice("Saved your changes to the walkthrough.")
        return req.redirect(to: "/walkthroughs/\(id)")
    }

    func unshare(req: Request) async throws -> Response {
        let (walkthrough, _) = try await own(req)
        guard walkthrough.sharedAt != nil else { return req.redirect(to: "/walkthroughs/\(walkthrough.id!)") }
        guard try await Self.canUnshare(walkthrough, on: req.db) else {
            throw LodestarError("Feedback can be taken back within \(Self.unshareHours) hours of sharing, and only before the teacher replies.")
        }
        try await req.db.writeTransaction { db in
            walkthrough.sharedAt = nil
            walkthrough.readAt = nil
            walkthrough.editedAt = nil
            try await walkthrough.save(on: db)
            try await db.announce(.feedbackTakenBack(walkthrough))
            try await req.audit("took back shared feedback", subject: "walkthrough \(walkthrough.id!) of \(walkthrough.teacherId)", on: db)
        }
        req.leaveNotice("Taken back: the feedback is a draft again, and no longer in the teacher’s feedback.")
        return req.redirect(to: "/walkthroughs/\(walkthrough.id!)")
    }

    /// Removes the visit, its marks and replies, and its counts from the trends, in one transaction.
    func delete(req: Request) async throws -> Response {
        let (walkthrough, _) = try await own(req)
        let id = walkthrough.id!
        try await req.db.writeTransaction { db in
            try await db.announce(.walkthroughsLeaving([id]))
            try await IndicatorMark.query(on: db).filter(\.$walkthroughId == id).delete()
            try await FeedbackReply.query(on: db).filter(\.$walkthroughId == id).delete()
            try await db.announce(.walkthroughsDeleting([id]))
            try await walkthrough.delete(on: db)
            try await req.audit("deleted a walkthrough", subject: "walkthrough \(id) of \(walkthrough.teacherId)", on: db)
        }
        req.leaveNotice("Deleted the walkthrough.")
        return req.redirect(to: "/walkthroughs")
    }
}
