import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

extension PLCController {
    // MARK: A team

    struct TeamPage: Encodable {
        struct Meeting: Encodable { let day: String; let notes: String; let author: String }
        struct Linked: Encodable { let id: String; let title: String; let day: String; let summary: String }
        struct Cycle: Encodable {
            let id: String
            let question: String
            let stage: String
            let stages: [SelectOption]
            let plan: String
            let action: String
            let learned: String
            let assessments: [Linked]
            let assessmentOptions: [SelectOption]
            let opened: String
            let closed: Bool
            /// For a cycle about a grade's priority standards: the team's students' need on them now (`LearningQueries.PriorityScope`).
            let scope: String
        }
        let page: PageContext
        let id: String
        let name: String
        let focus: String
        let schoolName: String
        let members: [SelectOption]
        let memberCount: Int
        let canWork: Bool
        let canManage: Bool
        let meetings: [Meeting]
        let cycles: [Cycle]
        let assessmentOptions: [SelectOption]
        /// Grades with priority standards, for a new cycle's scope.
        let priorityGrades: [SelectOption]
        struct Need: Encodable { let title: String; let evidence: String; let open: Bool }
        /// Needs accepted from the team's own evidence.
        let needs: [Need]
        let today: String
        let error: String?
    }

    func loadTeam(_ req: Request) async throws -> (PLCTeam, isMember: Bool, canWork: Bool, canManage: Bool) {
        let viewer = try await req.viewer()
        guard let team = try await PLCTeam.find(try req.parameters.require("teamId"), on: req.db) else { throw LodestarError.notFound }
        let isMember = try await PLCMember.find("\(team.id!)|\(viewer.id)", on: req.db) != nil
        try req.require(viewer.policy.canSeePLC(atSchool: team.schoolId, isMember: isMember))
        return (team, isMember, viewer.policy.canWorkInPLC(atSchool: team.schoolId, isMember: isMember), viewer.policy.canStartPLC(atSchool: team.schoolId))
    }

    func team(req: Request) async throws -> View {
        let (team, _, canWork, canManage) = try await loadTeam(req)
        return try await renderTeam(req, team: team, canWork: canWork, canManage: canManage, error: nil)
    }

    /// The team's assessments to choose from: the newest given to classes its members teach.
    func assessmentOptions(team: PLCTeam, members: [String], on db: any Database) async throws -> [Assessment] {
        try await AssessmentQueries(db: db).newest(atSchool: team.schoolId, givenTo: try await RosterQueries(db).classIds(taughtBy: members), limit: 40)
    }

    /// An assessment as the team reads it: results and the share at or above mastery (hidden for fewer
    /// students than the small-group minimum).
    func summary(_ assessment: Assessment, on db: any Database) async throws -> String {
        let scale = try await MasteryStore.scale(assessment.scaleId, on: db)
        let (results, students, reached) = try await AssessmentQueries(db: db).results(of: assessment.id!, reaching: scale.masteryValue)
        guard results > 0 else { return "no results yet" }
        guard DistrictSettings.smallGroups.allows(students) else { return "\(results) results; fewer than \(DistrictSettings.smallGroups.minimum) students, share not shown" }
        return "\(Percent.text(Double(reached) / Double(results))) of \(results) results at or above mastery (\(students) students)"
    }

