import Fluent
import Foundation
import LodestarCore
import Vapor

/// A goal's action plan: steps with an owner, a due date and a status; check-ins; links to the
/// evidence of the work. Changing a step's owner, due date or status writes the monitor-and-adjust log.
struct ActionPlanController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let steps = routes.grouped("goals", ":scope", ":goalId", "steps")
        steps.post(use: addStep)
        steps.post(":stepId", use: updateStep)
        steps.post(":stepId", "check-ins", use: checkIn)
        steps.post(":stepId", "evidence", use: addEvidence)
    }

    private func context(_ req: Request) async throws -> (scope: PlanScope, goal: SmartGoal, viewer: Viewer) {
        let scope = try await PlanScope.load(req)
        try scope.requireEdit(req)
        return (scope, try await scope.goal(req), try await req.viewer())
    }

    private func step(_ req: Request, of goal: SmartGoal) async throws -> ActionStep {
        guard let step = try await ActionStep.find(try req.parameters.require("stepId"), on: req.db), step.goalId == goal.id else { throw LodestarError.notFound }
        return step
    }

    private func back(_ req: Request, _ scope: PlanScope, _ goal: SmartGoal, anchor: String = "plan") -> Response {
        req.redirect(to: link(scope, goal, anchor: anchor))
    }

    private func link(_ scope: PlanScope, _ goal: SmartGoal, anchor: String = "plan") -> String {
        "/goals/\(scope.id.urlQueryEncoded)/\(goal.id!)#\(anchor)"
    }

    /// The owner must be one of the people the form offers for this scope (its school's staff and the
    /// district's), never someone of another school.
    private func owner(_ id: String, in scope: PlanScope, on db: any Database) async throws -> Staff {
        guard try await scope.staffOptions(on: db).contains(where: { $0.value == id }), let staff = try await StaffDirectory(db: db).person(id) else {
            throw LodestarError("Choose who owns the step from the list.")
        }
        return staff
    }

    struct StepForm: Content { var text: String; var ownerId: String; var dueOn: String }

    func addStep(req: Request) async throws -> Response {
        let (scope, goal, viewer) = try await context(req)
        let form = try req.content.decode(StepForm.self)
        let text = form.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw LodestarError("Describe the step.") }
        guard DisplayTime.date(fromISODay: form.dueOn) != nil else { throw LodestarError("Give the step's due date.") }
        let owner = try await owner(form.ownerId, in: scope, on: req.db)
        let step = ActionStep()
        step.id = UUID().uuidString.lowercased()
        step.goalId = goal.id!
        step.text = String(text.prefix(1_000))
        step.ownerId = owner.id!
        step.dueOn = form.dueOn
        step.status = ActionStep.Status.notStarted.rawValue
        step.createdAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in
            try await step.create(on: db)
            try await db.announce(.stepAssigned(step, link: link(scope, goal), by: viewer.id))
            try await PlanChange.record(goalId: goal.id!, what: "Step added: \(step.text) (\(owner.displayName), due \(DisplayTime.date(step.dueOn)))",
                                        why: "", by: viewer.id, on: db)
        }
        return back(req, scope, goal)
    }

    struct UpdateForm: Content { var ownerId: String; var dueOn: String; var status: String; var why: String? }

    func updateStep(req: Request) async throws -> Response {
        let (scope, goal, viewer) = try await context(req)
        let step = try await step(req, of: goal)
        let form = try req.content.decode(UpdateForm.self)
        guard let status = ActionStep.Status(rawValue: form.status) else { throw LodestarError("Choose the step's status.") }
        guard DisplayTime.date(fromISODay: form.dueOn) != nil else { throw LodestarError("Give the step's due date.") }
        var changes: [String] = []
        if form.ownerId != step.ownerId {
            let before = try await StaffDirectory(db: req.db).person(step.ownerId)?.displayName ?? "former staff member"
            let after = try await owner(form.ownerId, in: scope, on: req.db).displayName
            changes.append("owner \(before) → \(after)")
            step.ownerId = form.ownerId
        }
        if form.dueOn != step.dueOn { changes.append("due \(DisplayTime.date(step.dueOn)) → \(DisplayTime.date(form.dueOn))"); step.dueOn = form.dueOn }
        if status.rawValue != step.status {
            changes.append("status \(ActionStep.Status(rawValue: step.status)?.label ?? step.status) → \(status.label)")
            step.status = status.rawValue
        }
        guard !changes.isEmpty else { return back(req, scope, goal) }
        let why = (form.why ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        // Moving a date or dropping a step is an adjustment of the plan: say why.
        if why.isEmpty && (changes.contains { $0.hasPrefix("due") } || status == .dropped) {
            throw LodestarError("Say why the step's due date moved or why it was dropped: the log is how the team learns from it.")
        }
        let what = "Step “\(step.text)”: " + changes.joined(separator: "; ")
        let newOwner = changes.contains { $0.hasPrefix("owner") }
        try await req.db.writeTransaction { db in
            try await step.save(on: db)
            if newOwner { try await db.announce(.stepAssigned(step, link: link(scope, goal), by: viewer.id)) }
            try await PlanChange.record(goalId: goal.id!, what: what, why: why, by: viewer.id, on: db)
        }
        return back(req, scope, goal)
    }

    struct CheckInForm: Content { var note: String; var status: String? }

    func checkIn(req: Request) async throws -> Response {
        let (scope, goal, viewer) = try await context(req)
        let step = try await step(req, of: goal)
        let form = try req.content.decode(CheckInForm.self)
        let note = form.note.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !note.isEmpty else { throw LodestarError("Write a note for the check-in.") }
        let status = form.status.flatMap(ActionStep.Status.init(rawValue:)) ?? ActionStep.Status(rawValue: step.status) ?? .inProgress
        let record = StepCheckIn()
        record.id = UUID().uuidString.lowercased()
        record.stepId = step.id!
        record.status = status.rawValue
        record.note = String(note.prefix(4_000))
        record.authorId = viewer.id
        record.at = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in
            try await record.create(on: db)
            if step.status != status.rawValue, status != .dropped {
                let before = ActionStep.Status(rawValue: step.status)?.label ?? step.status
                step.status = status.rawValue
                try await step.save(on: db)
                try await PlanChange.record(goalId: goal.id!, what: "Step “\(step.text)”: status \(before) → \(status.label)", why: note, by: viewer.id, on: db)
            }
        }
        return back(req, scope, goal, anchor: "step-\(step.id!.htmlId)")
    }

    struct EvidenceForm: Content { var href: String; var label: String? }

    /// The kinds of evidence a step links to, by the start of a Lodestar path.
    static let evidenceKinds: [(prefix: String, kind: String)] = [
        ("/walkthroughs/", "Walkthrough"), ("/assessments/", "Assessment"), ("/coaching/", "Coaching"),
        ("/interventions/", "Intervention group"), ("/classes/", "Class data"), ("/standards/", "Standard"), ("/time", "Leader's time"),
    ]

    func addEvidence(req: Request) async throws -> Response {
        let (scope, goal, viewer) = try await context(req)
        let step = try await step(req, of: goal)
        let form = try req.content.decode(EvidenceForm.self)
        var href = form.href.trimmingCharacters(in: .whitespaces)
        // A pasted full Lodestar address keeps its path only.
        if let url = URL(string: href), let host = url.host, host == req.headers.first(name: .host)?.split(separator: ":").first.map(String.init) {
            href = url.path
        }
        let kind: String
        if let known = Self.evidenceKinds.first(where: { href.hasPrefix($0.prefix) }) {
            kind = known.kind
        } else if let url = URL(string: href), url.scheme == "https" || url.scheme == "http", url.host != nil {
            kind = "Professional learning"
        } else {
            throw LodestarError("Link to a walkthrough, an assessment, a coaching record, an intervention group, or a web page (https://…).")
        }
        let evidence = StepEvidence()
        evidence.id = UUID().uuidString.lowercased()
        evidence.stepId = step.id!
        evidence.kind = kind
        evidence.href = String(href.prefix(1_000))
        let label = (form.label ?? "").trimmingCharacters(in: .whitespaces)
        evidence.label = label.isEmpty ? kind : String(label.prefix(200))
        evidence.addedBy = viewer.id
        evidence.addedAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in try await evidence.create(on: db) }
        return back(req, scope, goal, anchor: "step-\(step.id!.htmlId)")
    }
}
