import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

extension GoalsController {
    // MARK: Monitoring and adjusting

    struct ValueForm: Content { var day: String; var value: String; var note: String? }

    func addValue(req: Request) async throws -> Response {
        let scope = try await PlanScope.load(req)
        try scope.requireEdit(req)
        let goal = try await scope.goal(req)
        let viewer = try await req.viewer()
        let form = try req.content.decode(ValueForm.self)
        guard try goal.metric.kind == .manual else { throw LodestarError("This goal is measured from Lodestar's data; values cannot be typed in.") }
        guard DisplayTime.date(fromISODay: form.day) != nil, form.day >= goal.startsOn, form.day <= Self.today() else {
            throw LodestarError("Give the day the value describes: not before the goal was set, and not in the future.")
        }
        guard let value = Double(form.value.trimmingCharacters(in: .whitespaces)), value.isFinite else { throw LodestarError("Give the value as a number.") }
        let entry = GoalValue()
        entry.id = UUID().uuidString.lowercased()
        entry.goalId = goal.id!
        entry.day = form.day
        entry.value = value
        entry.note = String((form.note ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(2_000))
        entry.enteredBy = viewer.id
        entry.enteredAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in try await entry.create(on: db) }
        return req.redirect(to: "/goals/\(scope.id.urlQueryEncoded)/\(goal.id!)")
    }

    struct AdjustForm: Content { var target: String?; var deadline: String?; var why: String }

    /// Changes a goal's target or deadline, or records another adjustment, always with the reason.
    func adjust(req: Request) async throws -> Response {
        let scope = try await PlanScope.load(req)
        try scope.requireEdit(req)
        let goal = try await scope.goal(req)
        let viewer = try await req.viewer()
        let form = try req.content.decode(AdjustForm.self)
        let why = form.why.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw LodestarError("Say why the plan is changing: the log is how the team learns from it.") }
        var what: [String] = []
        if let text = form.target?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            guard let target = Double(text), target.isFinite, target != goal.baseline else { throw LodestarError("Give the new target as a number that differs from the baseline.") }
            if target != goal.target { what.append("Target changed from \(goal.target.cleanNumber) to \(target.cleanNumber)"); goal.target = target }
        }
        if let deadline = form.deadline?.trimmingCharacters(in: .whitespaces), !deadline.isEmpty {
            guard DisplayTime.date(fromISODay: deadline) != nil, deadline > goal.startsOn else { throw LodestarError("Give the new deadline as a date after the goal was set.") }
            if deadline != goal.deadline { what.append("Deadline moved from \(goal.deadline) to \(deadline)"); goal.deadline = deadline }
        }
        let summary = what.isEmpty ? "Plan reviewed" : what.joined(separator: "; ")
        try await req.db.writeTransaction { db in
            try await goal.save(on: db)
            try await PlanChange.record(goalId: goal.id!, what: summary, why: why, by: viewer.id, on: db)
        }
        return req.redirect(to: "/goals/\(scope.id.urlQueryEncoded)/\(goal.id!)#log")
    }
}

extension PlanChange {
    static func record(goalId: String, what: String, why: String, by authorId: String, on db: any Database) async throws {
        let change = PlanChange()
        change.id = UUID().uuidString.lowercased()
        change.goalId = goalId
        change.what = String(what.prefix(1_000))
        change.why = String(why.prefix(2_000))
        change.authorId = authorId
        change.at = Int(Date().timeIntervalSince1970)
        try await change.create(on: db)
    }
}
