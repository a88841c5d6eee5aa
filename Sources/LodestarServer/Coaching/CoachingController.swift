import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Coaching: caseloads (assigned by school administrators), each teacher's coaching record, and
/// conversations with focus practices, next steps and a follow-up visit.
struct CoachingController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("coaching", use: overview)
        routes.post("coaching", "caseloads", use: addToCaseload)
        routes.post("coaching", "caseloads", "remove", use: removeFromCaseload)
        routes.get("coaching", "teachers", ":teacherId", use: record)
        routes.post("coaching", "teachers", ":teacherId", "conversations", use: createConversation)
        routes.post("coaching", "steps", ":stepId", "done", use: completeStep)
    }

    // MARK: Overview and caseloads

    struct OverviewPage: Encodable {
        struct TeacherRow: Encodable {
            let id: String
            let name: String
            let lastVisit: String
            let lastConversation: String
            let openSteps: Int
            let followUp: String?
        }
        struct CaseloadGroup: Encodable {
            struct Member: Encodable { let entryId: String; let name: String }
            let schoolId: String
            let schoolName: String
            let coachId: String
            let coachName: String
            let members: [Member]
            let candidates: [SelectOption]
        }
        let page: PageContext
        let caseload: [TeacherRow]
        let isCoach: Bool
        let groups: [CaseloadGroup]
        let notice: String?
    }

    func overview(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let policy = viewer.policy
        let isCoach = policy.isCoach
        let managed = try await Org.query(on: req.db).filter(\.$type == "school").sort(\.$name).all()
            .filter { policy.canManageCaseloads(atSchool: $0.id!) && (policy.isDistrictAdmin ? true : policy.schoolIds.contains($0.id!)) }
        if !isCoach && managed.isEmpty {
            // Teachers go to their own coaching record; others have nothing here.
            try req.require(policy.isTeacher)
            return req.redirect(to: "/coaching/teachers/\(viewer.id.urlQueryEncoded)")
        }
        let sql = req.db.sql
        var caseload: [OverviewPage.TeacherRow] = []
        if isCoach {
            let now = Int(Date().timeIntervalSince1970)
            let rows = try await sql.raw("""
                SELECT st.id, st.given_name, st.family_name,
                  (SELECT MAX(w.observed_at) FROM walkthroughs w WHERE w.teacher_id = st.id) AS last_visit,
                  (SELECT MAX(c.held_at) FROM coaching_conversations c WHERE c.teacher_id = st.id AND c.coach_id = \(bind: viewer.id)) AS last_conversation,
                  (SELECT COUNT(*) FROM coaching_steps s JOIN coaching_conversations c ON c.id = s.conversation_id
                   WHERE c.teacher_id = st.id AND s.done_at IS NULL) AS open_steps,
                  (SELECT MIN(v.scheduled_for) FROM scheduled_visits v WHERE v.teacher_id = st.id AND v.observer_id = \(bind: viewer.id) AND v.scheduled_for >= \(bind: now)) AS follow_up
                FROM caseloads k JOIN staff st ON st.id = k.teacher_id
                WHERE k.coach_id = \(bind: viewer.id) ORDER BY st.family_name, st.given_name
                """).all()
            caseload = try rows.map { row in
                OverviewPage.TeacherRow(
                    id: try row.decode(column: "id", as: String.self),
                    name: "\(try row.decode(column: "given_name", as: String.self)) \(try row.decode(column: "family_name", as: String.self))",
                    lastVisit: try row.decode(column: "last_visit", as: Int?.self).map(DisplayTime.dateTime) ?? "No visit yet",
                    lastConversation: try row.decode(column: "last_conversation", as: Int?.self).map(DisplayTime.dateTime) ?? "None yet",
                    openSteps: try row.decode(column: "open_steps", as: Int.self),
                    followUp: try row.decode(column: "follow_up", as: Int?.self).map(DisplayTime.dateTime))
            }
        }
        var groups: [OverviewPage.CaseloadGroup] = []
        for school in managed {
            let coaches = try await sql.raw("""
                SELECT st.id, st.given_name, st.family_name FROM role_grants g JOIN staff st ON st.id = g.staff_id
                WHERE g.role = 'coach' AND g.school_id = \(bind: school.id!) ORDER BY st.family_name
                """).all()
            let teachers = try await RosterQueries(db: sql).teachers(inSchool: school.id!)
            for coach in coaches {
                let coachId = try coach.decode(column: "id", as: String.self)
                let entries = try await CaseloadEntry.query(on: req.db).filter(\.$coachId == coachId).all()
                let members = Set(entries.map(\.teacherId))
                groups.append(.init(
                    schoolId: school.id!, schoolName: school.name, coachId: coachId,
                    coachName: "\(try coach.decode(column: "given_name", as: String.self)) \(try coach.decode(column: "family_name", as: String.self))",
                    members: teachers.filter { members.contains($0.id) }.map { teacher in
                        .init(entryId: entries.first { $0.teacherId == teacher.id }!.id!, name: "\(teacher.givenName) \(teacher.familyName)")
                    },
                    candidates: teachers.filter { !members.contains($0.id) && $0.id != coachId }.map { .init(value: $0.id, label: "\($0.familyName), \($0.givenName)") }))
            }
        }
        return try await req.view.render("coaching/overview", OverviewPage(
            page: PageContext(request: req, title: "Coaching"), caseload: caseload, isCoach: isCoach, groups: groups,
            notice: req.takeNotice())).encodeResponse(for: req)
    }

    struct CaseloadForm: Content {
        var coachId: String
        var teacherId: String
        var school: String
    }

    func addToCaseload(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let form = try req.content.decode(CaseloadForm.self)
        try req.require(viewer.policy.canManageCaseloads(atSchool: form.school))
        let coachGrant = try await RoleGrantRecord.find(RoleGrantRecord.id(staffId: form.coachId, grant: RoleGrant(role: .coach, schoolId: form.school)), on: req.db)
        let teacherSchools = try await WalkthroughQueries(db: req.db).teachingSchools(of: form.teacherId)
        guard coachGrant != nil, teacherSchools.contains(form.school) else {
            throw LodestarError("Choose a coach and a teacher of the same school.")
        }
        let id = "\(form.coachId)|\(form.teacherId)"
        try await req.db.writeTransaction { db in
            if try await CaseloadEntry.find(id, on: db) == nil {
                let entry = CaseloadEntry()
                entry.id = id
                entry.coachId = form.coachId
                entry.teacherId = form.teacherId
                try await entry.create(on: db)
            }
        }
        req.leaveNotice("Added to the caseload.")
        return req.redirect(to: "/coaching")
    }

    struct RemoveForm: Content {
        var entryId: String
        var school: String
    }

    func removeFromCaseload(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let form = try req.content.decode(RemoveForm.self)
        try req.require(viewer.policy.canManageCaseloads(atSchool: form.school))
        guard let entry = try await CaseloadEntry.find(form.entryId, on: req.db),
              try await WalkthroughQueries(db: req.db).teachingSchools(of: entry.teacherId).contains(form.school) else { throw Abort(.notFound) }
        try await req.db.writeTransaction { db in try await entry.delete(on: db) }
        req.leaveNotice("Removed from the caseload.")
        return req.redirect(to: "/coaching")
    }

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

    private struct Relationship {
        let teacher: Staff
        let schools: Set<String>
        let onCaseload: Bool
        let isSelf: Bool
    }

    private func relationship(_ req: Request, _ viewer: Viewer, teacherId: String) async throws -> Relationship {
        guard let teacher = try await Staff.find(teacherId, on: req.db) else { throw Abort(.notFound) }
        let queries = WalkthroughQueries(db: req.db)
        let schools = try await queries.teachingSchools(of: teacherId)
        guard !schools.isEmpty else { throw Abort(.notFound) }
        let relation = Relationship(teacher: teacher, schools: schools, onCaseload: try await queries.isOnCaseload(coach: viewer.id, teacher: teacherId),
                                    isSelf: teacherId == viewer.id)
        try req.require(viewer.policy.canSeeCoaching(ofTeacherAt: schools, isSelf: relation.isSelf, onCaseload: relation.onCaseload))
        return relation
    }

    func record(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        return try await renderRecord(req, viewer, relation: relationship(req, viewer, teacherId: try req.parameters.require("teacherId")), error: nil)
    }

    private func renderRecord(_ req: Request, _ viewer: Viewer, relation: Relationship, error: String?) async throws -> View {
        let teacherId = relation.teacher.id!
        let framework = try await FrameworkStore.active(on: req.db).framework
        let conversations = try await CoachingConversation.query(on: req.db).filter(\.$teacherId == teacherId).sort(\.$heldAt, .descending).all()
        let steps = try await CoachingStep.query(on: req.db).filter(\.$conversationId ~~ conversations.compactMap(\.id)).all()
        let coaches = try await Staff.query(on: req.db).filter(\.$id ~~ Set(conversations.map(\.coachId))).all()
        // The teacher opens only the walkthroughs shared with them; the others see every one.
        let shared = Set(try await Walkthrough.query(on: req.db).filter(\.$id ~~ conversations.compactMap(\.walkthroughId)).filter(\.$sharedAt != nil).all().compactMap(\.id))
        let today = DisplayTime.isoDay(Int(Date().timeIntervalSince1970))
        let canCoach = viewer.policy.canCoach(teacherAt: relation.schools, onCaseload: relation.onCaseload)
        let recent = canCoach ? try await Walkthrough.query(on: req.db).filter(\.$teacherId == teacherId).filter(\.$observerId == viewer.id)
            .sort(\.$observedAt, .descending).limit(10).all() : []
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
                guard let walkthrough = try await Walkthrough.find(id, on: req.db), walkthrough.teacherId == relation.teacher.id else {
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
                    let visit = ScheduledVisit()
                    visit.id = UUID().uuidString.lowercased()
                    visit.observerId = viewer.id
                    visit.teacherId = conversation.teacherId
                    visit.schoolId = schoolId
                    visit.visitType = VisitType.coaching.rawValue
                    visit.scheduledFor = Int(followUp.timeIntervalSince1970)
                    visit.note = "Follow-up on our coaching conversation"
                    visit.createdAt = conversation.createdAt
                    try await visit.create(on: db)
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
              let conversation = try await CoachingConversation.find(step.conversationId, on: req.db) else { throw Abort(.notFound) }
        let relation = try await relationship(req, viewer, teacherId: conversation.teacherId)
        try req.require(relation.isSelf || viewer.policy.canCoach(teacherAt: relation.schools, onCaseload: relation.onCaseload))
        step.doneAt = step.doneAt == nil ? Int(Date().timeIntervalSince1970) : nil
        try await req.db.writeTransaction { db in try await step.save(on: db) }
        return req.redirect(to: "/coaching/teachers/\(conversation.teacherId.urlQueryEncoded)")
    }
}
