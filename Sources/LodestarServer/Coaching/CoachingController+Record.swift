import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

extension CoachingController {
    // MARK: A teacher's coaching record

    struct RecordPage: Encodable {
        struct StepItem: Encodable { let id: String; let text: String; let owner: String; let due: String; let done: Bool; let overdue: Bool }
        struct ConversationItem: Encodable {
            let when: String
            let coach: String
            let focus: [String]
            let notes: String
            let walkthroughId: String?
            let followUp: String?
            let steps: [StepItem]
        }
        let page: PageContext
        let teacherId: String
        let teacherName: String
        let isSelf: Bool
        let canCoach: Bool
        let canCompleteSteps: Bool
        let conversations: [ConversationItem]
        let recentWalkthroughs: [SelectOption]
        let selectedWalkthrough: String
        let indicators: [SelectOption]
        let today: String
        let error: String?
    }

    struct Relationship {
        let teacher: Staff
        let schools: Set<String>
        let onCaseload: Bool
        let isSelf: Bool
    }

    func relationship(_ req: Request, _ viewer: Viewer, teacherId: String) async throws -> Relationship {
        guard let teacher = try await StaffDirectory(db: req.db).person(teacherId) else { throw LodestarError.notFound }
        let schools = try await StaffDirectory(db: req.db).teachingSchools(of: teacherId)
        guard !schools.isEmpty else { throw LodestarError.notFound }
        let relation = Relationship(teacher: teacher, schools: schools, onCaseload: try await CoachingQueries(db: req.db).isOnCaseload(coach: viewer.id, teacher: teacherId),
                                    isSelf: teacherId == viewer.id)
        try req.require(viewer.policy.canSeeCoaching(ofTeacherAt: schools, isSelf: relation.isSelf, onCaseload: relation.onCaseload))
        return relation
    }

    func record(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        return try await renderRecord(req, viewer, relation: relationship(req, viewer, teacherId: try req.parameters.require("teacherId")), error: nil)
    }

    func renderRecord(_ req: Request, _ viewer: Viewer, relation: Relationship, error: String?) async throws -> View {
        let teacherId = relation.teacher.id!
        let framework = try await FrameworkStore.active(on: req.db).framework
        let conversations = try await CoachingConversation.query(on: req.db).filter(\.$teacherId == teacherId).sort(\.$heldAt, .descending).all()
        let steps = try await CoachingStep.query(on: req.db).filter(\.$conversationId ~~ conversations.compactMap(\.id)).all()
        let coaches = try await StaffDirectory(db: req.db).people(ids: Set(conversations.map(\.coachId)))
        // The teacher opens only the walkthroughs shared with them; the others see every one.
        let shared = try await WalkthroughQueries(db: req.db).shared(among: conversations.compactMap(\.walkthroughId))
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let canCoach = viewer.policy.canCoach(teacherAt: relation.schools, onCaseload: relation.onCaseload)
        let recent = canCoach ? try await WalkthroughQueries(db: req.db).visits(to: teacherId, by: viewer.id, limit: 10) : []
        return try await req.view.render("coaching/record", RecordPage(
            page: PageContext(request: req, title: "Coaching: \(relation.teacher.displayName)"), teacherId: teacherId,
            teacherName: relation.teacher.displayName, isSelf: relation.isSelf, canCoach: canCoach,
            canCompleteSteps: canCoach || relation.isSelf,
            conversations: conversations.map { conversation in
                // Conversations and follow-ups are given a day, not a time: shown as days.
                .init(when: DisplayTime.date(conversation.heldAt),
                      coach: coaches.first { $0.id == conversation.coachId }?.displayName ?? "Former coach",
                      focus: conversation.focus.split(separator: ",").map { framework.indicator(String($0))?.shortName ?? String($0) },
                      notes: conversation.notes, walkthroughId: conversation.walkthroughId.flatMap { shared.contains($0) || !relation.isSelf ? $0 : nil }, followUp: conversation.followUpAt.map(DisplayTime.date),
                      steps: steps.filter { $0.conversationId == conversation.id }.sorted { $0.dueOn < $1.dueOn }.map { step in
                          .init(id: step.id!, text: step.text, owner: step.owner == "coach" ? "Coach" : "Teacher", due: DisplayTime.date(step.dueOn),
                                done: step.doneAt != nil, overdue: step.doneAt == nil && step.dueOn < today)
                      })
            },
            recentWalkthroughs: recent.map { .init(value: $0.id!, label: "\(DisplayTime.dateTime($0.observedAt)) — \(VisitType(rawValue: $0.visitType)?.label ?? $0.visitType)") },
            selectedWalkthrough: req.query[String.self, at: "walkthrough"] ?? "",
            indicators: framework.indicators.map { .init(value: $0.key, label: $0.shortName) },
            today: today, error: error))
    }

