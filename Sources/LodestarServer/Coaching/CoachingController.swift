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
              try await WalkthroughQueries(db: req.db).teachingSchools(of: entry.teacherId).contains(form.school) else { throw LodestarError.notFound }
        try await req.db.writeTransaction { db in try await entry.delete(on: db) }
        req.leaveNotice("Removed from the caseload.")
        return req.redirect(to: "/coaching")
    }
}