    func renderTeam(_ req: Request, team: PLCTeam, canWork: Bool, canManage: Bool, error: String?) async throws -> View {
        let teamId = team.id!
        let memberIds = try await PLCMember.query(on: req.db).filter(\.$teamId == teamId).all().map(\.staffId)
        let meetings = try await PLCMeeting.query(on: req.db).filter(\.$teamId == teamId).sort(\.$heldOn, .descending).all()
        let cycles = try await InquiryCycle.query(on: req.db).filter(\.$teamId == teamId).sort(\.$openedAt, .descending).all()
        let options = try await assessmentOptions(team: team, members: memberIds, on: req.db)
        let linkedIds = Set(cycles.flatMap(\.assessmentIds))
        var linked: [String: TeamPage.Linked] = [:]
        for assessment in try await AssessmentQueries(db: req.db).assessments(ids: linkedIds) {
            linked[assessment.id!] = .init(id: assessment.id!, title: assessment.title, day: DisplayTime.date(assessment.assessedOn), summary: try await summary(assessment, on: req.db))
        }
        let prioritized = try await StandardsQueries(db: req.db).prioritiesByGrade()
        var scopes: [String: String] = [:]
        let scopedGrades = Set(cycles.map(\.priorityGrade).filter { !$0.isEmpty })
        if !scopedGrades.isEmpty {
            let taught = try await RosterQueries(req.db).students(taughtBy: memberIds)
            for grade in scopedGrades {
                let students = try await RosterQueries(req.db).studentIds(inGrade: grade, atSchool: team.schoolId).filter(taught.contains)
                scopes[grade] = try await LearningQueries(db: req.db).priorityScope(ofGrade: grade, students: students)?.evidence
                    ?? "\(GradeLevel.label(grade)) has no priority standards any more."
            }
        }
        let names = try await Staff.names(of: Set(memberIds + meetings.map(\.authorId)), on: req.db)
        let schoolTeachers = canManage ? try await RosterQueries(req.db).teachers(inSchool: team.schoolId) : []
        let members: [SelectOption] = canManage
            ? schoolTeachers.map { SelectOption(value: $0.id, label: "\($0.familyName), \($0.givenName)", selected: memberIds.contains($0.id)) }
            : memberIds.map { SelectOption(value: $0, label: names[$0] ?? $0, selected: true) }.sorted { $0.label < $1.label }
        func choices(_ chosen: Set<String>) -> [SelectOption] {
            options.map { SelectOption(value: $0.id!, label: "\(DisplayTime.date($0.assessedOn)) — \($0.title)", selected: chosen.contains($0.id!)) }
        }
        return try await req.view.render("learning/plc", TeamPage(
            page: PageContext(request: req, title: team.name), id: teamId, name: team.name, focus: team.focus,
            schoolName: try await RosterQueries(req.db).org(team.schoolId)?.name ?? "",
            members: members, memberCount: memberIds.count, canWork: canWork, canManage: canManage,
            meetings: meetings.map { .init(day: DisplayTime.date($0.heldOn), notes: $0.notes, author: names[$0.authorId] ?? "—") },
            cycles: cycles.map { cycle in
                .init(id: cycle.id!, question: cycle.question, stage: InquiryStage(rawValue: cycle.status)?.label ?? cycle.status,
                      stages: InquiryStage.allCases.map { SelectOption(value: $0.rawValue, label: $0.label, selected: $0.rawValue == cycle.status) },
                      plan: cycle.plan, action: cycle.action, learned: cycle.learned,
                      assessments: cycle.assessmentIds.compactMap { linked[$0] }, assessmentOptions: choices(Set(cycle.assessmentIds)),
                      opened: DisplayTime.day(cycle.openedAt), closed: cycle.status == InquiryStage.closed.rawValue,
                      scope: scopes[cycle.priorityGrade] ?? "")
            },
            assessmentOptions: choices([]),
            priorityGrades: try await RosterQueries(req.db).grades(inSchool: team.schoolId).filter { prioritized[$0] != nil }
                .map { SelectOption(value: $0, label: GradeLevel.label($0)) },
            needs: try await LearningNeed.query(on: req.db).filter(\.$teamId == teamId).sort(\.$acceptedAt, .descending).all()
                .map { .init(title: $0.title, evidence: $0.evidence, open: $0.status == "open") },
            today: DisplayTime.isoDay(Int(Date().timeIntervalSince1970)), error: error))
    }

    func refuse(_ req: Request, _ team: PLCTeam, canWork: Bool, canManage: Bool, _ message: String) async throws -> Response {
        let response = try await renderTeam(req, team: team, canWork: canWork, canManage: canManage, error: message).encodeResponse(for: req)
        response.status = .unprocessableEntity
        return response
    }

    struct MembersForm: Content { var members: [String]? }

    func setMembers(req: Request) async throws -> Response {
        let (team, _, canWork, canManage) = try await loadTeam(req)
        try req.require(canManage)
        guard let members = try await validMembers(try req.content.decode(MembersForm.self).members ?? [], school: team.schoolId, on: req.db), !members.isEmpty else {
            return try await refuse(req, team, canWork: canWork, canManage: canManage, "Choose at least one member among the school's teachers.")
        }
        try await req.db.writeTransaction { db in try await Self.replaceMembers(of: team.id!, with: members, on: db) }
        return req.redirect(to: "/plcs/\(team.id!)")
    }

    struct MeetingForm: Content { var heldOn: String; var notes: String }

