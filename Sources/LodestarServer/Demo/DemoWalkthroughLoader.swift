import Fluent
import Foundation
import LodestarCore
import SQLKit

/// Stores the demo district's walkthroughs, replies and coaching caseloads beside anything
/// people have entered: rows are matched by their stable demo ids, never deleted.
enum DemoWalkthroughLoader {
    static let walkthroughs = TableSync(table: "walkthroughs", columns: [
        ("framework_id", .text), ("observer_id", .text), ("teacher_id", .text), ("class_id", .optionalText), ("school_id", .text),
        ("visit_type", .text), ("announced", .bool), ("observed_at", .int), ("students_on_task", .optionalInt),
        ("students_present", .optionalInt), ("glow", .text), ("grow", .text), ("question", .text), ("notes", .text),
        ("shared_at", .optionalInt), ("read_at", .optionalInt), ("created_at", .int)])
    static let marks = TableSync(table: "indicator_marks", columns: [
        ("walkthrough_id", .text), ("indicator_key", .text), ("mark", .text), ("look_fors", .text)])
    static let replies = TableSync(table: "feedback_replies", columns: [
        ("walkthrough_id", .text), ("author_id", .text), ("body", .text), ("created_at", .int)])
    static let caseloads = TableSync(table: "caseloads", columns: [("coach_id", .text), ("teacher_id", .text)])
    static let conversations = TableSync(table: "coaching_conversations", columns: [
        ("coach_id", .text), ("teacher_id", .text), ("walkthrough_id", .optionalText), ("held_at", .int), ("focus", .text),
        ("notes", .text), ("follow_up_at", .optionalInt), ("created_at", .int)])
    static let steps = TableSync(table: "coaching_steps", columns: [
        ("conversation_id", .text), ("text", .text), ("owner", .text), ("due_on", .text), ("done_at", .optionalInt)])
    static let scheduled = TableSync(table: "scheduled_visits", columns: [
        ("observer_id", .text), ("teacher_id", .text), ("school_id", .text), ("visit_type", .text), ("scheduled_for", .int),
        ("note", .text), ("created_at", .int)])

    static func load(_ demo: DemoWalkthroughs, now: Int, on db: any Database) async throws {
        let frameworkId = try await FrameworkStore.active(on: db).id
        var walkthroughRows = TableRows(minimumCapacity: demo.visits.count)
        var markRows = TableRows()
        var replyRows = TableRows()
        for visit in demo.visits {
            walkthroughRows[visit.id] = [
                .text(frameworkId), .text(visit.observerId), .text(visit.teacherId), Cell(visit.classId), .text(visit.schoolId),
                .text(visit.visitType.rawValue), .bool(visit.announced), .int(visit.observedAt), Cell(visit.studentsOnTask),
                Cell(visit.studentsPresent), .text(visit.glow), .text(visit.grow), .text(visit.question), .text("[]"),
                Cell(visit.sharedAt), Cell(visit.readAt), .int(visit.observedAt)]
            for mark in visit.marks {
                markRows["\(visit.id)|\(mark.indicator)"] = [.text(visit.id), .text(mark.indicator), .text(mark.mark), .text(mark.lookFors.joined(separator: "\n"))]
            }
            if let text = visit.replyText, let at = visit.repliedAt {
                replyRows["\(visit.id)|reply"] = [.text(visit.id), .text(visit.teacherId), .text(text), .int(at)]
            }
        }
        var caseloadRows = TableRows()
        for (coach, teachers) in demo.caseloads {
            for teacher in teachers { caseloadRows["\(coach)|\(teacher)"] = [.text(coach), .text(teacher)] }
        }
        var conversationRows = TableRows(), stepRows = TableRows(), scheduledRows = TableRows()
        for conversation in demo.conversations {
            conversationRows[conversation.id] = [
                .text(conversation.coachId), .text(conversation.teacherId), .text(conversation.walkthroughId), .int(conversation.heldAt),
                .text(conversation.focus.joined(separator: ",")), .text(conversation.notes), Cell(conversation.followUpAt), .int(conversation.heldAt)]
            for (index, step) in conversation.steps.enumerated() {
                stepRows["\(conversation.id)|\(index)"] = [.text(conversation.id), .text(step.text), .text(step.owner), .text(step.dueOn), Cell(step.doneAt)]
            }
            if let followUp = conversation.followUpAt, followUp > now {
                scheduledRows["\(conversation.id)|follow-up"] = [
                    .text(conversation.coachId), .text(conversation.teacherId), .text(conversation.schoolId), .text(VisitType.coaching.rawValue),
                    .int(followUp), .text("Follow-up on our coaching conversation"), .int(conversation.heldAt)]
            }
        }
        let tables = [(walkthroughs, walkthroughRows), (marks, markRows), (replies, replyRows), (caseloads, caseloadRows),
                      (conversations, conversationRows), (steps, stepRows), (scheduled, scheduledRows)]
        try await db.writeTransaction { db in
            for (table, rows) in tables { try await table.merge(rows, on: db.sql) }
            try await WalkthroughQueries(db: db).recountTeacherReplies()
            try await WalkthroughContext.backfill(on: db)
            // Everything after this reads the new visits and marks (their rollups first, then the loaders that follow).
            // PostgreSQL's statistics count the transaction's own rows; gathered after the updates above, which
            // leave a second version of every visit (read after them, the per-school reads took 25 ms, not 5).
            try await db.analyzeAfterBulkLoad()
            try await db.announce(.walkthroughsLoaded)
        }
    }
}
