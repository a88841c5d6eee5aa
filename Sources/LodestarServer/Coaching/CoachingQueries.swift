import Fluent
import LodestarCore

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
}
