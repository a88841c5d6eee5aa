import Fluent
import LodestarCore
import SQLKit

/// Coaching's front door: what a teacher's page shows of their coaching.
struct CoachingQueries {
    let db: any Database

    /// How many conversations the teacher has had, the latest one's time, and the steps still open.
    func summary(ofTeacher teacher: String) async throws -> (conversations: Int, lastHeldAt: Int?, openSteps: Int) {
        let conversations = try await CoachingConversation.query(on: db).filter(\.$teacherId == teacher).sort(\.$heldAt, .descending).all()
        guard !conversations.isEmpty else { return (0, nil, 0) }
        let open = try await CoachingStep.query(on: db).filter(\.$conversationId ~~ conversations.compactMap(\.id)).filter(\.$doneAt == nil).count()
        return (conversations.count, conversations.first?.heldAt, open)
    }

    // MARK: Caseloads

    /// Asked by every walkthrough saved: a plain query, no model decoded.
    func isOnCaseload(coach: String, teacher: String) async throws -> Bool {
        try await db.sql.raw("SELECT 1 AS yes FROM caseloads WHERE coach_id = \(bind: coach) AND teacher_id = \(bind: teacher)").first() != nil
    }

    /// The teachers on a coach's caseload.
    func caseload(of coach: String) async throws -> Set<String> {
        Set(try await caseloadEntries(coach: coach).map(\.teacherId))
    }

    func caseloadEntries(coach: String) async throws -> [CaseloadEntry] {
        try await CaseloadEntry.query(on: db).filter(\.$coachId == coach).all()
    }

    func caseloadEntry(_ id: String) async throws -> CaseloadEntry? { try await CaseloadEntry.find(id, on: db) }

    /// The coaches with the teacher on their caseload.
    func coaches(of teacher: String) async throws -> [String] {
        try await CaseloadEntry.query(on: db).filter(\.$teacherId == teacher).all().map(\.coachId)
    }

    /// Conversations `coaches` held in `[from, to)`: what their time ledger shows.
    func conversations(byCoaches coaches: [String], from: Int, to: Int) async throws -> [CoachingConversation] {
        guard !coaches.isEmpty else { return [] }
        return try await CoachingConversation.query(on: db).filter(\.$coachId ~~ coaches).filter(\.$heldAt >= from).filter(\.$heldAt < to).all()
    }

    /// A next step still open and due on `day`, with its conversation's coach and teacher: for reminders.
    struct DueStep: Sendable { var id: String; var dueOn: String; var coachId: String; var teacherId: String }

    func openNextSteps(dueOn day: String) async throws -> [DueStep] {
        let steps = try await CoachingStep.query(on: db).filter(\.$dueOn == day).filter(\.$doneAt == nil).sort(\.$id).all()
        guard !steps.isEmpty else { return [] }
        let conversations = Dictionary(try await CoachingConversation.query(on: db).filter(\.$id ~~ Set(steps.map(\.conversationId))).all()
            .map { ($0.id!, $0) }) { a, _ in a }
        return steps.compactMap { step in
            conversations[step.conversationId].map { DueStep(id: step.id!, dueOn: step.dueOn, coachId: $0.coachId, teacherId: $0.teacherId) }
        }
    }

    /// Coaching's listener: a conversation held after a visit stays when the visit is deleted, without the link to it.
    func follow(_ change: Change) async throws {
        guard case .walkthroughsDeleting(let ids) = change, !ids.isEmpty else { return }
        try await db.sql.raw("UPDATE coaching_conversations SET walkthrough_id = NULL WHERE walkthrough_id IN (\(binds: ids))").run()
    }
}

extension CoachingQueries {
    /// Conversations a person had as coach or teacher, held or followed up in `from..<to`.
    func conversations(involving person: String, from: Int, to: Int) async throws -> [CoachingConversation] {
        try await CoachingConversation.query(on: db).group(.or) { $0.filter(\.$coachId == person).filter(\.$teacherId == person) }
            .group(.or) { window in
                window.group(.and) { $0.filter(\.$heldAt >= from).filter(\.$heldAt < to) }
                    .group(.and) { $0.filter(\.$followUpAt >= from).filter(\.$followUpAt < to) }
            }.all()
    }

    /// Next steps not done, due `fromDay..<toDay`, of conversations a person had as coach or teacher.
    func openSteps(involving person: String, fromDay: String, toDay: String) async throws -> [(step: CoachingStep, conversation: CoachingConversation)] {
        let steps = try await CoachingStep.query(on: db).filter(\.$doneAt == nil).filter(\.$dueOn >= fromDay).filter(\.$dueOn < toDay).all()
        guard !steps.isEmpty else { return [] }
        let conversations = try await CoachingConversation.query(on: db).filter(\.$id ~~ Set(steps.map(\.conversationId)))
            .group(.or) { $0.filter(\.$coachId == person).filter(\.$teacherId == person) }.all()
        let byId = Dictionary(uniqueKeysWithValues: conversations.map { ($0.id!, $0) })
        return steps.compactMap { step in byId[step.conversationId].map { (step, $0) } }
    }
}
