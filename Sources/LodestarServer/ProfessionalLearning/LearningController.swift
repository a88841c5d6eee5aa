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
        let schools = try await Org.query(on: req.db).filter(\.$type == "school").sort(\.$name).all()
            .filter { viewer.policy.canViewPlan(ofSchool: $0.id!) }
        let district = try await Org.query(on: req.db).filter(\.$type == "district").first()?.name ?? "The district"
        var options = schools.map { SelectOption(value: $0.id!, label: $0.name) }
        if viewer.policy.seesWholeDistrict { options.insert(SelectOption(value: LearningScope.district, label: district), at: 0) }
        try req.require(!options.isEmpty)
        // Planners start where they plan; others at their first school.
        let planned = options.first { viewer.policy.canPlanLearning(forSchool: LearningScope.schoolId($0.value)) }
        let id = requested.flatMap { $0.isEmpty ? nil : $0 } ?? planned?.value ?? options[0].value
        guard let chosen = options.first(where: { $0.value == id }) else { throw LodestarError(.forbidden, "Your roles do not give you access to this page.") }
        return Scope(id: id, name: chosen.label, options: options.map { SelectOption(value: $0.value, label: $0.label, selected: $0.value == id) },
                     canPlan: viewer.policy.canPlanLearning(forSchool: LearningScope.schoolId(id)))
    }

    // MARK: Hub

    struct HubPage: Encodable {
        struct Proposal: Encodable { let kind: String; let kindLabel: String; let key: String; let title: String; let evidence: String; let link: String }
        struct Need: Encodable { let id: String; let title: String; let kindLabel: String; let evidence: String; let link: String; let open: Bool; let accepted: String; let sessions: Int }
        struct SessionRow: Encodable { let id: String; let title: String; let series: String; let when: String; let facilitator: String; let attended: Int; let need: String? }
        let page: PageContext
        let scope: String
        let scopeName: String
        let scopes: [SelectOption]
        let canPlan: Bool
        /// The school's PLC teams whose evidence can be read on its own, and the one chosen ("" for the whole scope).
        let teams: [SelectOption]
        let team: String
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
            proposals: proposals.map { .init(kind: $0.proposal.kind.rawValue, kindLabel: $0.proposal.kind.label, key: $0.proposal.key, title: $0.title, evidence: $0.evidence, link: evidence($0.link)) },
            needs: needs.map { need in
                .init(id: need.id!, title: need.title, kindLabel: LearningNeeds.Kind(rawValue: need.kind)?.label ?? "Need", evidence: need.evidence,
                      link: evidence(need.evidenceLink), open: need.status == "open", accepted: DisplayTime.day(need.acceptedAt),
                      sessions: sessions.filter { $0.needId == need.id }.count)
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
        if let kind = LearningNeeds.Kind(rawValue: form.kind) {
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
        try await req.db.writeTransaction { db in try await need.create(on: db) }
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
            csv.append([need.status, LearningNeeds.Kind(rawValue: need.kind)?.label ?? "Need", need.title, need.evidence,
                        DisplayTime.isoDay(need.acceptedAt), String(sessions.filter { $0.needId == need.id }.count)])
        }
        return try await req.csvDownload(csv, named: "learning-needs.csv")
    }

    struct StatusForm: Content { var status: String }

    func needStatus(req: Request) async throws -> Response {
        guard let need = try await LearningNeed.find(try req.parameters.require("needId"), on: req.db) else { throw Abort(.notFound) }
        let scope = try await Self.scope(req, requested: need.scope)
        try req.require(scope.canPlan)
        let form = try req.content.decode(StatusForm.self)
        guard ["open", "addressed"].contains(form.status) else { throw LodestarError("Choose open or addressed.") }
        need.status = form.status
        try await req.db.writeTransaction { db in try await need.save(on: db) }
        return req.redirect(to: "/learning?scope=\(scope.id.urlQueryEncoded)")
    }

    // MARK: Sessions

    struct SessionFormPage: Encodable {
        let page: PageContext
        let scope: String
        let scopeName: String
        let needs: [SelectOption]
        let facilitators: [SelectOption]
        let indicators: [SelectOption]
        let form: SessionForm
        let error: String?
    }

    struct SessionForm: Content {
        var scope: String
        var title: String
        var series: String?
        var needId: String?
        var facilitatorId: String
        var audience: String?
        var day: String
        var startTime: String
        var endTime: String
        var location: String?
        var materials: String?
        var lookFors: String?
        var indicators: [String]?
        /// Standard codes, separated by commas or spaces.
        var standards: String?
    }

    func newSession(req: Request) async throws -> View {
        let viewer = try await req.viewer()
        let scope = try await Self.scope(req, requested: req.query[String.self, at: "scope"])
        try req.require(scope.canPlan)
        var form = SessionForm(scope: scope.id, title: "", series: "", needId: req.query[String.self, at: "need"], facilitatorId: viewer.id, audience: "",
                               day: DisplayTime.isoDay(Int(Date().timeIntervalSince1970) + 7 * 86_400), startTime: "15:30", endTime: "16:30",
                               location: "", materials: "", lookFors: "", indicators: [], standards: "")
        if let needId = form.needId, let need = try await LearningNeed.find(needId, on: req.db), need.scope == scope.id {
            form.title = need.title
            switch LearningNeeds.Kind(rawValue: need.kind) {
            case .practice: form.indicators = [need.subjectKey]
            case .mastery, .equity:
                let standardId = String(need.subjectKey.split(separator: "|").first ?? "")
                form.standards = try await Standard.find(standardId, on: req.db)?.code ?? ""
            case nil: break
            }
        }
        return try await renderSessionForm(req, scope: scope, form: form, error: nil)
    }

    private func renderSessionForm(_ req: Request, scope: Scope, form: SessionForm, error: String?) async throws -> View {
        let framework = try await FrameworkStore.active(on: req.db).framework
        let needs = try await LearningNeed.query(on: req.db).filter(\.$scope == scope.id).filter(\.$status == "open").sort(\.$acceptedAt, .descending).all()
        let plan = PlanScope(id: scope.id, name: scope.name, canEdit: false)
        let chosen = Set(form.indicators ?? [])
        return try await req.view.render("learning/session-form", SessionFormPage(
            page: PageContext(request: req, title: "Plan a session"), scope: scope.id, scopeName: scope.name,
            needs: [SelectOption(value: "", label: "No need linked")] + needs.map { SelectOption(value: $0.id!, label: $0.title, selected: $0.id == form.needId) },
            facilitators: try await plan.staffOptions(on: req.db, selected: form.facilitatorId),
            indicators: framework.indicators.map { SelectOption(value: $0.key, label: $0.shortName, selected: chosen.contains($0.key)) },
            form: form, error: error))
    }

    func createSession(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let form = try req.content.decode(SessionForm.self)
        let scope = try await Self.scope(req, requested: form.scope)
        try req.require(scope.canPlan)
        do {
            let session = try await validated(form, scope: scope, on: req.db)
            session.createdBy = viewer.id
            try await req.db.writeTransaction { db in try await session.create(on: db) }
            return req.redirect(to: "/learning/sessions/\(session.id!)")
        } catch let error as LodestarError {
            let response = try await renderSessionForm(req, scope: scope, form: form, error: error.description).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }

    private func validated(_ form: SessionForm, scope: Scope, on db: any Database) async throws -> LearningSession {
        let title = form.title.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !title.isEmpty else { throw LodestarError("Give the session a title.") }
        guard let start = DisplayTime.date(fromISODay: form.day, time: form.startTime),
              let end = DisplayTime.date(fromISODay: form.day, time: form.endTime) else { throw LodestarError("Give the day and the start and end times.") }
        guard end > start else { throw LodestarError("The session must end after it starts.") }
        let facilitators = try await PlanScope(id: scope.id, name: scope.name, canEdit: false).staffOptions(on: db)
        guard facilitators.contains(where: { $0.value == form.facilitatorId }) else { throw LodestarError("Choose a facilitator from the list.") }
        var needId: String?
        if let id = form.needId, !id.isEmpty {
            guard let need = try await LearningNeed.find(id, on: db), need.scope == scope.id else { throw LodestarError("Choose one of the accepted needs.") }
            needId = need.id
        }
        let framework = try await FrameworkStore.active(on: db).framework
        let indicators = (form.indicators ?? []).filter { framework.indicator($0) != nil }
        var standardIds: [String] = []
        for code in (form.standards ?? "").split(whereSeparator: { $0 == "," || $0 == " " || $0 == ";" }).map(String.init) {
            guard let standard = try await Standard.query(on: db).filter(\.$code == code).first() else {
                throw LodestarError("No standard has the code “\(code)”. Use codes as the standards pages show them.")
            }
            if !standardIds.contains(standard.id!) { standardIds.append(standard.id!) }
        }
        let materials = (form.materials ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for link in materials where !(link.hasPrefix("https://") || link.hasPrefix("http://")) {
            throw LodestarError("Materials are links, one per line, starting with https:// (“\(link.prefix(60))” is not).")
        }
        let session = LearningSession()
        session.id = UUID().uuidString.lowercased()
        session.scope = scope.id
        session.title = String(title.prefix(200))
        session.series = String((form.series ?? "").trimmingCharacters(in: .whitespaces).prefix(200))
        session.needId = needId
        session.facilitatorId = form.facilitatorId
        session.audience = String((form.audience ?? "").trimmingCharacters(in: .whitespaces).prefix(300))
        session.startsAt = Int(start.timeIntervalSince1970)
        session.endsAt = Int(end.timeIntervalSince1970)
        session.location = String((form.location ?? "").trimmingCharacters(in: .whitespaces).prefix(200))
        session.materials = materials.joined(separator: "\n")
        session.lookFors = (form.lookFors ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "\n")
        session.indicators = indicators.joined(separator: ",")
        session.standards = standardIds.joined(separator: ",")
        session.createdAt = Int(Date().timeIntervalSince1970)
        return session
    }

    struct SessionPage: Encodable {
        struct Person: Encodable { let id: String; let name: String; let role: String; let attended: Bool }
        let page: PageContext
        let id: String
        let title: String
        let series: String
        let seriesSessions: [SelectOption]
        let scope: String
        let scopeName: String
        let when: String
        let facilitator: String
        let audience: String
        let location: String
        let need: String?
        let materials: [String]
        let lookFors: [String]
        let practices: [String]
        let standards: [String]
        let canPlan: Bool
        let people: [Person]
        let attendedCount: Int
        let attendanceSchools: [SelectOption]
        let notice: String?
    }

    private func loadSession(_ req: Request) async throws -> (LearningSession, Scope) {
        guard let session = try await LearningSession.find(try req.parameters.require("sessionId"), on: req.db) else { throw Abort(.notFound) }
        return (session, try await Self.scope(req, requested: session.scope))
    }

    func session(req: Request) async throws -> View {
        let (session, scope) = try await loadSession(req)
        let framework = try await FrameworkStore.active(on: req.db).framework
        let attended = Set(try await SessionAttendance.query(on: req.db).filter(\.$sessionId == session.id!).all().map(\.staffId))
        var people: [SessionPage.Person] = []
        var schools: [SelectOption] = []
        if scope.canPlan {
            // Attendance is taken from a school's staff list: the session's school, or one chosen school for a district session.
            let school: String
            if let schoolId = scope.schoolId {
                school = schoolId
            } else {
                let all = try await Org.query(on: req.db).filter(\.$type == "school").sort(\.$name).all()
                school = req.query[String.self, at: "school"].flatMap { id in all.first { $0.id == id }?.id } ?? all.first?.id ?? ""
                schools = all.map { SelectOption(value: $0.id!, label: $0.name, selected: $0.id == school) }
            }
            people = try await Self.staff(ofSchool: school, on: req.db).map { .init(id: $0.id, name: $0.name, role: $0.role, attended: attended.contains($0.id)) }
        }
        let standards = try await Standard.query(on: req.db).filter(\.$id ~~ session.standardIds).all()
        let series = session.series.isEmpty ? [] : try await LearningSession.query(on: req.db).filter(\.$scope == session.scope).filter(\.$series == session.series).sort(\.$startsAt).all()
        return try await req.view.render("learning/session", SessionPage(
            page: PageContext(request: req, title: session.title), id: session.id!, title: session.title, series: session.series,
            seriesSessions: series.map { SelectOption(value: $0.id!, label: "\(DisplayTime.day($0.startsAt)) — \($0.title)", selected: $0.id == session.id) },
            scope: scope.id, scopeName: scope.name,
            when: "\(DisplayTime.dateTime(session.startsAt))–\(DisplayTime.clock(session.endsAt))",
            facilitator: try await Staff.find(session.facilitatorId, on: req.db)?.displayName ?? "—",
            audience: session.audience, location: session.location,
            need: try await session.needId.asyncMap { try await LearningNeed.find($0, on: req.db)?.title } ?? nil,
            materials: session.materials.split(separator: "\n").map(String.init), lookFors: session.lookFors.split(separator: "\n").map(String.init),
            practices: session.indicatorKeys.compactMap { framework.indicator($0)?.shortName },
            standards: standards.map { "\($0.code): \($0.statement.prefix(100))" },
            canPlan: scope.canPlan, people: people, attendedCount: attended.count, attendanceSchools: schools,
            notice: req.takeNotice()))
    }

    /// Staff with a role at a school, teachers first, by family name.
    static func staff(ofSchool school: String, on db: any Database) async throws -> [(id: String, name: String, role: String)] {
        var byId: [String: (name: String, family: String, roles: Set<StaffRole>)] = [:]
        for row in try await db.sql.raw("""
            SELECT s.id, s.given_name, s.family_name, g.role FROM staff s JOIN role_grants g ON g.staff_id = s.id WHERE g.school_id = \(bind: school)
            """).all() {
            let id = try row.decode(column: "id", as: String.self)
            let role = StaffRole(rawValue: try row.decode(column: "role", as: String.self))
            let given = try row.decode(column: "given_name", as: String.self), family = try row.decode(column: "family_name", as: String.self)
            byId[id, default: ("\(given) \(family)", family, [])].roles.formUnion(role.map { [$0] } ?? [])
        }
        return byId.map { id, person in
            let role = StaffRole.allCases.first { person.roles.contains($0) && $0 != .teacher } ?? .teacher
            return (id, person.name, role.label, role == .teacher ? 1 : 0, person.family)
        }
        .sorted { ($0.3, $1.4, $1.1) > ($1.3, $0.4, $0.1) }
        .map { ($0.0, $0.1, $0.2) }
    }

    struct AttendanceForm: Content {
        var school: String?
        var attended: [String]?
    }

    /// Records who attended from one school's staff list: those ticked are added, those unticked removed.
    func recordAttendance(req: Request) async throws -> Response {
        let viewer = try await req.viewer()
        let (session, scope) = try await loadSession(req)
        try req.require(scope.canPlan)
        let form = try req.content.decode(AttendanceForm.self)
        guard let school = scope.schoolId ?? form.school else { throw LodestarError("Choose the school whose staff attended.") }
        let listed = Set(try await Self.staff(ofSchool: school, on: req.db).map(\.id))
        let ticked = Set(form.attended ?? [])
        guard ticked.isSubset(of: listed) else { throw LodestarError("Attendance can only be recorded for staff of the school.") }
        let now = Int(Date().timeIntervalSince1970), sessionId = session.id!
        try await req.db.writeTransaction { db in
            let existing = try await SessionAttendance.query(on: db).filter(\.$sessionId == sessionId).all()
            for record in existing where listed.contains(record.staffId) && !ticked.contains(record.staffId) { try await record.delete(on: db) }
            let present = Set(existing.map(\.staffId))
            for staffId in ticked.subtracting(present).sorted() {
                let record = SessionAttendance()
                record.id = "\(sessionId)|\(staffId)"
                record.sessionId = sessionId
                record.staffId = staffId
                record.recordedBy = viewer.id
                record.recordedAt = now
                try await record.create(on: db)
            }
        }
        let count = try await SessionAttendance.query(on: req.db).filter(\.$sessionId == sessionId).count()
        req.leaveNotice("Attendance saved: \(count) attended.")
        return req.redirect(to: "/learning/sessions/\(sessionId)")
    }

    func attendanceCSV(req: Request) async throws -> Response {
        let (session, scope) = try await loadSession(req)
        try req.require(scope.canPlan)
        let records = try await SessionAttendance.query(on: req.db).filter(\.$sessionId == session.id!).all()
        let people = try await Staff.query(on: req.db).filter(\.$id ~~ records.map(\.staffId)).all()
        var csv = CSVWriter(header: ["session", "day", "staff_id", "given_name", "family_name", "email"])
        for person in people.sorted(by: { ($0.familyName, $0.givenName) < ($1.familyName, $1.givenName) }) {
            csv.append([session.title, DisplayTime.isoDay(session.startsAt), person.id!, person.givenName, person.familyName, person.email])
        }
        return try await req.csvDownload(csv, named: "session-attendance.csv")
    }

    // MARK: Impact

    struct Impact {
        struct PracticeRow { let name: String; let before: SessionImpact.Practice; let after: SessionImpact.Practice }
        let session: LearningSession
        let scope: Scope
        let attendees: Int
        let practices: [PracticeRow]
        let mastery: (before: SessionImpact.Mastery, now: SessionImpact.Mastery)
        let beforeMonth: String
        let nowMonth: String
        let afterWindowOpen: Bool
    }

    private func impactAnalysis(_ req: Request) async throws -> Impact {
        let (session, scope) = try await loadSession(req)
        try req.require(scope.canPlan)
        let attendees = try await SessionAttendance.query(on: req.db).filter(\.$sessionId == session.id!).all().map(\.staffId).sorted()
        let framework = try await FrameworkStore.active(on: req.db).framework
        let window = SessionImpact.windowDays * 86_400
        let queries = LearningQueries(db: req.db)
        let visits = try await queries.visits(of: attendees, from: session.startsAt - window, to: session.endsAt + window, indicators: session.indicatorKeys)
        let who = Set(attendees)
        var rows = session.indicatorKeys.map { key in
            let result = SessionImpact.practice(visits.byIndicator[key] ?? [], attendees: who, start: session.startsAt, end: session.endsAt)
            return Impact.PracticeRow(name: framework.indicator(key)?.shortName ?? key, before: result.before, after: result.after)
        }
        if rows.count > 1 {
            // All practices together: one visit counts once, with each of its practices' marks.
            let all = SessionImpact.practice(visits.combined, attendees: who, start: session.startsAt, end: session.endsAt)
            rows.append(.init(name: "All of the session's practices", before: all.before, after: all.after))
        }
        let sessionMonth = String(DisplayTime.isoDay(session.startsAt).prefix(7))
        let beforeMonth = String(ISODay.adding(-1, to: sessionMonth + "-01").prefix(7))
        let nowMonth = String(DisplayTime.isoDay(Int(Date().timeIntervalSince1970)).prefix(7))
        let timelines = try await queries.timelines(studentsOf: attendees, standards: session.standardIds).map { (student: $0.student, entries: $0.entries) }
        return Impact(session: session, scope: scope, attendees: attendees.count, practices: rows,
                      mastery: SessionImpact.mastery(timelines, beforeMonth: beforeMonth, nowMonth: max(nowMonth, sessionMonth)),
                      beforeMonth: beforeMonth, nowMonth: max(nowMonth, sessionMonth),
                      afterWindowOpen: session.endsAt + window > Int(Date().timeIntervalSince1970))
    }

    struct ImpactPage: Encodable {
        struct Row: Encodable { let name: String; let before: String; let beforeCount: String; let after: String; let afterCount: String; let change: String }
        let page: PageContext
        let id: String
        let title: String
        let when: String
        let attendees: Int
        let windowDays: Int
        let afterWindowOpen: Bool
        let practices: [Row]
        let practiceRule = PracticeCount.rule
        let hasStandards: Bool
        let mastery: [Row]
        let masteryHidden: Bool
        let minimum: Int
        let beforeLabel: String
        let nowLabel: String
        let csv: String
    }

    static func change(_ before: Double?, _ after: Double?) -> String {
        guard let before, let after else { return "—" }
        let points = Int(((after - before) * 100).rounded())
        return points > 0 ? "+\(points) points" : "\(points) points"
    }

    private static func practiceCount(_ p: SessionImpact.Practice) -> String {
        "\(p.practice.seen) of \(p.practice.lookedFor) looked for (\(p.visits) \(p.visits == 1 ? "visit" : "visits"), \(p.teachers) \(p.teachers == 1 ? "teacher" : "teachers"))"
            + (p.practice.notLookedFor > 0 ? "; not looked for \(p.practice.notLookedFor)" : "")
    }

    func impact(req: Request) async throws -> View {
        let impact = try await impactAnalysis(req)
        let rule = DistrictSettings.smallGroups
        let hidden = !rule.allows(impact.mastery.before.students) || !rule.allows(impact.mastery.now.students)
        let m = impact.mastery
        return try await req.view.render("learning/impact", ImpactPage(
            page: PageContext(request: req, title: "Impact: \(impact.session.title)"), id: impact.session.id!, title: impact.session.title,
            when: DisplayTime.day(impact.session.startsAt), attendees: impact.attendees, windowDays: SessionImpact.windowDays,
            afterWindowOpen: impact.afterWindowOpen,
            practices: impact.practices.map { row in
                .init(name: row.name, before: Percent.text(row.before.share), beforeCount: Self.practiceCount(row.before),
                      after: Percent.text(row.after.share), afterCount: Self.practiceCount(row.after), change: Self.change(row.before.share, row.after.share))
            },
            hasStandards: !impact.session.standardIds.isEmpty,
            mastery: hidden ? [] : [.init(name: "Students’ results on the session’s standards", before: Percent.text(m.before.share),
                                          beforeCount: "\(m.before.atOrAbove) of \(m.before.results) results, \(m.before.students) students",
                                          after: Percent.text(m.now.share), afterCount: "\(m.now.atOrAbove) of \(m.now.results) results, \(m.now.students) students",
                                          change: Self.change(m.before.share, m.now.share))],
            masteryHidden: hidden, minimum: rule.minimum,
            beforeLabel: "end of \(InsightsScope.label(month: impact.beforeMonth))", nowLabel: "end of \(InsightsScope.label(month: impact.nowMonth))",
            csv: "/learning/sessions/\(impact.session.id!)/impact.csv"))
    }

    func impactCSV(req: Request) async throws -> Response {
        let impact = try await impactAnalysis(req)
        var csv = CSVWriter(header: ["measure", "period", "visits", "teachers", "students", "count", "out_of", "percent", "not_looked_for"])
        for row in impact.practices {
            for (period, p) in [("before", row.before), ("after", row.after)] {
                csv.append([row.name, period, String(p.visits), String(p.teachers), "", String(p.practice.seen), String(p.practice.lookedFor), Percent.text(p.share),
                            String(p.practice.notLookedFor)])
            }
        }
        if !impact.session.standardIds.isEmpty {
            let rule = DistrictSettings.smallGroups
            for (period, m) in [("before", impact.mastery.before), ("now", impact.mastery.now)] {
                let shown = rule.allows(impact.mastery.before.students) && rule.allows(impact.mastery.now.students)
                csv.append(["mastery on the session's standards", period, "", "", shown ? String(m.students) : "", shown ? String(m.atOrAbove) : "",
                            shown ? String(m.results) : "", shown ? Percent.text(m.share) : "fewer than \(rule.minimum) students"])
            }
        }
        return try await req.csvDownload(csv, named: "session-impact.csv")
    }
}