    func addMeeting(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let (team, _, canWork, canManage) = try await loadTeam(req)
        try req.require(canWork)
        let form = try req.content.decode(MeetingForm.self)
        let notes = form.notes.trimmingCharacters(in: .whitespacesAndNewlines)
        guard ISODate.isValid(form.heldOn), !notes.isEmpty else {
            return try await refuse(req, team, canWork: canWork, canManage: canManage, "Give the day of the meeting and its notes.")
        }
        let meeting = PLCMeeting()
        meeting.id = UUID().uuidString.lowercased()
        meeting.teamId = team.id!
        meeting.heldOn = form.heldOn
        meeting.notes = String(notes.prefix(8_000))
        meeting.authorId = viewer.id
        meeting.createdAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in try await meeting.create(on: db) }
        return req.redirect(to: "/plcs/\(team.id!)")
    }

    struct CycleForm: Content {
        var question: String?
        var status: String?
        var plan: String?
        var action: String?
        var learned: String?
        var assessments: [String]?
        var priorityGrade: String?
    }

    /// The chosen assessments when each is one the team may link (or was linked already); nil otherwise.
    func validAssessments(_ ids: [String], team: PLCTeam, keeping linked: [String] = [], on db: any Database) async throws -> [String]? {
        let members = try await PLCMember.query(on: db).filter(\.$teamId == team.id!).all().map(\.staffId)
        let allowed = Set(try await assessmentOptions(team: team, members: members, on: db).compactMap(\.id) + linked)
        let chosen = Array(Set(ids)).sorted()
        return chosen.allSatisfy(allowed.contains) ? chosen : nil
    }

    func openCycle(req: Request) async throws -> Response {
        let (team, _, canWork, canManage) = try await loadTeam(req)
        try req.require(canWork)
        let form = try req.content.decode(CycleForm.self)
        let question = (form.question ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !question.isEmpty else { return try await refuse(req, team, canWork: canWork, canManage: canManage, "Write the question about student learning.") }
        guard let assessments = try await validAssessments(form.assessments ?? [], team: team, on: req.db) else {
            return try await refuse(req, team, canWork: canWork, canManage: canManage, "Link assessments given in the team's classes.")
        }
        let grade = (form.priorityGrade ?? "").trimmingCharacters(in: .whitespaces)
        if !grade.isEmpty, try await StandardsQueries(db: req.db).prioritiesByGrade()[grade] == nil {
            return try await refuse(req, team, canWork: canWork, canManage: canManage, "That grade has no priority standards; choose one that has, or none.")
        }
        let now = Int(Date().timeIntervalSince1970)
        let cycle = InquiryCycle()
        cycle.id = UUID().uuidString.lowercased()
        cycle.teamId = team.id!
        cycle.question = String(question.prefix(1_000))
        cycle.assessments = assessments.joined(separator: ",")
        cycle.plan = ""
        cycle.action = ""
        cycle.learned = ""
        cycle.priorityGrade = grade
        cycle.status = assessments.isEmpty ? InquiryStage.question.rawValue : InquiryStage.data.rawValue
        cycle.openedAt = now
        cycle.updatedAt = now
        try await req.db.writeTransaction { db in try await cycle.create(on: db) }
        return req.redirect(to: "/plcs/\(team.id!)")
    }

    func updateCycle(req: Request) async throws -> Response {
        let (team, _, canWork, canManage) = try await loadTeam(req)
        try req.require(canWork)
        guard let cycle = try await InquiryCycle.find(try req.parameters.require("cycleId"), on: req.db), cycle.teamId == team.id else { throw LodestarError.notFound }
        let form = try req.content.decode(CycleForm.self)
        guard let stage = form.status.flatMap(InquiryStage.init(rawValue:)) else {
            return try await refuse(req, team, canWork: canWork, canManage: canManage, "Choose where the cycle stands.")
        }
        guard let assessments = try await validAssessments(form.assessments ?? [], team: team, keeping: cycle.assessmentIds, on: req.db) else {
            return try await refuse(req, team, canWork: canWork, canManage: canManage, "Link assessments given in the team's classes.")
        }
        cycle.status = stage.rawValue
        cycle.assessments = assessments.joined(separator: ",")
        cycle.plan = String((form.plan ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(8_000))
        cycle.action = String((form.action ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(8_000))
        cycle.learned = String((form.learned ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(8_000))
        cycle.updatedAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in try await cycle.save(on: db) }
        return req.redirect(to: "/plcs/\(team.id!)")
    }
}
