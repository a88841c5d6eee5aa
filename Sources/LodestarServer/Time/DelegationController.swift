import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// The delegation list: management tasks a leader handed to other staff, with their status, so the
/// leader's time goes back to classrooms without losing track of the work.
struct DelegationController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("time", ":leaderId", "delegations", use: list)
        routes.post("time", ":leaderId", "delegations", use: add)
        routes.post("time", ":leaderId", "delegations", ":delegationId", use: update)
    }

    struct Page: Encodable {
        struct Row: Encodable {
            let id: String
            let task: String
            let delegate: String
            let dueOn: String
            let status: String
            let statusOptions: [SelectOption]
            let overdue: Bool
        }
        let page: PageContext
        let leaderId: String
        let leaderName: String
        let canEdit: Bool
        let open: [Row]
        let done: [Row]
        let staff: [SelectOption]
    }

    func list(req: Request) async throws -> View {
        let context = try await TimeController.LeaderContext.load(req)
        let delegations = try await Delegation.query(on: req.db).filter(\.$leaderId == context.id).sort(\.$dueOn).all()
        let names = try await Staff.names(of: delegations.map(\.delegateId), on: req.db)
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let rows = delegations.map { item in
            Page.Row(id: item.id!, task: item.task, delegate: names[item.delegateId] ?? "Former staff member", dueOn: DisplayTime.date(item.dueOn),
                     status: Delegation.statuses.first { $0.key == item.status }?.label ?? item.status,
                     statusOptions: Delegation.statuses.map { SelectOption(value: $0.key, label: $0.label, selected: $0.key == item.status) },
                     overdue: item.status != "done" && item.dueOn < today)
        }
        return try await req.view.render("time/delegations", Page(
            page: PageContext(request: req, title: "Delegated tasks"), leaderId: context.id, leaderName: context.leader.displayName,
            canEdit: context.canEdit, open: rows.filter { $0.status != "Done" }, done: rows.filter { $0.status == "Done" },
            staff: context.canEdit ? try await colleagues(of: context.id, on: req.db) : []))
    }

    /// Staff at the leader's schools, to hand a task to.
    private func colleagues(of leaderId: String, on db: any Database) async throws -> [SelectOption] {
        let directory = StaffDirectory(db: db)
        let schools = try await directory.schools(of: leaderId)
        return try await directory.people(atSchools: schools.sorted(), except: leaderId).map { SelectOption(value: $0.id, label: $0.name) }
    }

    struct AddForm: Content { var task: String; var delegateId: String; var dueOn: String }

    func add(req: Request) async throws -> Response {
        let context = try await TimeController.LeaderContext.load(req)
        try context.requireEdit(req)
        let form = try req.content.decode(AddForm.self)
        let task = form.task.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !task.isEmpty else { throw LodestarError("Describe the task you are handing over.") }
        guard try await colleagues(of: context.id, on: req.db).contains(where: { $0.value == form.delegateId }) else {
            throw LodestarError("Choose a colleague at your school to hand the task to.")
        }
        guard DisplayTime.date(fromISODay: form.dueOn) != nil else { throw LodestarError("Give the date the task is due.") }
        let item = Delegation()
        item.id = UUID().uuidString.lowercased()
        item.leaderId = context.id
        item.task = String(task.prefix(500))
        item.delegateId = form.delegateId
        item.status = "open"
        item.dueOn = form.dueOn
        item.createdAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in try await item.create(on: db) }
        return req.redirect(to: "/time/\(context.id.urlQueryEncoded)/delegations")
    }

    struct UpdateForm: Content { var status: String }

    func update(req: Request) async throws -> Response {
        let context = try await TimeController.LeaderContext.load(req)
        try context.requireEdit(req)
        guard let item = try await Delegation.find(try req.parameters.require("delegationId"), on: req.db), item.leaderId == context.id else { throw LodestarError.notFound }
        let form = try req.content.decode(UpdateForm.self)
        guard Delegation.statuses.contains(where: { $0.key == form.status }) else { throw LodestarError("Choose the task's status.") }
        item.status = form.status
        try await req.db.writeTransaction { db in try await item.save(on: db) }
        return req.redirect(to: "/time/\(context.id.urlQueryEncoded)/delegations")
    }
}