    struct ConversationForm: Content {
        var heldOn: String
        var walkthroughId: String?
        var focus: [String]?
        var notes: String
        var stepText: [String]?
        var stepOwner: [String]?
        var stepDue: [String]?
        var followUpOn: String?
    }

    func createConversation(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let relation = try await relationship(req, viewer, teacherId: try req.parameters.require("teacherId"))
        try req.require(viewer.policy.canCoach(teacherAt: relation.schools, onCaseload: relation.onCaseload))
        let form = try req.content.decode(ConversationForm.self)
        let framework = try await FrameworkStore.active(on: req.db).framework
        do {
            guard let held = DisplayTime.date(fromISODay: form.heldOn, time: "12:00") else { throw LodestarError("Give the day of the conversation.") }
            let notes = form.notes.trimmingCharacters(in: .whitespacesAndNewlines)
            let focus = (form.focus ?? []).filter { framework.indicator($0) != nil }
            guard !notes.isEmpty || !focus.isEmpty else { throw LodestarError("Write notes or choose at least one practice in focus.") }
            var steps: [(String, String, String)] = []
            let texts = form.stepText ?? [], owners = form.stepOwner ?? [], dues = form.stepDue ?? []
            for (index, text) in texts.enumerated() {
                let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !text.isEmpty else { continue }
                let due = index < dues.count ? dues[index] : ""
                guard ISODate.isValid(due) else { throw LodestarError("Give a due date for the step “\(text)”.") }
                steps.append((text, index < owners.count && owners[index] == "coach" ? "coach" : "teacher", due))
            }
            var followUp: Date?
            if let day = form.followUpOn, !day.isEmpty {
                guard let date = DisplayTime.date(fromISODay: day, time: "09:00"), date > Date() else {
                    throw LodestarError("The follow-up visit must be on a later day.")
                }
                followUp = date
            }
            var walkthroughId: String?
            if let id = form.walkthroughId, !id.isEmpty {
                guard let walkthrough = try await WalkthroughQueries(db: req.db).walkthrough(id), walkthrough.teacherId == relation.teacher.id else {
                    throw LodestarError("Choose one of this teacher's walkthroughs.")
                }
                walkthroughId = walkthrough.id
            }
            let conversation = CoachingConversation()
            conversation.id = UUID().uuidString.lowercased()
            conversation.coachId = viewer.id
            conversation.teacherId = relation.teacher.id!
            conversation.walkthroughId = walkthroughId
            conversation.heldAt = Int(held.timeIntervalSince1970)
            conversation.focus = focus.joined(separator: ",")
            conversation.notes = String(notes.prefix(8_000))
            conversation.followUpAt = followUp.map { Int($0.timeIntervalSince1970) }
            conversation.createdAt = Int(Date().timeIntervalSince1970)
            let schoolId = relation.schools.sorted()[0]
            let agreedSteps = steps, followUpVisit = followUp
            try await req.db.writeTransaction { db in
                try await conversation.create(on: db)
                for (text, owner, due) in agreedSteps {
                    let step = CoachingStep()
                    step.id = UUID().uuidString.lowercased()
                    step.conversationId = conversation.id!
                    step.text = String(text.prefix(1_000))
                    step.owner = owner
                    step.dueOn = due
                    try await step.create(on: db)
                }
                if let followUp = followUpVisit {
                    try await WalkthroughQueries(db: db).planVisit(observer: viewer.id, teacher: conversation.teacherId, school: schoolId, type: .coaching,
                                                                   at: Int(followUp.timeIntervalSince1970), note: "Follow-up on our coaching conversation")
                }
            }
        } catch let error as LodestarError {
            let response = try await renderRecord(req, viewer, relation: relation, error: error.description).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        return req.redirect(to: "/coaching/teachers/\(relation.teacher.id!.urlQueryEncoded)")
    }

    func completeStep(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        guard let step = try await CoachingStep.find(try req.parameters.require("stepId"), on: req.db),
              let conversation = try await CoachingConversation.find(step.conversationId, on: req.db) else { throw LodestarError.notFound }
        let relation = try await relationship(req, viewer, teacherId: conversation.teacherId)
        try req.require(relation.isSelf || viewer.policy.canCoach(teacherAt: relation.schools, onCaseload: relation.onCaseload))
        step.doneAt = step.doneAt == nil ? Int(Date().timeIntervalSince1970) : nil
        try await req.db.writeTransaction { db in try await step.save(on: db) }
        return req.redirect(to: "/coaching/teachers/\(conversation.teacherId.urlQueryEncoded)")
    }
}
