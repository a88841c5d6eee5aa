import Fluent
import Foundation
import LodestarCore
import SQLKit
import Vapor

/// Professional learning planned from evidence: the needs the data proposes and those a leader
/// accepted, sessions and series linked to needs, practices and standards, attendance, and each
/// session's before/after impact in its attendees' classrooms.
struct LearningController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("learning", use: hub)
        routes.get("learning", "needs.csv", use: needsCSV)
        routes.post("learning", "needs", use: acceptNeed)
        routes.post("learning", "needs", ":needId", "status", use: needStatus)
        routes.get("learning", "sessions", "new", use: newSession)
        routes.post("learning", "sessions", use: createSession)
        routes.get("learning", "sessions", ":sessionId", use: session)
        routes.post("learning", "sessions", ":sessionId", "attendance", use: recordAttendance)
        routes.get("learning", "sessions", ":sessionId", "attendance.csv", use: attendanceCSV)
        routes.get("learning", "sessions", ":sessionId", "impact", use: impact)
        routes.get("learning", "sessions", ":sessionId", "impact.csv", use: impactCSV)
    }

    // MARK: Scope

    /// The district or a school the page is about, among those the viewer may read, and whether they plan there.
    struct Scope {
        let id: String
        let name: String
        let options: [SelectOption]
        let canPlan: Bool
        var schoolId: String? { LearningScope.schoolId(id) }
    }

    static func scope(_ req: Request, requested: String?) async throws -> Scope {
        let viewer = try await req.viewer()
        let schools = try await RosterQueries(req.db).schoolOrgs()
            .filter { viewer.policy.canViewPlan(ofSchool: $0.id!) }
        let district = try await RosterQueries(req.db).districtName()
        var options = schools.map { SelectOption(value: $0.id!, label: $0.name) }
        if viewer.policy.seesWholeDistrict { options.insert(SelectOption(value: LearningScope.district, label: district), at: 0) }
        try req.require(!options.isEmpty)
        // Planners start where they plan; others at their first school.
        let planned = options.first { viewer.policy.canPlanLearning(forSchool: LearningScope.schoolId($0.value)) }
        let id = requested.flatMap { $0.isEmpty ? nil : $0 } ?? planned?.value ?? options[0].value
        guard let chosen = options.first(where: { $0.value == id }) else { throw LodestarError.forbidden }
        return Scope(id: id, name: chosen.label, options: options.map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == id) },
                     canPlan: viewer.policy.canPlanLearning(forSchool: LearningScope.schoolId(id)))
    }

    // MARK: Hub

    struct HubPage: Encodable {
        struct Proposal: Encodable { let kind: String; let kindLabel: String; let key: String; let title: String; let evidence: String; let link: String }
        struct Need: Encodable {
            let id: String; let title: String; let kindLabel: String; let evidence: String; let link: String; let open: Bool; let accepted: String; let sessions: Int
            /// For an open need: library resources on its practice or standard.
            let library: [LibraryQueries.Link]
        }
        struct SessionRow: Encodable { let id: String; let title: String; let series: String; let when: String; let facilitator: String; let attended: Int; let need: String? }
        let page: PageContext
        let scope: String
        let scopeName: String
        let scopes: [SelectOption]
        let canPlan: Bool
        /// The school's PLC teams whose evidence can be read on its own, and the one chosen ("" for the whole scope).
        let teams: [SelectOption]
        let team: String
        /// Grades of the scope with priority standards, for a need on them.
        let priorityGrades: [SelectOption]
        let proposals: [Proposal]
        let needs: [Need]
        let upcoming: [SessionRow]
        let past: [SessionRow]
        let attended: [SessionRow]
        let isTeacher: Bool
        let notice: String?
    }

    func hub(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let scope = try await Self.scope(req, requested: req.query[String.self, at: "scope"])
        let teams = scope.canPlan ? try await Self.teams(ofScope: scope, on: req.db) : []
        let team = req.query[String.self, at: "team"].flatMap { id in teams.first { $0.id == id } }
        let proposals = scope.canPlan ? try await LearningQueries(db: req.db).proposedNeeds(scope: scope.id, team: team) : []
        let needs = try await LearningNeed.query(on: req.db).filter(\.$scope == scope.id).sort(\.$acceptedAt, .descending).all()
        let sessions = try await LearningSession.query(on: req.db).filter(\.$scope == scope.id).sort(\.$startsAt).all()
        let attendance = try await req.db.sql.rowCounts(in: SessionAttendance.schema, by: "session_id", values: sessions.compactMap(\.id))
        let mine = try await SessionAttendance.query(on: req.db).filter(\.$staffId == viewer.id).all().map(\.sessionId)
        let attendedSessions = try await LearningSession.query(on: req.db).filter(\.$id ~~ mine).sort(\.$startsAt, .descending).all()
        let people = try await Staff.names(of: Set((sessions + attendedSessions).map(\.facilitatorId)), on: req.db)
        let needTitles = Dictionary(uniqueKeysWithValues: needs.map { ($0.id!, $0.title) })
        // A need is about a practice (its key) or a standard (its id, then "|" and a group): either may tag a resource.
        let readable: Set<String>? = scope.schoolId.map { [$0] } ?? (viewer.policy.seesWholeDistrict ? nil : viewer.policy.schoolIds)
        var subjects: [String: (practices: [String], standards: [String])] = [:]
        let prioritized = try await StandardsQueries(db: req.db).prioritiesByGrade()
        for need in needs where need.status == "open" {
            let key = need.subjectKey.split(separator: "|").first.map(String.init) ?? ""
            subjects[need.id!] = need.kind == LearningNeed.priorityKind ? ([], (prioritized[key] ?? []).compactMap(\.id)) : ([key], [key])
        }
        let library = try await LibraryQueries(db: req.db).suggestions(for: subjects, schools: readable, limit: 2).mapValues { $0.map(LibraryQueries.Link.init) }
        let now = Int(Date().timeIntervalSince1970)
        func row(_ session: LearningSession) -> HubPage.SessionRow {
            .init(id: session.id!, title: session.title, series: session.series, when: DisplayTime.dateTime(session.startsAt),
                  facilitator: people[session.facilitatorId] ?? "—", attended: attendance[session.id!] ?? 0, need: session.needId.flatMap { needTitles[$0] })
        }
        // Single walkthroughs are for those who may read them all; others see the practice's row of the heatmap.
        let opensVisits = scope.id == LearningScope.district ? viewer.policy.seesWholeDistrict : viewer.policy.canOpenTrendVisits(ofSchool: scope.id)
        // Trends are for the school's leaders, coaches and teacher leaders: others read the evidence without a link.
        let readsTrends = scope.id == LearningScope.district ? viewer.policy.seesWholeDistrict : viewer.policy.canViewTrends(ofSchool: scope.id)
        func evidence(_ link: String) -> String {
            if link.hasPrefix("/insights/") && !readsTrends { return "" }
            return opensVisits || !link.hasPrefix("/insights/practice/visits?") ? link
                : link.replacingOccurrences(of: "/insights/practice/visits?", with: "/insights/practice?")
        }
        return try await req.view.render("learning/hub", HubPage(
            page: PageContext(request: req, title: "Professional learning"), scope: scope.id, scopeName: scope.name, scopes: scope.options, canPlan: scope.canPlan,
            teams: [SelectOption(value: "", label: "The whole school", selected: team == nil)] + teams.map { SelectOption(value: $0.id!, label: $0.name, selected: $0.id == team?.id) },
            team: team?.id ?? "",
            priorityGrades: scope.canPlan ? try await RosterQueries(req.db).grades(inSchool: scope.schoolId).filter { prioritized[$0] != nil }
                .map { SelectOption(value: $0, label: GradeLevel.label($0)) } : [],
            proposals: proposals.map { .init(kind: $0.proposal.kind.rawValue, kindLabel: $0.proposal.kind.label, key: $0.proposal.key, title: $0.title, evidence: $0.evidence, link: evidence($0.link)) },
            needs: needs.map { need in
                .init(id: need.id!, title: need.title, kindLabel: Self.kindLabel(need.kind), evidence: need.evidence,
                      link: evidence(need.evidenceLink), open: need.status == "open", accepted: DisplayTime.day(need.acceptedAt),
                      sessions: sessions.filter { $0.needId == need.id }.count, library: library[need.id!] ?? [])
            },
            upcoming: sessions.filter { $0.endsAt >= now }.map(row), past: sessions.filter { $0.endsAt < now }.reversed().map(row),
            attended: attendedSessions.map(row),
            isTeacher: viewer.policy.isTeacher,
            notice: req.takeNotice()))
    }

    /// PLC teams of a school scope with enough members for their own evidence (`LearningQueries.teamMinimum`).
    static func teams(ofScope scope: Scope, on db: any Database) async throws -> [PLCTeam] {
        guard let school = scope.schoolId else { return [] }
        let teams = try await PLCTeam.query(on: db).filter(\.$schoolId == school).sort(\.$name).all()
        let members = try await PLCMember.query(on: db).filter(\.$teamId ~~ teams.compactMap(\.id)).all()
        return teams.filter { team in members.filter { $0.teamId == team.id }.count >= LearningQueries.teamMinimum }
    }

    // MARK: Needs

    struct NeedForm: Content {
        var scope: String
        var team: String?
        var kind: String
        var key: String?
        var title: String?
        var evidence: String?
        /// For a need on a grade's priority standards.
        var grade: String?
    }

    /// A stored need's kind as the pages name it.
    static func kindLabel(_ kind: String) -> String {
        kind == LearningNeed.priorityKind ? "Priority standards of a grade" : LearningNeeds.Kind(rawValue: kind)?.label ?? "Need"
    }

    /// Accepts a proposed need (its evidence is computed again here, never taken from the form) or
    /// records a need the leader writes.
    func acceptNeed(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let form = try req.content.decode(NeedForm.self)
        let scope = try await Self.scope(req, requested: form.scope)
        try req.require(scope.canPlan)
        let need = LearningNeed()
        need.id = UUID().uuidString.lowercased()
        need.scope = scope.id
        need.status = "open"
        need.acceptedBy = viewer.id
        need.acceptedAt = Int(Date().timeIntervalSince1970)
        if form.kind == LearningNeed.priorityKind {
            // Its evidence is computed here, over the scope's students of the grade, by the resources' rule of need.
            let grade = (form.grade ?? "").trimmingCharacters(in: .whitespaces)
            let students = try await RosterQueries(req.db).studentIds(inGrade: grade, atSchool: scope.schoolId)
            guard !grade.isEmpty, let priority = try await LearningQueries(db: req.db).priorityScope(ofGrade: grade, students: students) else {
                throw LodestarError("Choose a grade that has priority standards.")
            }
            guard try await LearningNeed.query(on: req.db).filter(\.$scope == scope.id).filter(\.$kind == LearningNeed.priorityKind)
                .filter(\.$subjectKey == grade).filter(\.$status == "open").first() == nil else {
                throw LodestarError("An open need on \(GradeLevel.label(grade))'s priority standards is already accepted.")
            }
            need.kind = LearningNeed.priorityKind
            need.subjectKey = grade
            need.title = "The priority standards of \(GradeLevel.label(grade))"
            need.evidence = priority.evidence
            need.evidenceLink = ""
        } else if let kind = LearningNeeds.Kind(rawValue: form.kind) {
            var team: PLCTeam?
            if let id = form.team, !id.isEmpty {
                guard let chosen = try await Self.teams(ofScope: scope, on: req.db).first(where: { $0.id == id }) else { throw LodestarError("Choose one of the school's PLC teams.") }
                team = chosen
            }
            guard let proposed = try await LearningQueries(db: req.db).proposedNeeds(scope: scope.id, team: team)
                .first(where: { $0.proposal.kind == kind && $0.proposal.key == form.key }) else {
                throw LodestarError("That need is no longer proposed by the evidence (it may have been accepted already).")
            }
            need.teamId = team?.id
            need.kind = kind.rawValue
            need.subjectKey = proposed.proposal.key
            need.title = team.map { "\(proposed.title) — \($0.name)" } ?? proposed.title
            need.evidence = proposed.evidence
            need.evidenceLink = proposed.link
        } else {
            let title = (form.title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !title.isEmpty else { throw LodestarError("Name the need.") }
            need.kind = "other"
            need.subjectKey = ""
            need.title = String(title.prefix(300))
            need.evidence = String((form.evidence ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(2_000))
            need.evidenceLink = ""
        }
        try await req.db.writeTransaction { db in
            try await need.create(on: db)
            try await db.announce(.needAccepted(need, by: viewer.id))
        }
        req.leaveNotice("Need accepted: \(need.title)")
        return req.redirect(to: "/learning?scope=\(scope.id.urlQueryEncoded)")
    }

    /// Proposed (for planners) and accepted needs of a scope, as the page shows them.
    func needsCSV(req: Request) async throws -> Response {
        let scope = try await Self.scope(req, requested: req.query[String.self, at: "scope"])
        var csv = CSVWriter(header: ["status", "kind", "need", "evidence", "accepted_on", "sessions"])
        if scope.canPlan {
            for proposed in try await LearningQueries(db: req.db).proposedNeeds(scope: scope.id) {
                csv.append(["proposed", proposed.proposal.kind.label, proposed.title, proposed.evidence, "", ""])
            }
        }
        let sessions = try await LearningSession.query(on: req.db).filter(\.$scope == scope.id).all()
        for need in try await LearningNeed.query(on: req.db).filter(\.$scope == scope.id).sort(\.$acceptedAt, .descending).all() {
            csv.append([need.status, Self.kindLabel(need.kind), need.title, need.evidence,
                        DisplayTime.isoDay(need.acceptedAt), String(sessions.filter { $0.needId == need.id }.count)])
        }
        return try await req.csvDownload(csv, named: "learning-needs.csv")
    }

    struct StatusForm: Content { var status: String }

    func needStatus(req: Request) async throws -> Response {
        guard let need = try await LearningNeed.find(try req.parameters.require("needId"), on: req.db) else { throw LodestarError.notFound }
        let scope = try await Self.scope(req, requested: need.scope)
        try req.require(scope.canPlan)
        let form = try req.content.decode(StatusForm.self)
        guard ["open", "addressed"].contains(form.status) else { throw LodestarError("Choose open or addressed.") }
        need.status = form.status
        try await req.db.writeTransaction { db in try await need.save(on: db) }
        return req.redirect(to: "/learning?scope=\(scope.id.urlQueryEncoded)")
    }
}
