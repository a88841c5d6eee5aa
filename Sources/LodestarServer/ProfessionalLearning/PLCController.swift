import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Professional learning communities: grade or subject teams of a school, their meeting notes, and
/// cycles of inquiry — a question about student learning, the assessments looked at, the plan, the
/// action and what was learned — with each cycle's stage visible to the school's leaders.
struct PLCController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("plcs", use: index)
        routes.post("plcs", use: create)
        routes.get("plcs", ":teamId", use: team)
        routes.post("plcs", ":teamId", "members", use: setMembers)
        routes.post("plcs", ":teamId", "meetings", use: addMeeting)
        routes.post("plcs", ":teamId", "cycles", use: openCycle)
        routes.post("plcs", ":teamId", "cycles", ":cycleId", use: updateCycle)
    }

    // MARK: Index

    struct IndexPage: Encodable {
        struct Team: Encodable { let id: String; let name: String; let focus: String; let members: Int; let cycle: String?; let stage: String?; let lastMeeting: String? }
        struct School: Encodable { let id: String; let name: String; let teams: [Team]; let canStart: Bool; let teachers: [SelectOption] }
        let page: PageContext
        let schools: [School]
        let error: String?
    }

    func index(req: Request) async throws -> View {
        try await renderIndex(req, error: nil)
    }

    func renderIndex(_ req: Request, error: String?) async throws -> View {
        let viewer = try await req.viewer()
        let memberOf = Set(try await PLCMember.query(on: req.db).filter(\.$staffId == viewer.id).all().map(\.teamId))
        let allSchools = try await RosterQueries(req.db).schoolOrgs()
        let memberTeams = try await PLCTeam.query(on: req.db).filter(\.$id ~~ Array(memberOf)).all()
        let schools = allSchools.filter { school in
            viewer.policy.canSeePLC(atSchool: school.id!, isMember: false) || viewer.policy.canStartPLC(atSchool: school.id!) || memberTeams.contains { $0.schoolId == school.id }
        }
        let teams = try await PLCTeam.query(on: req.db).filter(\.$schoolId ~~ schools.map { $0.id! }).sort(\.$name).all()
            .filter { viewer.policy.canSeePLC(atSchool: $0.schoolId, isMember: memberOf.contains($0.id!)) }
        let teamIds = teams.compactMap(\.id)
        let members = try await req.db.sql.rowCounts(in: PLCMember.schema, by: "team_id", values: teamIds)
        var lastMeeting: [String: String] = [:]
        if !teamIds.isEmpty {
            for row in try await req.db.sql.raw("SELECT team_id, MAX(held_on) AS last FROM plc_meetings WHERE team_id IN (\(binds: teamIds)) GROUP BY team_id").all() {
                lastMeeting[try row.decode(column: "team_id", as: String.self)] = try row.decode(column: "last", as: String.self)
            }
        }
        let cycles = try await InquiryCycle.query(on: req.db).filter(\.$teamId ~~ teamIds).sort(\.$openedAt, .descending).all()
        var result: [IndexPage.School] = []
        for school in schools {
            let canStart = viewer.policy.canStartPLC(atSchool: school.id!)
            let teachers = canStart ? try await RosterQueries(req.db).teachers(inSchool: school.id!).map { SelectOption(value: $0.id, label: "\($0.familyName), \($0.givenName)") } : []
            result.append(.init(id: school.id!, name: school.name, teams: teams.filter { $0.schoolId == school.id }.map { team in
                let current = cycles.first { $0.teamId == team.id && $0.status != InquiryStage.closed.rawValue } ?? cycles.first { $0.teamId == team.id }
                return .init(id: team.id!, name: team.name, focus: team.focus, members: members[team.id!] ?? 0, cycle: current?.question,
                             stage: current.flatMap { InquiryStage(rawValue: $0.status)?.label }, lastMeeting: lastMeeting[team.id!].map(DisplayTime.date))
            }, canStart: canStart, teachers: teachers))
        }
        try req.require(!result.isEmpty)
        return try await req.view.render("learning/plcs", IndexPage(page: PageContext(request: req, title: "PLCs"), schools: result, error: error))
    }

    struct TeamForm: Content {
        var school: String
        var name: String
        var focus: String?
        var members: [String]?
    }

    func create(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let form = try req.content.decode(TeamForm.self)
        try req.require(viewer.policy.canStartPLC(atSchool: form.school))
        let name = form.name.trimmingCharacters(in: .whitespacesAndNewlines)
        let members = try await validMembers(form.members ?? [], school: form.school, on: req.db)
        guard !name.isEmpty, let members, !members.isEmpty else {
            let response = try await renderIndex(req, error: "Name the team and choose its members among the school's teachers.").encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
        let team = PLCTeam()
        team.id = UUID().uuidString.lowercased()
        team.schoolId = form.school
        team.name = String(name.prefix(200))
        team.focus = String((form.focus ?? "").trimmingCharacters(in: .whitespaces).prefix(200))
        team.createdBy = viewer.id
        team.createdAt = Int(Date().timeIntervalSince1970)
        try await req.db.writeTransaction { db in
            try await team.create(on: db)
            try await Self.replaceMembers(of: team.id!, with: members, on: db)
        }
        return req.redirect(to: "/plcs/\(team.id!)")
    }

    /// The chosen people when every one teaches at the school; nil otherwise.
    func validMembers(_ ids: [String], school: String, on db: any Database) async throws -> [String]? {
        let teachers = Set(try await RosterQueries(db).teachers(inSchool: school).map(\.id))
        let chosen = Array(Set(ids)).sorted()
        return chosen.allSatisfy(teachers.contains) ? chosen : nil
    }

    static func replaceMembers(of teamId: String, with members: [String], on db: any Database) async throws {
        try await PLCMember.query(on: db).filter(\.$teamId == teamId).delete()
        for staffId in members {
            let member = PLCMember()
            member.id = "\(teamId)|\(staffId)"
            member.teamId = teamId
            member.staffId = staffId
            try await member.create(on: db)
        }
    }
}
