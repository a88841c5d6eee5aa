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
        let managed = try await RosterQueries(req.db).schoolOrgs()
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
            let walkthroughs = WalkthroughQueries(db: req.db)
            let teachers = try await StaffDirectory(db: req.db).people(ids: try await CoachingQueries(db: req.db).caseloadEntries(coach: viewer.id).map(\.teacherId))
            let ids = teachers.compactMap(\.id)
            let visits = try await walkthroughs.coverage(of: ids, termStart: now, now: now, scheduledBy: viewer.id)
            var lastConversation: [String: Int] = [:], openSteps: [String: Int] = [:]
            if !ids.isEmpty {
                for row in try await sql.raw("""
                    SELECT teacher_id, MAX(held_at) AS held_at FROM coaching_conversations
                    WHERE coach_id = \(bind: viewer.id) AND teacher_id IN (\(binds: ids)) GROUP BY teacher_id
                    """).all() {
                    lastConversation[try row.decode(column: "teacher_id", as: String.self)] = try row.decode(column: "held_at", as: Int.self)
                }
                for row in try await sql.raw("""
                    SELECT c.teacher_id, COUNT(*) AS open_steps FROM coaching_steps s JOIN coaching_conversations c ON c.id = s.conversation_id
                    WHERE c.teacher_id IN (\(binds: ids)) AND s.done_at IS NULL GROUP BY c.teacher_id
                    """).all() {
                    openSteps[try row.decode(column: "teacher_id", as: String.self)] = try row.decode(column: "open_steps", as: Int.self)
                }
            }
            caseload = teachers.map { teacher in
                let id = teacher.id!
                return OverviewPage.TeacherRow(
                    id: id, name: teacher.displayName,
                    lastVisit: visits[id]?.lastVisit.map(DisplayTime.dateTime) ?? "No visit yet",
                    lastConversation: lastConversation[id].map(DisplayTime.dateTime) ?? "None yet",
                    openSteps: openSteps[id] ?? 0,
                    followUp: visits[id]?.upcoming.map(DisplayTime.dateTime))
            }
        }
        var groups: [OverviewPage.CaseloadGroup] = []
        for school in managed {
            let coaches = try await StaffDirectory(db: req.db).people(holding: [.coach], atSchools: [school.id!])
            let teachers = try await RosterQueries(req.db).teachers(inSchool: school.id!)
            for coach in coaches {
                let coachId = coach.id
                let entries = try await CoachingQueries(db: req.db).caseloadEntries(coach: coachId)
                let members = Set(entries.map(\.teacherId))
                groups.append(.init(
                    schoolId: school.id!, schoolName: school.name, coachId: coachId,
                    coachName: coach.name,
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
        let isCoach = try await StaffDirectory(db: req.db).holds(form.coachId, RoleGrant(role: .coach, schoolId: form.school))
        let teacherSchools = try await StaffDirectory(db: req.db).teachingSchools(of: form.teacherId)
        guard isCoach, teacherSchools.contains(form.school) else {
            throw LodestarError("Choose a coach and a teacher of the same school.")
        }
        let id = "\(form.coachId)|\(form.teacherId)"
        try await req.db.writeTransaction { db in
            if try await CoachingQueries(db: db).caseloadEntry(id) == nil {
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
        guard let entry = try await CoachingQueries(db: req.db).caseloadEntry(form.entryId),
              try await StaffDirectory(db: req.db).teachingSchools(of: entry.teacherId).contains(form.school) else { throw LodestarError.notFound }
        try await req.db.writeTransaction { db in try await entry.delete(on: db) }
        req.leaveNotice("Removed from the caseload.")
        return req.redirect(to: "/coaching")
    }
}
